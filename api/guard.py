"""A pure ASGI guard in front of everything: the API key, then the body's size and depth.

Work is refused before it starts. The key is resolved from the headers alone, so a caller
without a valid key never gets a byte of its body read. The body is then read up to
``max_body_bytes`` (413 beyond, whatever Content-Length claims) and its nesting depth is
measured without a parser (422 beyond ``max_depth``): Python's JSON decoder recurses
once per level, and with the recursion limit that py_ecc raises to 100,000 a deeply
nested body overflows the C stack and kills the process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import anyio.to_thread

from api._depth import nests_deeper
from api.deps import Caller
from ledger.settings import Settings

PROBLEM = b"application/problem+json"
# Reachable without a key: the health probe, the metrics scrape and the API's own docs.
PUBLIC_PATHS = frozenset(
    {"/v1/health", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
)
# The console signs in with its own cookie (api.console.auth) and redirects to its login
# page without one; the docs' static assets are public like the docs. Body limits still apply.
PUBLIC_PREFIXES = ("/console", "/assets/")
# 32 MiB holds 50,000 records of a few hundred bytes with room; the deepest legitimate
# body (a deal spec) nests 6 levels, the default limit is 32.
DEFAULT_MAX_BODY: int = Settings.model_fields["api_max_body_bytes"].default
DEFAULT_MAX_DEPTH: int = Settings.model_fields["api_max_json_depth"].default

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]
Resolver = Callable[[str], Caller | None]


def too_deep(body: bytes, limit: int) -> bool:
    """Whether arrays and objects in ``body`` nest deeper than ``limit`` (outside strings),
    in one C pass that stops at the first bracket past the limit (``api/_depth.c``)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cannot nest deeper than it has openings
    return nests_deeper(body, limit)


async def send_problem(
    send: Send, status: int, title: str, detail: str, field: str | None = None
) -> None:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if field:
        body["errors"] = [{"field": field, "reason": detail}]
    payload = json.dumps(body).encode()
    headers = [(b"content-type", PROBLEM), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class _TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: authenticate, then bound the body, then hand a replayed body on."""

    def __init__(
        self,
        app: Any,
        resolve: Resolver,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> None:
        self.app = app
        self.resolve = resolve
        self.max_body = max_body_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        path = scope["path"]
        if path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES):
            key = _header(headers, b"x-api-key")
            if not key:
                await send_problem(
                    send, 401, "Unauthorized", "missing X-API-Key header", "X-API-Key"
                )
                return
            caller = await anyio.to_thread.run_sync(self.resolve, key)
            if caller is None:
                await send_problem(send, 401, "Unauthorized", "unknown API key", "X-API-Key")
                return
            scope.setdefault("state", {})["caller"] = caller
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE") and not _header(
            headers, b"content-length"
        ):
            await self.app(scope, receive, send)
            return
        await self._bounded(scope, receive, send, headers)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, headers: Any) -> None:
        declared = _header(headers, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._too_large(send)
            return
        try:
            body = await self._read(receive)
        except _TooLarge:
            await self._too_large(send)
            return
        # A large body is scanned off the event loop, so other requests keep flowing.
        if len(body) < 1_000_000:
            deep = too_deep(body, self.max_depth)
        else:
            deep = await anyio.to_thread.run_sync(too_deep, body, self.max_depth)
        if deep:
            detail = f"JSON nested deeper than {self.max_depth} levels"
            await send_problem(send, 422, "Invalid request", detail, "body")
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _TooLarge  # nobody to answer; stop reading
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        detail = f"request body larger than {self.max_body} bytes"
        await send_problem(send, 413, "Content too large", detail, "body")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect as usual

    return replay
