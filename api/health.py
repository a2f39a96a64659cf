"""``/v1/health``, ``/metrics``: each dependency's state, and the Prometheus scrape.

Health names every dependency (node, database, indexer) with its own state, so an
operator sees which one is down; the overall status is ``ok`` only when all are up.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from api.deps import ServicesDep
from api.metrics import CONTENT_TYPE

router = APIRouter(tags=["health"])


def _state(check: Any) -> dict[str, Any]:
    try:
        return {"state": "up", **check()}
    except Exception as exc:  # a probe: any failure is "down", with its kind
        return {"state": "down", "error": type(exc).__name__}


@router.get("/v1/health")
def health(svc: ServicesDep) -> dict[str, Any]:
    """The node, the database and the indexer, each ``up`` or ``down``."""
    runtime = svc.runtime
    indexer = svc.extras["indexer"]

    def node() -> dict[str, Any]:
        return {"chain_id": runtime.w3.eth.chain_id, "head": runtime.w3.eth.block_number}

    def database() -> dict[str, Any]:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {}

    def index() -> dict[str, Any]:
        return {"indexed_block": indexer.checkpoint()[0]}

    deps = {"node": _state(node), "database": _state(database), "indexer": _state(index)}
    ok = all(d["state"] == "up" for d in deps.values())
    body: dict[str, Any] = {"status": "ok" if ok else "degraded", "dependencies": deps}
    # Kept at the top level for existing clients.
    body["chain_id"] = deps["node"].get("chain_id")
    body["indexed_block"] = deps["indexer"].get("indexed_block")
    if deps["node"]["state"] == "up" and deps["indexer"]["state"] == "up":
        deps["indexer"]["lag_blocks"] = max(deps["node"]["head"] - body["indexed_block"], 0)
    return body


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)
