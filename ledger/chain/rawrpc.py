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


def endpoint(provider: Any) -> tuple[str, dict[str, str]] | None:
    """(URL, headers) of an HTTP provider; None for any other kind."""
    url = getattr(provider, "endpoint_uri", None)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    headers = provider.get_request_headers() if hasattr(provider, "get_request_headers") else {}
    return url, {"Content-Type": "application/json", **dict(headers)}


def post(provider: Any, payload: Any) -> Any:
    """The decoded reply to one JSON-RPC request or batch. Transport errors raise
    ``OSError``; a reply that is not JSON raises ``ValueError``."""
    target = endpoint(provider)
    if target is None:
        if isinstance(payload, list):
            return provider.make_batch_request([(r["method"], r["params"]) for r in payload])
        return provider.make_request(payload["method"], payload["params"])
    url, headers = target
    request = urllib.request.Request(url, orjson.dumps(payload), headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return orjson.loads(response.read())


def call(method: str, params: list[Any], id_: int = 1) -> dict[str, Any]:
    """One JSON-RPC request object."""
    return {"jsonrpc": "2.0", "id": id_, "method": method, "params": params}
