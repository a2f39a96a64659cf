"""The batch verify endpoint's body, read by the route itself rather than by FastAPI.

FastAPI would parse the 22 MB of 10,000 disclosures with ``json.loads`` on the event loop
and then validate the list; here orjson parses it in the request's worker thread (with
the standard library for what orjson refuses or reads inexactly, such as integers beyond
64 bits, so such bodies get the same answers as the single endpoint), and the shape of
``BatchVerifyRequest`` is checked by hand, naming the field at fault as FastAPI would.

Two formats: ``application/json`` (``{"disclosures": [...]}``) and
``application/x-ndjson`` (one disclosure a line, blank lines ignored).
"""

from __future__ import annotations

from typing import Any

from api.errors import ApiError
from api.fastjson import loads_exact
from api.verify.schemas import MAX_BATCH_VERIFY

NDJSON = "application/x-ndjson"


def _loads(text: bytes, field: str) -> Any:
    try:
        return loads_exact(text)
    except (ValueError, RecursionError) as exc:
        raise ApiError(422, f"not valid JSON: {exc}", field=field) from None


def _json_disclosures(body: bytes) -> Any:
    parsed = _loads(body, "body")
    if not isinstance(parsed, dict):
        raise ApiError(422, "the body must be a JSON object with disclosures", field="body")
    for key in parsed:
        if key != "disclosures":
            raise ApiError(422, "extra field not permitted", field=str(key))
    if "disclosures" not in parsed:
        raise ApiError(422, "field required", field="disclosures")
    disclosures = parsed["disclosures"]
    if not isinstance(disclosures, list):
        raise ApiError(422, "must be a list of disclosures", field="disclosures")
    return disclosures


def _ndjson_disclosures(body: bytes) -> list[Any]:
    lines = [line for line in body.split(b"\n") if line.strip()]
    if len(lines) > MAX_BATCH_VERIFY:  # before parsing them
        _too_many(len(lines))
    return [_loads(line, f"disclosures.{i}") for i, line in enumerate(lines)]


def _too_many(count: int) -> None:
    raise ApiError(
        422, f"at most {MAX_BATCH_VERIFY} disclosures in one call, got {count}", field="disclosures"
    )


def read_batch(body: bytes, content_type: str | None) -> list[Any]:
    """The disclosures of a batch verify body, or ``ApiError(422)`` naming the field."""
    ndjson = (content_type or "").split(";")[0].strip().lower() == NDJSON
    disclosures = _ndjson_disclosures(body) if ndjson else _json_disclosures(body)
    if not disclosures:
        raise ApiError(422, "at least one disclosure is needed", field="disclosures")
    if len(disclosures) > MAX_BATCH_VERIFY:
        _too_many(len(disclosures))
    return disclosures
