"""Idempotency-Key support for API writes.

The key is claimed (a row inserted) before the work starts: a concurrent duplicate gets
409, a completed one gets the stored response replayed verbatim, and a failed attempt
releases the key so that the client can retry. Reusing a key for a different request
body is refused.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.errors import ApiError
from ledger.store.tables import ApiRequest

IN_PROGRESS = 0


def fingerprint(method: str, path: str, body: Any) -> str:
    # orjson walks plain dicts and lists itself; only other types go to jsonable_encoder.
    value = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    blob = orjson.dumps(
        [method, path, value], option=orjson.OPT_SORT_KEYS, default=jsonable_encoder
    )
    return hashlib.sha256(blob).hexdigest()


def plain(value: Any) -> Any:
    """JSON types; pydantic models through their own (compiled) serialiser, which takes
    milliseconds where ``jsonable_encoder`` takes a second for 10,000 issued records."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return jsonable_encoder(value)


def _respond(body: Any, status: int) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _claim(engine: Engine, key: str, fp: str) -> ApiRequest | None:
    """Claim ``key``; returns the earlier request if there was one."""
    with Session(engine) as session:
        session.add(
            ApiRequest(
                key=key,
                fingerprint=fp,
                status_code=IN_PROGRESS,
                response="",
                created_at=int(time.time()),
            )
        )
        try:
            session.commit()
            return None
        except IntegrityError:
            session.rollback()
            return session.get(ApiRequest, key)


def run_once(
    engine: Engine, key: str | None, fp: str, status: int, work: Callable[[], Any]
) -> Response:
    """Run ``work`` at most once per idempotency ``key``, replaying its response after."""
    if not key:
        return _respond(plain(work()), status)
    if len(key) > 200:
        raise ApiError(400, "must be at most 200 characters", field="Idempotency-Key")
    earlier = _claim(engine, key, fp)
    if earlier is not None:
        if earlier.fingerprint != fp:
            raise ApiError(
                409, "this key was used for a different request", field="Idempotency-Key"
            )
        if earlier.status_code == IN_PROGRESS:
            raise ApiError(
                409, "a request with this key is still in progress", field="Idempotency-Key"
            )
        return Response(earlier.response, earlier.status_code, media_type="application/json")
    try:
        body = plain(work())
    except BaseException:
        with Session(engine) as session:
            row = session.get(ApiRequest, key)
            if row is not None:
                session.delete(row)
                session.commit()
        raise
    with Session(engine) as session:
        row = session.get(ApiRequest, key)
        assert row is not None
        row.status_code, row.response = status, orjson.dumps(body).decode()
        session.commit()
    return _respond(body, status)
