"""Routes whose JSON bodies are parsed by orjson (large issuing and verifying requests).

FastAPI parses a body with ``Request.json`` (the standard library's parser) before
validating it; for a request of 10,000 records that parse was about a third of the event
loop's time. orjson gives the same Python values several times faster. Where it refuses
a body the standard library takes (integers beyond 64 bits, NaN), the standard library
parses it, so such bodies get the same answers as before (a field error, not a parse error).

An endpoint marked ``@bulk`` runs, from its body's parse to its answer, with the cyclic
collector paused (``ledger.gcpause``): issuing 10,000 records builds a few hundred
thousand objects (the validated body, records, rows, the answer) that live until the
answer is sent; the collector's passes over them and the rest of the heap freed almost
nothing and cost about a fifth of the request's CPU (BENCHMARKS.md, issue 14).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from ledger.gcpause import collector_paused

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_BULK = "_credence_bulk"


def bulk(endpoint: Endpoint) -> Endpoint:
    """Mark a route's endpoint to run with the collector paused (see the module's doc)."""
    setattr(endpoint, _BULK, True)
    return endpoint


class OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = orjson.loads(body)
            except orjson.JSONDecodeError:
                self._json = json.loads(body)  # its own error for a broken body
        return self._json


class FastJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        paused = getattr(self.endpoint, _BULK, False)

        async def route(request: Request) -> Response:
            request = OrjsonRequest(request.scope, request.receive)
            if not paused:
                return await handler(request)
            with collector_paused():
                return await handler(request)

        return route
