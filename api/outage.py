"""A chain node that cannot be reached, or that does not confirm a transaction in time,
answers 503 (problem+json), never a 500.

Any route may need the node; when the connection fails nothing was written (the
issuing path stores records before it needs the node for anchoring, and answers its
own 503 for those), so the client may retry the same request, with the same
Idempotency-Key, once the node is back. A transaction the request already sent is found
under that key on the retry (``ledger.tx.request_transactions``), not sent again.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.errors import problem
from ledger.tx import TRANSIENT, TxError

log = logging.getLogger(__name__)


def _node_unavailable(detail: str, reason: str) -> JSONResponse:
    response = problem(503, "Service unavailable", detail, [{"field": "node", "reason": reason}])
    response.headers["Retry-After"] = "2"
    return response


def install(app: FastAPI) -> None:
    async def _unreachable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s: chain node unreachable (%s)", request.method, request.url.path, exc)
        return _node_unavailable(
            "the chain node is unreachable; retry later (with the same Idempotency-Key)",
            "unreachable",
        )

    async def _unconfirmed(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s: transaction not confirmed (%s)", request.method, request.url.path, exc)
        return _node_unavailable(
            "the chain node did not confirm the transaction; retry with the same "
            "Idempotency-Key (a transaction already sent is awaited, not sent again)",
            str(exc),
        )

    for kind in TRANSIENT:
        app.add_exception_handler(kind, _unreachable)
    app.add_exception_handler(TxError, _unconfirmed)  # ContractRevert keeps its own 409
