"""Outermost ASGI middleware: a request id, one JSON log line and metrics per request.

It wraps the guard too, so refused requests (401, 413) are counted and logged alike.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from api.guard import Receive, Scope, Send
from api.metrics import Metrics
from ledger.logs import request_id

log = logging.getLogger("credence.api")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class Observe:
    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = self._incoming_id(scope) or secrets.token_hex(8)
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_request(scope["method"], template, status, elapsed)
            log.info(
                "request",
                extra={
                    "request_id": rid,
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id.reset(token)

    @staticmethod
    def _incoming_id(scope: Scope) -> str | None:
        for key, value in scope.get("headers", []):
            if key.lower() == b"x-request-id":
                text = value.decode("latin-1")
                return text if _GOOD_ID.fullmatch(text) else None
        return None
