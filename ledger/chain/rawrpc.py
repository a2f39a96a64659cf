"""Bulk JSON-RPC without web3's per-request encoding and formatting.

Batch verification and index backfill move tens of thousands of requests or results in
one call; web3 encodes each request and formats each result in Python (an
``AttributeDict`` of ``HexBytes`` per log), which cost more than the node's own work.
For an HTTP provider the payload goes straight to its endpoint, with its headers,
encoded and decoded by orjson; any other provider goes through its ``make_request`` /
``make_batch_request`` as before.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import orjson

TIMEOUT_S = 120


def endpoint(provider: Any) -> tuple[str, dict[str, str], float] | None:
    """(URL, headers, timeout) of a plain HTTP provider; None for any other kind, and for
    one configured with more than headers and a timeout (authentication, proxies,
    certificates: web3's own session honours those)."""
    url = getattr(provider, "endpoint_uri", None)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    if not hasattr(provider, "get_request_kwargs"):
        return None
    kwargs = dict(provider.get_request_kwargs())
    if set(kwargs) - {"headers", "timeout"}:
        return None
    headers = {"Content-Type": "application/json", **dict(kwargs.get("headers") or {})}
    timeout = kwargs.get("timeout")
    return url, headers, float(timeout) if isinstance(timeout, int | float) else TIMEOUT_S


def post(provider: Any, payload: Any) -> Any:
    """The decoded reply to one JSON-RPC request or batch. Transport errors raise
    ``OSError``; a reply that is not JSON raises ``ValueError``."""
    target = endpoint(provider)
    if target is None:
        if isinstance(payload, list):
            return provider.make_batch_request([(r["method"], r["params"]) for r in payload])
        return provider.make_request(payload["method"], payload["params"])
    url, headers, timeout = target
    request = urllib.request.Request(url, orjson.dumps(payload), headers)
    with urllib.request.urlopen(request, timeout=max(timeout, TIMEOUT_S)) as response:
        return orjson.loads(response.read())


def call(method: str, params: list[Any], id_: int = 1) -> dict[str, Any]:
    """One JSON-RPC request object."""
    return {"jsonrpc": "2.0", "id": id_, "method": method, "params": params}
