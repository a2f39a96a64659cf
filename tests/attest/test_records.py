"""Score records: commitments, selective disclosure, validation, JSON."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.attest.fields import FIELD_NAMES, RecordError
from ledger.attest.records import (
    LEAF_ENCODING,
    Pseudonyms,
    ScoreRecord,
    SealedRecord,
    commitment,
    field_leaf,
    pseudonym,
    seal,
    seal_many,
)
from ledger.merkle import standard_leaf

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "tests" / "js" / "oz_merkle.mjs"

RECORD = ScoreRecord(
    subject="0x" + "5a" * 32,
    score=712,
    grade="BB+",
    model_id=bytes.fromhex("c0ffee00" * 8),
    issued_at=1_700_000_000,
    expires_at=1_731_536_000,
    attester=7,
    pd_bps=250,
    reasons=("DTI_HIGH", "LATE_PAYMENT"),
    strategy=bytes.fromhex("5eed" * 16),
    decision="refer",
    reason_texts=("Debt to income: 45% or more", "Late payment: in the last year"),
)
# The canonical texts docs/records.md specifies for RECORD, spelled out by hand.
CANONICAL = [
    ("subject", "0x" + "5a" * 32),
    ("score", "712"),
    ("grade", "BB+"),
    ("model_id", "0x" + "c0ffee00" * 8),
    ("issued_at", "1700000000"),
    ("expires_at", "1731536000"),
    ("attester", "7"),
    ("pd_bps", "250"),
    ("reasons", "DTI_HIGH,LATE_PAYMENT"),
    ("strategy", "0x" + "5eed" * 16),
    ("decision", "refer"),
    ("reason_texts", "Debt to income: 45% or more\nLate payment: in the last year"),
]
SALTS = {name: bytes([i + 1]) * 32 for i, name in enumerate(FIELD_NAMES)}
# Roots printed by @openzeppelin/merkle-tree for CANONICAL with SALTS (all twelve fields /
# the first nine, the record of docs/records.md / the seven required ones), via
# tests/js/oz_merkle.mjs.
KNOWN_ROOT = "d5287e60eebb6cbbb0fc670e6b61ea04c2c9903fca2078dde9727145afbc5033"
KNOWN_ROOT_NINE = "82eb7c869b80eb930d717320ad6a9baee7b2013dfb958cb1128885b7831be923"
KNOWN_ROOT_REQUIRED_ONLY = "e3f9f6ca367085f7fcdee4bd9aceb015be0e6f26a1a3b287d6e61d67e794b798"


def oz(payload: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        ["node", str(ORACLE)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def oz_root(values: list[list[str]]) -> str:
    return oz({"encoding": list(LEAF_ENCODING), "values": values})["root"][2:]


def test_commitment_is_stable_and_matches_openzeppelin() -> None:
    assert RECORD.canonical() == CANONICAL
    sealed = seal(RECORD, SALTS)
    assert sealed.commitment.hex() == KNOWN_ROOT
    assert oz_root([[n, v, "0x" + SALTS[n].hex()] for n, v in CANONICAL]) == KNOWN_ROOT

    # The optional strategy fields added later leave older records' commitments as they were.
    nine = replace(RECORD, strategy=None, decision=None, reason_texts=None)
    assert seal(nine, {n: SALTS[n] for n in FIELD_NAMES[:9]}).commitment.hex() == KNOWN_ROOT_NINE
    required = replace(nine, pd_bps=None, reasons=None)
    salts = {n: SALTS[n] for n in FIELD_NAMES[:7]}
    assert seal(required, salts).commitment.hex() == KNOWN_ROOT_REQUIRED_ONLY


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(FIELD_NAMES),
    value=st.text(max_size=700),
    salt=st.binary(min_size=32, max_size=32),
)
def test_hand_encoded_leaf_equals_the_abi_leaf(name: str, value: str, salt: bytes) -> None:
    assert field_leaf(name, value, salt) == standard_leaf(LEAF_ENCODING, [name, value, salt])


def test_seal_many_equals_seal_one_by_one() -> None:
    records = [replace(RECORD, score=s, pd_bps=s % 7 or None) for s in range(0, 1000, 37)]
    records.append(replace(RECORD, reasons=()))
    sealed = seal_many(records)
    assert [s.record for s in sealed] == records
    for s in sealed:
        assert seal(s.record, s.salts) == s
        assert commitment(s) == s.commitment
        assert set(s.salts) == {name for name, _ in s.record.canonical()}
    salts = [salt for s in sealed for salt in s.salts.values()]
    assert len(set(salts)) == len(salts)  # fresh randomness for every field
    assert len({s.commitment for s in seal_many([RECORD, RECORD])}) == 2


def test_empty_reasons_are_a_present_field() -> None:
    sealed = seal(replace(RECORD, reasons=[]))
    assert sealed.record.reasons == ()
    assert dict(sealed.record.canonical())["reasons"] == ""


def test_sealed_record_json_round_trip_and_checks() -> None:
    sealed = seal(RECORD)
    assert SealedRecord.from_json(sealed.to_json()) == sealed
    data = json.loads(sealed.to_json())
    assert data["fields"]["model_id"] == "0x" + "c0ffee00" * 8
    assert data["fields"]["reasons"] == ["DTI_HIGH", "LATE_PAYMENT"]

    cases = [
        ({**data, "commitment": "0x" + "00" * 32}, "commitment", "does not match"),
        ({**data, "salts": {**data["salts"], "score": "0x01"}}, "salts.score", "64 hex"),
        ({**data, "salts": {**data["salts"], "ssn": "0x" + "00" * 32}}, "salts.ssn", "no field"),
        ({**data, "fields": {**data["fields"], "score": "712"}}, "score", "integer"),
        ({**data, "fields": {**data["fields"], "ssn": "1"}}, "ssn", "not a field"),
        ({**data, "fields": None}, "record", "JSON object"),
    ]
    for bad, field, reason in cases:
        with pytest.raises(RecordError, match=reason) as err:
            SealedRecord.from_dict(bad)
        assert err.value.field == field
    without_score = {k: v for k, v in data["salts"].items() if k != "score"}
    with pytest.raises(RecordError, match="must be 32 bytes") as err:
        SealedRecord.from_dict({**data, "salts": without_score})
    assert err.value.field == "salts.score"


BAD_RECORDS = [
    ({"score": 1001}, "score", "between 0 and 1000"),
    ({"score": -1}, "score", "between 0 and 1000"),
    ({"score": True}, "score", "integer"),
    ({"score": 700.0}, "score", "integer"),
    ({"grade": ""}, "grade", "1 to 16"),
    ({"grade": "A A"}, "grade", "1 to 16"),
    ({"subject": "alice@example.com"}, "subject", "64 hex"),
    ({"model_id": b"\1" * 31}, "model_id", "32 bytes"),
    ({"model_id": "0x1234"}, "model_id", "64 hex"),
    ({"issued_at": -5}, "issued_at", "between"),
    ({"expires_at": 1_700_000_000}, "expires_at", "after issued_at"),
    ({"attester": 2**32}, "attester", "between 0 and 4294967295"),
    ({"pd_bps": 10_001}, "pd_bps", "between 0 and 10000"),
    ({"reasons": "DTI_HIGH"}, "reasons", "list of reason codes"),
    ({"reasons": ["a,b"]}, "reasons", "code 'a,b'"),
    ({"reasons": ["R"] * 17}, "reasons", "at most 16"),
    ({"grade": None}, "grade", "is required"),
]


@pytest.mark.parametrize(("change", "field", "reason"), BAD_RECORDS)
def test_validation_errors_name_the_field(change: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(RecordError, match=reason) as err:
        replace(RECORD, **change)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


def test_inputs_are_normalised() -> None:
    record = replace(RECORD, subject=RECORD.subject.upper().replace("0X", "0x"), reasons=["A"])
    assert record.subject == RECORD.subject
    assert record.reasons == ("A",)
    assert replace(RECORD, model_id="0x" + "C0FFEE00" * 8).model_id == RECORD.model_id


def test_record_dict_round_trip() -> None:
    assert ScoreRecord.from_dict(RECORD.to_dict()) == RECORD
    minimal = replace(RECORD, pd_bps=None, reasons=None)
    assert "pd_bps" not in minimal.to_dict()
    assert ScoreRecord.from_dict(minimal.to_dict()) == minimal


def test_pseudonym_is_a_keyed_hmac() -> None:
    secret = b"institution-secret-key-32-bytes!"
    alias = pseudonym(secret, "customer-0042")
    expected = hmac.new(secret, b"customer-0042", hashlib.sha256).hexdigest()
    assert alias == "0x" + expected
    assert pseudonym(secret, "customer-0042") == alias
    assert pseudonym(b"another-institution-secret-key!!", "customer-0042") != alias
    assert replace(RECORD, subject=alias).subject == alias
    with pytest.raises(RecordError, match="at least 16 bytes") as err:
        pseudonym(b"short", "customer-0042")
    assert err.value.field == "secret"
    with pytest.raises(RecordError) as err:
        pseudonym(secret, "")
    assert err.value.field == "subject_id"
    keyed = Pseudonyms(secret)  # the issuing path's: keyed once, the same pseudonyms
    assert keyed("customer-0042") == alias and keyed("customer-0042") == alias
    assert keyed("customer-0043") == pseudonym(secret, "customer-0043")
