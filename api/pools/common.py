"""What the pool and investor routers share: error mapping, idempotent chain writes, and
which investor a call acts for."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from api.deps import Caller, Role, Services
from api.errors import ApiError
from api.idempotency import fingerprint, run_once
from api.reverts import explain
from ledger.deals.service import DealError
from ledger.tx import ContractRevert

IdempotencyKey = Annotated[
    str | None, Header(description="retrying with the same key never sends twice")
]


@contextmanager
def deal_errors() -> Iterator[None]:
    """Bad input -> 422 naming the field, unknown ids -> 404, contract reverts -> 409 with
    the decoded custom error."""
    try:
        yield
    except DealError as exc:
        raise ApiError(exc.status, exc.reason, field=exc.field) from exc
    except ContractRevert as exc:
        raise ApiError(
            409, f"the contract refused: {explain(exc.error)}", field="contract"
        ) from exc


def write(
    svc: Services,
    request: Request,
    idempotency_key: str | None,
    body: Any,
    work: Callable[[], Any],
    status: int = 200,
) -> JSONResponse:
    """Run ``work`` once per Idempotency-Key; a failure leaves the key free for a retry."""

    def guarded() -> Any:
        with deal_errors():
            return work()

    fp = fingerprint(request.method, request.url.path, body)
    return run_once(svc.runtime.engine, idempotency_key, fp, status, guarded)


def write_showing_key(
    svc: Services,
    request: Request,
    idempotency_key: str | None,
    body: Any,
    work: Callable[[], tuple[Any, str | None]],
) -> JSONResponse:
    """``write`` (201) for an admission whose answer carries a new API key, shown once:
    ``work`` returns the answer and the key (None when none was issued), and what the
    idempotency store keeps, and a retry replays, has ``api_key`` null."""
    issued: list[str] = []

    def stored() -> Any:
        answer, key = work()
        if key:
            issued.append(key)
        return answer

    response = write(svc, request, idempotency_key, body, stored, 201)
    if not issued:
        return response
    shown = json.loads(response.body) | {"api_key": issued[0]}
    return JSONResponse(shown, status_code=response.status_code)


def acting_investor(caller: Caller, requested: str | None) -> str:
    """An investor's key acts for its own investor only; an admin names the investor."""
    if caller.role is Role.investor:
        if caller.investor is None:
            raise ApiError(
                403,
                "this investor key is not bound to an investor (the agent issues "
                "bound keys when it admits one)",
            )
        if requested not in (None, caller.investor):
            raise ApiError(403, f"this key acts for {caller.investor!r} only", field="investor")
        return caller.investor
    if not requested:
        raise ApiError(422, "required when an admin acts for an investor", field="investor")
    return requested
