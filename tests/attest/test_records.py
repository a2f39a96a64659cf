"""Score records: commitments, selective disclosure, validation, JSON."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.attest.records import (
    FIELD_NAMES,
    LEAF_ENCODING,
    Disclosure,
    DisclosureError,
    RecordError,
    ScoreRecord,
    SealedRecord,
    commitment,
    disclose,
    field_leaf,
    pseudonym,
    seal,
    seal_many,
    verify_disclosure,
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


def test_every_subset_of_fields_discloses_and_verifies() -> None:
    sealed = seal(RECORD)
    for k in range(1, len(FIELD_NAMES) + 1):
        for subset in itertools.combinations(FIELD_NAMES, k):
            disclosure = disclose(sealed, subset)
            assert [f.name for f in disclosure.fields] == list(subset)
            assert verify_disclosure(disclosure) == sealed.commitment
            again = Disclosure.from_json(disclosure.to_json())
            assert again == disclosure and verify_disclosure(again) == sealed.commitment


def test_openzeppelin_verifies_each_disclosed_field() -> None:
    disclosure = disclose(seal(RECORD), FIELD_NAMES).to_dict()
    root = disclosure["commitment"]
    checks = [
        {"root": root, "value": [f["name"], f["value"], f["salt"]], "proof": f["proof"]}
        for f in disclosure["fields"]
    ]
    forged = {**checks[1], "value": ["score", "999", checks[1]["value"][2]]}
    result = oz({"encoding": list(LEAF_ENCODING), "verify": [*checks, forged]})
    assert result["verified"] == [True] * len(FIELD_NAMES) + [False]


def test_disclosed_values_read_back_typed() -> None:
    disclosure = disclose(seal(RECORD), ["score", "model_id", "reasons", "grade"])
    assert disclosure.values() == {
        "score": 712,
        "grade": "BB+",
        "model_id": RECORD.model_id,
        "reasons": ("DTI_HIGH", "LATE_PAYMENT"),
    }
    assert disclosure.shown()["score"] == "712"


def tamper(disclosure: Disclosure, target: str, **changes: Any) -> Disclosure:
    fields = tuple(replace(f, **changes) if f.name == target else f for f in disclosure.fields)
    return replace(disclosure, fields=fields)


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_altering_a_shown_value_salt_or_proof_fails_naming_the_field(name: str) -> None:
    sealed = seal(RECORD)
    disclosure = disclose(sealed, [name, "score" if name != "score" else "grade"])
    shown = next(f for f in disclosure.fields if f.name == name)
    new_value = {
        "subject": "0x" + "5b" * 32,
        "score": "713",
        "grade": "AAA",
        "model_id": "0x" + "00" * 32,
        "issued_at": "1700000001",
        "expires_at": "1731536001",
        "attester": "8",
        "pd_bps": "251",
        "reasons": "DTI_HIGH",
        "strategy": "0x" + "00" * 32,
        "decision": "approve",
        "reason_texts": "Debt to income: 45% or more",
    }[name]
    flipped_salt = shown.salt[:-1] + bytes([shown.salt[-1] ^ 1])
    sibling = shown.proof[0]
    bad_proofs = [
        shown.proof[:-1],
        (*shown.proof, sibling),
        (sibling[:-1] + bytes([sibling[-1] ^ 1]), *shown.proof[1:]),
    ]
    cases = [{"value": new_value}, {"salt": flipped_salt}] + [{"proof": p} for p in bad_proofs]
    for change in cases:
        with pytest.raises(DisclosureError, match="does not match the commitment") as err:
            verify_disclosure(tamper(disclosure, name, **change))
        assert err.value.field == name
    with pytest.raises(DisclosureError) as err:
        verify_disclosure(replace(disclosure, commitment=sealed.commitment[::-1]))
    assert err.value.field in FIELD_NAMES


def test_malformed_disclosures_get_clear_errors() -> None:
    disclosure = disclose(seal(RECORD), ["score", "pd_bps"])
    cases = [
        (tamper(disclosure, "score", value="0712"), "score", "without sign or leading zeros"),
        (tamper(disclosure, "pd_bps", value="10001"), "pd_bps", "between 0 and 10000"),
        (tamper(disclosure, "score", name="rating"), "rating", "not a field"),
        (tamper(disclosure, "score", salt=b"\0" * 31), "score", "salt must be 32 bytes"),
        (replace(disclosure, fields=disclosure.fields * 2), "score", "shown twice"),
        (replace(disclosure, fields=()), "fields", "no field is shown"),
    ]
    for bad, field, reason in cases:
        with pytest.raises(DisclosureError, match=reason) as err:
            verify_disclosure(bad)
        assert err.value.field == field


def test_disclosure_json_errors_name_the_path() -> None:
    good = disclose(seal(RECORD), ["score"]).to_dict()
    item = good["fields"][0]
    cases = [
        ("[", "disclosure", "not valid JSON"),
        (json.dumps({**good, "commitment": "0x12"}), "commitment", "64 hex digits"),
        (json.dumps({**good, "fields": {}}), "fields", "must be a list"),
        (json.dumps({**good, "fields": [{**item, "salt": 5}]}), "fields[0].salt", "64 hex"),
        (json.dumps({**good, "fields": [{**item, "proof": ["0x"]}]}), "fields[0].proof[0]", "hex"),
        (json.dumps({**good, "fields": [{**item, "value": 712}]}), "fields[0].value", "string"),
    ]
    for text, field, reason in cases:
        with pytest.raises(DisclosureError, match=reason) as err:
            Disclosure.from_json(text)
        assert err.value.field == field


def test_hidden_fields_leave_no_trace_in_the_disclosure() -> None:
    sealed = seal(RECORD)
    text = disclose(sealed, ["score", "grade"]).to_json()
    hidden = [n for n in FIELD_NAMES if n not in ("score", "grade")]
    for name in hidden:
        assert sealed.salts[name].hex() not in text
        assert f'"{name}"' not in text
    for secret in ("5a" * 32, "c0ffee00" * 8, "1700000000", "1731536000", "DTI_HIGH", '"250"'):
        assert secret not in text
    assert json.loads(text)["fields"][0].keys() == {"name", "value", "salt", "proof"}


def test_disclose_rejects_fields_the_record_lacks() -> None:
    sealed = seal(replace(RECORD, pd_bps=None))
    with pytest.raises(RecordError, match="is not present") as err:
        disclose(sealed, ["score", "pd_bps"])
    assert err.value.field == "pd_bps"
    with pytest.raises(RecordError, match="not a field") as err:
        disclose(sealed, ["ssn"])
    assert err.value.field == "ssn"
    with pytest.raises(RecordError, match="at least one"):
        disclose(sealed, [])
    assert [f.name for f in disclose(sealed, "score").fields] == ["score"]


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
    assert disclose(sealed, ["reasons"]).values() == {"reasons": ()}


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
