"""Hostile input is refused before work: each request below gets a 4xx problem+json, the
service keeps answering, and nothing is written to the database or the chain."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

from api.guard import DEFAULT_MAX_BODY, too_deep
from api.scores.schemas import Applicant
from ledger.store.tables import ApiRequest, Batch, IssuedRecord

ADMIN = {"X-API-Key": "k-admin"}
ATTESTER = {"X-API-Key": "k-attester"}
MODEL = "0x" + "11" * 32


def _record(**overrides: object) -> dict[str, object]:
    return {"subject_id": "s-1", "score": 600, "grade": "B", "model_id": MODEL} | overrides


def _counts(engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return tuple(
            s.exec(select(func.count()).select_from(t)).one()
            for t in (IssuedRecord, Batch, ApiRequest)
        )


def _problem(response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        fields = [e["field"] for e in response.json().get("errors", [])]
        assert any(f == field or f.startswith(field + ".") for f in fields), fields


def _sent(runtime) -> list[int]:
    roles = ("admin", "attester", "relayer")
    return [runtime.w3.eth.get_transaction_count(runtime.keystore.signer(r).address) for r in roles]


@pytest.fixture
def untouched(app_client: TestClient, runtime):
    """Everything in the test leaves the database and the chain as they were."""
    before, sent = _counts(runtime.engine), _sent(runtime)
    yield
    assert _counts(runtime.engine) == before
    assert _sent(runtime) == sent  # no transaction from any service key
    assert app_client.get("/v1/health").status_code == 200  # still up


DEEP = b"[" * 100_000 + b"]" * 100_000


def test_deep_nesting_without_a_key_is_refused_unread(app_client, untouched):
    response = app_client.post("/v1/attestations", content=DEEP)
    _problem(response, 401, "X-API-Key")


@pytest.mark.parametrize("path", ["/v1/attestations", "/v1/scores", "/v1/verify"])
def test_deep_nesting_with_a_key_is_422_before_parsing(app_client, untouched, path):
    response = app_client.post(path, content=DEEP, headers=ATTESTER)
    _problem(response, 422, "body")
    assert "nested deeper" in response.json()["detail"]
    nested_in_string = b'{"records": "' + b"[" * 10_000 + b'"}'
    _problem(app_client.post(path, content=nested_in_string, headers=ATTESTER), 422)


def test_huge_bodies_are_413(app_client, untouched):
    huge = b" " * (DEFAULT_MAX_BODY + 1)
    _problem(app_client.post("/v1/attestations", content=huge, headers=ATTESTER), 413, "body")

    def chunks():  # no Content-Length: counted while reading
        for _ in range(DEFAULT_MAX_BODY // 1_000_000 + 2):
            yield b" " * 1_000_000

    _problem(app_client.post("/v1/attestations", content=chunks(), headers=ATTESTER), 413)


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (_record(expires_at=2**40), "records.0.expires_at"),
        (_record(expires_at=2**63), "records.0.expires_at"),
        (_record(expires_at=-1), "records.0.expires_at"),
        (_record(score=True), "records.0.score"),
        (_record(score="600"), "records.0.score"),
        (_record(score=600.5), "records.0.score"),
        (_record(pd_bps=False), "records.0.pd_bps"),
        (_record(valid_days=2**70), "records.0.valid_days"),
    ],
)
def test_out_of_range_and_wrong_types_in_records(app_client, untouched, record, field):
    headers = ATTESTER | {"Idempotency-Key": f"hostile-{field}-{record}"[:200]}
    response = app_client.post("/v1/attestations", json={"records": [record]}, headers=headers)
    _problem(response, 422, field)


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_numbers_are_not_numbers(app_client, untouched, token):
    body = b'{"records": [{"subject_id": "s", "score": ' + token + b', "grade": "B", '
    body += b'"model_id": "' + MODEL.encode() + b'"}]}'
    _problem(app_client.post("/v1/attestations", content=body, headers=ATTESTER), 422)
    scores = b'{"model_id": "' + MODEL.encode() + b'", "applicants": [{"subject_id": "a", '
    scores += b'"inputs": {"income": ' + token + b"}}]}"
    _problem(app_client.post("/v1/scores", content=scores, headers=ATTESTER), 422)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True])
def test_model_inputs_are_finite_numbers_text_or_null(value):
    # The JSON parser already refuses NaN; the schema refuses it from any other source.
    with pytest.raises(ValidationError):
        Applicant.model_validate({"subject_id": "a", "inputs": {"income": value}})


def test_booleans_are_not_model_inputs(app_client, untouched):
    body = {"model_id": MODEL, "applicants": [{"subject_id": "a", "inputs": {"x": True}}]}
    _problem(app_client.post("/v1/scores", json=body, headers=ATTESTER), 422, "applicants")


def test_delegated_deadline_beyond_uint256(app_client, untouched):
    body = {
        "commitment": "0x" + "22" * 32,
        "model_id": MODEL,
        "expires_at": 2_000_000_000,
        "signer": "0x" + "33" * 20,
        "deadline": 2**256,
        "signature": "0x" + "44" * 65,
    }
    response = app_client.post("/v1/attestations/delegated", json=body, headers=ATTESTER)
    _problem(response, 422, "deadline")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/attesters/1e23", None),
        ("GET", "/v1/attesters/99999999999999999999999", None),
        ("GET", "/v1/attesters/-1", None),
        ("POST", f"/v1/attesters/{2**32}/suspend", {"reason": 1}),
        ("POST", "/v1/attesters/-5/reinstate", None),
        ("POST", "/v1/attesters/1/suspend", {"reason": 2**16}),
        ("POST", "/v1/attesters/1/suspend", {"reason": True}),
    ],
)
def test_out_of_range_ids_and_codes(app_client, untouched, method, path, body):
    response = app_client.request(method, path, json=body, headers=ADMIN)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_unparseable_json_is_422(app_client, untouched):
    bad = b'{"records": [}'
    headers = ATTESTER | {"content-type": "application/json"}
    response = app_client.post("/v1/attestations", content=bad, headers=headers)
    _problem(response, 422, "body")  # the body's fault, not a field named "13"
    assert "not valid JSON" in response.json()["errors"][0]["reason"]
    for content_type in (None, "text/plain"):  # JSON under another type is not read as JSON
        headers = ATTESTER | ({"content-type": content_type} if content_type else {})
        response = app_client.post("/v1/attestations", content=b'{"records": []}', headers=headers)
        _problem(response, 422, "body")
        assert "Content-Type: application/json" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/attestations", "/v1/models", "/v1/investors"])
def test_bytes_that_are_not_utf8_are_422_naming_the_body(app_client, untouched, path):
    # FastAPI answered an undocumented bare 400 ("error parsing the body") with no field.
    for body in (b"\xa6", b'{"name": "\xff\xfe"}'):
        headers = ADMIN | {"content-type": "application/json"}
        response = app_client.post(path, content=body, headers=headers)
        _problem(response, 422, "body")
        assert "UTF-8" in response.json()["detail"]


def test_an_idempotency_key_too_long_is_422_naming_it(app_client, untouched):
    headers = ADMIN | {"Idempotency-Key": "k" * 201}
    body = {"name": "longkey", "kyc_expiry": 4_102_444_800, "jurisdiction": "GB"}
    _problem(app_client.post("/v1/investors", json=body, headers=headers), 422, "Idempotency-Key")


def test_depth_scan_matches_real_nesting():
    assert not too_deep(b'{"a": [[1, 2], {"b": "[[[[[[[[["}]}', 3)
    assert too_deep(b'{"a": [[[1]]]}', 3)
    assert not too_deep(b'"' + b"[" * 1000 + b'"', 3)
    assert too_deep(b'["\\"", [[[0]]]]', 3)  # an escaped quote does not end the string


def test_one_model_registered_by_concurrent_requests_is_a_409_for_the_losers(app_client):
    # Each estimate passed; all but one reverted when mined: a bare TxError, a 500 each.
    body = {
        "model_id": "0x" + "5e" * 32,
        "metadata_uri": "ipfs://model",
        "metrics": {
            "auc_bps": 8000,
            "ks_bps": 5000,
            "gini_bps": 6000,
            "psi_bps": 1,
            "sample_size": 9,
        },
    }
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: app_client.post("/v1/models", json=body, headers=ATTESTER), range(6))
        )
    assert sorted({a.status_code for a in answers}) in ([200, 409], [200]), [
        a.text for a in answers
    ]
    assert sum(a.status_code == 200 for a in answers) == 1
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        assert "ModelAlreadyRegistered" in refused.json()["detail"]


@pytest.mark.parametrize("deadline", [2**64, 2**255, 2**256 - 1])
def test_uint256_values_past_64_bits_are_read_exactly(app_client, untouched, deadline):
    # orjson read them as floats (2**255 -> 5.8e+76): a valid deadline refused as "not an
    # integer". Read exactly, it passes and the signature is what is refused.
    body = {
        "commitment": "0x" + "22" * 32,
        "model_id": MODEL,
        "expires_at": 2_000_000_000,
        "signer": "0x" + "33" * 20,
        "deadline": deadline,
        "signature": "0x" + "44" * 65,
    }
    response = app_client.post("/v1/attestations/delegated", json=body, headers=ATTESTER)
    assert 400 <= response.status_code < 500, response.text
    fields = [e["field"] for e in response.json().get("errors", [])]
    assert "deadline" not in fields, response.text


def test_batch_verification_reads_big_integers_as_the_single_endpoint_does(app_client):
    # orjson reads 2**64 and up as a float; the batch must keep them exact, as json does
    fixture = Path(__file__).parents[1] / "fixtures" / "disclosures" / "valid_single.json"
    for value in (2**70, -(2**70)):
        disclosure = {**json.loads(fixture.read_text()), "version": value}
        single = app_client.post("/v1/verify", json=disclosure, headers=ATTESTER)
        batch = app_client.post(
            "/v1/verify/batch", json={"disclosures": [disclosure]}, headers=ATTESTER
        )
        assert single.status_code == 422 and batch.status_code == 200, batch.text
        assert str(value) in single.json()["detail"]
        assert batch.json()["results"][0]["reasons"] == [single.json()["detail"]]
