"""Every error leaves as an RFC 9457 problem body naming the field and the reason."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.reverts import explain
from ledger.tx import ContractRevert

PROBLEM = "application/problem+json"
log = logging.getLogger("credence.api")


class FieldProblem(BaseModel):
    field: str
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem body, served as ``application/problem+json``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """The schema with its local ``#/$defs/...`` references replaced by their definitions
    (a response schema outside ``components`` cannot point at ``$defs``; ReDoc refuses it)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


_PROBLEM_SCHEMA = Problem.model_json_schema()
PROBLEM_SCHEMA = _inline(_PROBLEM_SCHEMA, _PROBLEM_SCHEMA.get("$defs", {}))


def _documented(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}}


# Documented on every route (the guard answers 401 and 413 before any route runs).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("missing or unknown X-API-Key"),
    403: _documented("the key's role may not do this"),
    404: _documented("no such resource (or not indexed yet)"),
    409: _documented("refused in the current state (a contract revert, an idempotency clash)"),
    413: _documented("request body too large"),
    422: _documented("invalid request: each error names the field and the reason"),
    500: _documented("an unexpected failure (logged with the request id; never a trace)"),
}


class ApiError(Exception):
    """Raise from a route: ``ApiError(404, "attestation not found", field="commitment")``."""

    def __init__(self, status: int, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field


def problem(status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None):
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _reason(error: dict[str, Any]) -> dict[str, str]:
    """A validation error as field and reason; a body that is not JSON at all is the body's
    fault (FastAPI locates it as ``("body", offset)``, which would read as a field "17")."""
    if error["type"] == "json_invalid":
        where = error["loc"][1] if len(error["loc"]) > 1 else 0
        cause = error.get("ctx", {}).get("error", "malformed")
        return {"field": "body", "reason": f"not valid JSON: {cause} (at byte {where})"}
    if tuple(error["loc"]) == ("body",) and isinstance(error.get("input"), bytes):
        # FastAPI parses JSON only under a JSON content type; else the model gets raw bytes.
        return {"field": "body", "reason": "not read as JSON: send Content-Type: application/json"}
    return {"field": _field(tuple(error["loc"])), "reason": error["msg"]}


def _unparsed(exc: StarletteHTTPException) -> dict[str, str] | None:
    """The field and reason when FastAPI could not even decode the body: it answers a bare
    400 for any parser failure other than a JSON syntax error (bytes that are not UTF-8)."""
    cause = exc.__cause__
    if exc.status_code != 400 or cause is None:
        return None
    if isinstance(cause, UnicodeDecodeError):
        return {"field": "body", "reason": f"not UTF-8 text (invalid byte at {cause.start})"}
    return {"field": "body", "reason": f"could not be parsed ({type(cause).__name__})"}


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_reason(e) for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return problem(422, "Invalid request", detail, errors)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        errors = [{"field": exc.field, "reason": exc.detail}] if exc.field else None
        titles = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found"}
        return problem(exc.status, titles.get(exc.status, "Request failed"), exc.detail, errors)

    @app.exception_handler(ContractRevert)
    async def _revert(_: Request, exc: ContractRevert) -> JSONResponse:
        # Routes map the reverts they expect; any other (one mined after a concurrent
        # request changed the state) is still a refusal in the current state, not a 500.
        return problem(409, "Refused on chain", f"the contract refused: {explain(exc.error)}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if (error := _unparsed(exc)) is not None:
            detail = f"{error['field']}: {error['reason']}"
            return problem(422, "Invalid request", detail, [error])
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The last resort, not the fix: every known bad input has its own 4xx. The trace
        # goes to the log (with the request id), never to the client.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(500, "Internal error", "the service failed; the error was logged")
