"""Disclosures, version 1 (docs/disclosure.md): making them, and every offline refusal."""

from __future__ import annotations

import copy
import itertools
from dataclasses import replace
from typing import Any

import pytest

from ledger.attest.disclosure import (
    Batch,
    RecordFile,
    disclose,
    read_disclosure,
    read_disclosure_json,
)
from ledger.attest.fields import FIELD_NAMES, DisclosureError, RecordError
from ledger.attest.records import LEAF_ENCODING, ScoreRecord, seal
from ledger.merkle import MerkleTree, bytes32_leaf
from tests.attest.test_records import RECORD, oz

CHAIN, REGISTRY = 31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3"


def shown(fields: list[str] | tuple[str, ...], record: ScoreRecord = RECORD) -> dict[str, Any]:
    return disclose(seal(record), fields, CHAIN, REGISTRY).to_dict()


def test_every_subset_discloses_with_the_attester_and_reads_back() -> None:
    sealed = seal(RECORD)
    for k in range(1, len(FIELD_NAMES) + 1):
        for subset in itertools.combinations(FIELD_NAMES, k):
            made = disclose(sealed, subset, CHAIN, REGISTRY)
            expected = [n for n in FIELD_NAMES if n in subset or n == "attester"]
            assert [f.name for f in made.fields] == expected
            assert read_disclosure_json(made.to_json()) == made
            assert made.attester == 7


def test_openzeppelin_verifies_each_disclosed_field() -> None:
    doc = shown(FIELD_NAMES)
    checks = [
        {
            "root": doc["commitment"],
            "value": [f["name"], f["value"], f["salt"]],
            "proof": f["proof"],
        }
        for f in doc["fields"]
    ]
    forged = {**checks[1], "value": ["score", "999", checks[1]["value"][2]]}
    result = oz({"encoding": list(LEAF_ENCODING), "verify": [*checks, forged]})
    assert result["verified"] == [True] * len(FIELD_NAMES) + [False]


def test_hidden_fields_leave_no_trace() -> None:
    sealed = seal(RECORD)
    text = disclose(sealed, ["score", "grade"], CHAIN, REGISTRY).to_json()
    for name in ("subject", "model_id", "issued_at", "expires_at", "pd_bps", "reasons"):
        assert sealed.salts[name].hex() not in text and f'"{name}"' not in text
    for secret in ("5a" * 32, "c0ffee00" * 8, "1700000000", "1731536000", "DTI_HIGH", '"250"'):
        assert secret not in text


def test_disclose_refuses_fields_the_record_lacks() -> None:
    sealed = seal(replace(RECORD, pd_bps=None))
    for fields, field, reason in [
        (["pd_bps"], "pd_bps", "not present"),
        (["ssn"], "ssn", "not a field"),
        ([], "fields", "at least one"),
    ]:
        with pytest.raises(RecordError, match=reason) as err:
            disclose(sealed, fields, CHAIN, REGISTRY)
        assert err.value.field == field


def _edit(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    target: Any = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


GOOD = shown(["score", "grade", "pd_bps"])
SCORE = next(i for i, f in enumerate(GOOD["fields"]) if f["name"] == "score")
ATTESTER = next(i for i, f in enumerate(GOOD["fields"]) if f["name"] == "attester")
REFUSALS = [
    ("version", 2, "version", "unknown version"),
    ("version", "1", "version", "unknown version"),
    ("version", KeyError, "version", "is required"),
    ("chain_id", 0, "chain_id", "integer"),
    ("chain_id", "31337", "chain_id", "integer"),
    ("registry", REGISTRY.upper().replace("0X", "0x"), "registry", "lowercase"),
    ("registry", "0x1234", "registry", "40 lowercase"),
    ("commitment", GOOD["commitment"].upper().replace("0X", "0x"), "commitment", "lowercase"),
    ("fields", [], "fields", "non-empty"),
    ("extra", 1, "extra", "extra keys are refused"),
    (f"fields.{SCORE}.note", "x", f"fields[{SCORE}].note", "extra keys"),
    (f"fields.{SCORE}.value", "713", f"fields[{SCORE}]", "does not match the commitment"),
    (f"fields.{SCORE}.value", "0712", f"fields[{SCORE}].score", "leading zeros"),
    (f"fields.{SCORE}.value", 712, f"fields[{SCORE}].score", "must be a string"),
    (f"fields.{SCORE}.name", "rating", f"fields[{SCORE}].rating", "not a field"),
    (f"fields.{SCORE}.salt", "0x" + "00" * 32, f"fields[{SCORE}]", "does not match"),
    (f"fields.{SCORE}.proof", [], f"fields[{SCORE}]", "does not match"),
    (f"fields.{SCORE}.proof", ["0x12"], f"fields[{SCORE}].proof[0]", "64 lowercase"),
    (f"fields.{ATTESTER}", KeyError, "fields", "must show the attester"),
    ("batch", {"root": "0x" + "11" * 32}, "batch.proof", "is required"),
]


@pytest.mark.parametrize(("path", "value", "field", "reason"), REFUSALS)
def test_refusals_name_the_field(path: str, value: Any, field: str, reason: str) -> None:
    with pytest.raises(DisclosureError, match=reason) as err:
        read_disclosure(_edit(GOOD, path, value))
    assert err.value.field == field


def test_a_field_shown_twice_is_refused() -> None:
    doc = copy.deepcopy(GOOD)
    doc["fields"].append(doc["fields"][SCORE])
    with pytest.raises(DisclosureError, match="shown twice") as err:
        read_disclosure(doc)
    assert err.value.field == f"fields[{len(doc['fields']) - 1}].name"


def test_not_json_and_not_an_object() -> None:
    for text, field in (("[", "disclosure"), ("[]", "disclosure")):
        with pytest.raises(DisclosureError) as err:
            read_disclosure_json(text)
        assert err.value.field == field


def test_record_file_round_trip_and_disclosure() -> None:
    sealed = seal(RECORD)
    other = seal(replace(RECORD, score=1))
    tree = MerkleTree.build([bytes32_leaf(sealed.commitment), bytes32_leaf(other.commitment)])
    batch = Batch(tree.root, tuple(tree.proof(bytes32_leaf(sealed.commitment))))
    held = RecordFile(CHAIN, REGISTRY, sealed, batch)
    again = RecordFile.from_json(held.to_json())
    assert again == held
    made = again.disclose(["score"])
    assert read_disclosure(made.to_dict()) == made and made.batch == batch
    wrong = held.to_dict()
    wrong["batch"]["root"] = "0x" + "22" * 32
    with pytest.raises(RecordError, match="does not prove") as err:
        RecordFile.from_dict(wrong)
    assert err.value.field == "batch.proof"
    with pytest.raises(RecordError, match="extra keys"):
        RecordFile.from_dict({**held.to_dict(), "note": 1})


NEW_VALUES = {
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
}


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_altering_any_shown_value_salt_or_proof_names_the_field(name: str) -> None:
    doc = shown([name, "score" if name != "score" else "grade"])
    i = next(i for i, f in enumerate(doc["fields"]) if f["name"] == name)
    item = doc["fields"][i]
    salt = item["salt"][:-1] + ("0" if item["salt"][-1] != "0" else "1")
    sibling = item["proof"][0]
    bad_proofs = [item["proof"][:-1], [*item["proof"], sibling]]
    bad_proofs.append([sibling[:-1] + ("0" if sibling[-1] != "0" else "1"), *item["proof"][1:]])
    changes = [{"value": NEW_VALUES[name]}, {"salt": salt}] + [{"proof": p} for p in bad_proofs]
    for change in changes:
        bad = copy.deepcopy(doc)
        bad["fields"][i].update(change)
        with pytest.raises(DisclosureError, match="does not match the commitment") as err:
            read_disclosure(bad)
        assert err.value.field == f"fields[{i}]"
