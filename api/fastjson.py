"""Routes whose JSON bodies are parsed by orjson (large issuing and verifying requests).

FastAPI parses a body with ``Request.json`` (the standard library's parser) before
validating it; for a request of 10,000 records that parse was about a third of the event
loop's time. orjson gives the same Python values several times faster. Where it refuses
a body the standard library takes (NaN), the standard library parses it, so such bodies
get the same answers as before (a field error, not a parse error). orjson does not refuse
an integer of 2**64 or more: it returns a float (2**255 becomes 5.8e+76, which a uint256
field then refuses as "not an integer"), so a body holding a number token of 20 digits
or more goes to the standard library, which keeps it exact.

An endpoint marked ``@bulk`` runs, from its body's parse to its answer, with the cyclic
collector paused (``ledger.gcpause``): issuing 10,000 records builds a few hundred
thousand objects (the validated body, records, rows, the answer) that live until the
answer is sent; the collector's passes over them and the rest of the heap freed almost
nothing and cost about a fifth of the request's CPU (BENCHMARKS.md, issue 14).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from ledger.gcpause import collector_paused

# 20 digits in a row: every integer from 2**64 up has them. A run inside a string (or a
# long fraction) matches too and only costs the faster parser; the scan takes about
# 0.4 ms for 10,000 records (1.5 MB), a tenth of orjson's parse.
_BIG_NUMBER = re.compile(rb"\d{20}")

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
            self._json = loads_exact(body)
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


def loads_exact(body: bytes) -> Any:
    """orjson's values, exact for big integers; a broken body raises ``json``'s ValueError."""
    if _BIG_NUMBER.search(body):
        return json.loads(body)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)  # its own error for a broken body
