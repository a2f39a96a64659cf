"""Health: each dependency's state; 503 (problem+json) while one the service needs is down.

The node is probed with its own short timeout so that health answers quickly while the
node hangs; the index is read from the database, so reads keep working in an outage.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import ServicesDep
from api.errors import PROBLEM

router = APIRouter(tags=["health"])
NODE_TIMEOUT_S = 2.0


def node_state(url: str) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
    try:
        reply = httpx.post(url, json=body, timeout=NODE_TIMEOUT_S).json()
        return {"state": "up", "block": int(reply["result"], 16)}
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return {"state": "unreachable", "error": type(exc).__name__}


def database_state(svc: ServicesDep) -> dict[str, Any]:
    try:
        with svc.runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"state": "up"}
    except Exception as exc:
        return {"state": "unreachable", "error": type(exc).__name__}


@router.get(
    "/v1/health",
    responses={503: {"description": "a dependency is down (problem+json naming each state)"}},
)
def health(svc: ServicesDep) -> JSONResponse:
    """The node, the database and the indexer, each with its state."""
    node = node_state(svc.runtime.w3.provider.endpoint_uri)
    deps: dict[str, dict[str, Any]] = {"node": node, "database": database_state(svc)}
    indexer = svc.extras.get("indexer")
    if indexer is not None and deps["database"]["state"] == "up":
        number, _ = indexer.checkpoint()
        state = "up" if indexer.last_error is None else "retrying"
        deps["indexer"] = {"state": state, "indexed_block": number}
        if node["state"] == "up":
            deps["indexer"]["lag_blocks"] = max(node["block"] - number, 0)
    indexed = deps.get("indexer", {}).get("indexed_block")
    down = sorted(name for name, dep in deps.items() if dep["state"] != "up")
    if down:
        body = {
            "type": "about:blank",
            "title": "Service unavailable",
            "status": 503,
            "detail": f"not available: {', '.join(down)}; reads serve the last indexed state",
            "dependencies": deps,
            "indexed_block": indexed,
        }
        return JSONResponse(body, status_code=503, media_type=PROBLEM)
    manifest = svc.runtime.manifest
    chain_id = manifest.chain_id if manifest is not None else None
    ok = {"status": "ok", "chain_id": chain_id, "indexed_block": indexed, "dependencies": deps}
    return JSONResponse(ok)
