"""A chain write behind an idempotency key, with contract reverts mapped to 409."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import Services
from api.errors import ApiError
from api.idempotency import fingerprint, run_once
from api.reverts import explain
from ledger.tx import ContractRevert


class TxOut(BaseModel):
    tx_hash: str


def chain_write(
    svc: Services,
    request: Request,
    idempotency_key: str | None,
    body: dict[str, Any],
    call: Callable[[], Any],
) -> JSONResponse:
    def work() -> TxOut:
        try:
            receipt = call()
        except ContractRevert as exc:
            raise ApiError(409, f"the registry refused: {explain(exc.error)}") from exc
        return TxOut(tx_hash=receipt["transactionHash"].to_0x_hex())

    fp = fingerprint(request.method, request.url.path, body)
    return run_once(svc.runtime.engine, idempotency_key, fp, 200, work)
