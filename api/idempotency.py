"""Idempotency-Key support for API writes.

The key is claimed (a row inserted) before the work starts, under a lease. A duplicate
while the lease runs gets 409; once the lease has expired (the process handling it died)
the next retry takes the key over and runs the work again, which for issuance finds the
records the first attempt stored and answers with them. A completed request's response is
replayed verbatim. A failed attempt that left nothing behind releases the key; one that
did (``kept`` says so: records accepted, anchoring pending) keeps it, lease expired, so
the retry resumes it at once. Reusing a key for a different request body is refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import orjson
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.errors import ApiError
from ledger.store.tables import ApiRequest
from ledger.tx import request_transactions

IN_PROGRESS = 0
DEFAULT_LEASE_S = 120
REQUESTS = ApiRequest.__table__  # type: ignore[attr-defined]


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """JSON bytes by orjson, which walks plain dicts and lists itself (other types go to
    ``jsonable_encoder``); by the standard library for what orjson refuses: integers past
    64 bits, which uint256 amounts may be. The same value always takes the same path."""
    try:
        option = orjson.OPT_SORT_KEYS if sort_keys else None
        return orjson.dumps(value, option=option, default=jsonable_encoder)
    except TypeError:  # orjson.JSONEncodeError
        text = json.dumps(
            value,
            sort_keys=sort_keys,
            separators=(",", ":"),
            ensure_ascii=False,
            default=jsonable_encoder,
        )
        return text.encode()


def fingerprint(method: str, path: str, body: Any) -> str:
    value = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return hashlib.sha256(dumps([method, path, value], sort_keys=True)).hexdigest()


class Plain(dict):
    """A response body a handler built of JSON types only (its hot path): sent as it is."""


def plain(value: Any) -> Any:
    """JSON types; pydantic models through their own (compiled) serialiser, which takes
    milliseconds where ``jsonable_encoder`` takes a second for 10,000 issued records."""
    if isinstance(value, Plain):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return jsonable_encoder(value)


def _respond(body: Any, status: int) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def claim(engine: Engine, key: str, fp: str, lease_s: int) -> ApiRequest | None:
    """Claim ``key``; returns the earlier request if there was one."""
    while True:
        now = int(time.time())
        with Session(engine) as session:
            session.add(
                ApiRequest(
                    key=key,
                    fingerprint=fp,
                    status_code=IN_PROGRESS,
                    response="",
                    created_at=now,
                    lease_until=now + lease_s,
                )
            )
            try:
                session.commit()
                return None
            except IntegrityError:
                session.rollback()
                earlier = session.get(ApiRequest, key)
            if earlier is not None:
                return earlier
            # The holder failed and released the key between our insert and our read:
            # claim it again rather than run unclaimed (two runs, a lost answer).


def _take_over(engine: Engine, earlier: ApiRequest, lease_s: int) -> bool:
    """Renew an expired lease; False if another retry renewed it first."""
    with engine.begin() as conn:
        taken = conn.execute(
            update(REQUESTS)
            .where(
                REQUESTS.c.key == earlier.key,
                REQUESTS.c.status_code == IN_PROGRESS,
                REQUESTS.c.lease_until == earlier.lease_until,
            )
            .values(lease_until=int(time.time()) + lease_s)
        )
        return taken.rowcount == 1


def _settle_failure(engine: Engine, key: str, keep: bool) -> None:
    with engine.begin() as conn:
        if keep:
            conn.execute(update(REQUESTS).where(REQUESTS.c.key == key).values(lease_until=0))
        else:
            conn.execute(delete(REQUESTS).where(REQUESTS.c.key == key))


def run_once(
    engine: Engine,
    key: str | None,
    fp: str,
    status: int,
    work: Callable[[], Any],
    *,
    lease_s: int = DEFAULT_LEASE_S,
    kept: Callable[[], bool] = lambda: False,
) -> Response:
    """Run ``work`` at most once per idempotency ``key``, replaying its response after."""
    if not key:
        return _respond(plain(work()), status)
    if len(key) > 200:
        raise ApiError(422, "must be at most 200 characters", field="Idempotency-Key")
    earlier = claim(engine, key, fp, lease_s)
    if earlier is not None:
        if earlier.fingerprint != fp:
            raise ApiError(
                409, "this key was used for a different request", field="Idempotency-Key"
            )
        if earlier.status_code != IN_PROGRESS:
            return Response(earlier.response, earlier.status_code, media_type="application/json")
        if earlier.lease_until > time.time() or not _take_over(engine, earlier, lease_s):
            raise ApiError(
                409, "a request with this key is still in progress", field="Idempotency-Key"
            )
    try:
        with request_transactions(f"request:{fp[:24]}:{key}"):
            body = plain(work())
    except BaseException:
        _settle_failure(engine, key, kept())
        raise
    with Session(engine) as session:
        row = session.get(ApiRequest, key)
        assert row is not None
        row.status_code, row.response = status, dumps(body).decode()
        session.commit()
    return _respond(body, status)
