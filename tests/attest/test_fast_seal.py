"""The compiled sealing path equals the reference (Python, field by field) byte for byte."""

import json
import os
import secrets
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sha3 import keccak_256

from ledger.attest import _seal  # the install builds it: a missing build fails here
from ledger.attest.fields import DECISIONS, JSON_FORMS
from ledger.attest.records import SALT_BYTES, ScoreRecord, SealedRecord, commitment, seal, seal_many
from ledger.merkle import MerkleTree, bytes32_leaf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "disclosures"


@pytest.mark.parametrize("length", [0, 1, 31, 32, 64, 135, 136, 137, 271, 272, 273, 1000])
def test_keccak_equals_the_reference_at_block_boundaries(length: int):
    data = os.urandom(length)
    assert _seal.keccak(data) == keccak_256(data).digest()


hex32 = st.binary(min_size=32, max_size=32)
code = st.from_regex(r"[A-Za-z0-9_.-]{1,32}", fullmatch=True)
text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"),
    min_size=1,
    max_size=160,
)
records = st.builds(
    ScoreRecord,
    subject=hex32.map(lambda b: "0x" + b.hex()),
    score=st.integers(0, 1000),
    grade=st.from_regex(r"[A-Za-z0-9+-]{1,16}", fullmatch=True),
    model_id=hex32,
    issued_at=st.integers(0, 2**32),
    expires_at=st.integers(2**32 + 1, 2**64 - 1),
    attester=st.integers(0, 2**32 - 1),
    pd_bps=st.none() | st.integers(0, 10_000),
    reasons=st.none() | st.lists(code, max_size=16).map(tuple),
    strategy=st.none() | hex32,
    decision=st.none() | st.sampled_from(DECISIONS),
    reason_texts=st.none() | st.lists(text, max_size=16).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(records, min_size=1, max_size=8))
def test_fast_commitments_equal_the_reference_on_random_records(batch: list[ScoreRecord]):
    fast = seal_many(batch)
    reference = [seal(s.record, s.salts) for s in fast]  # same salts, Python path
    assert [s.commitment for s in fast] == [r.commitment for r in reference]
    assert all(commitment(s) == s.commitment for s in fast)
    slow = seal_many(batch, fast=False)
    assert all(commitment(s) == s.commitment for s in slow)
    # The JSON written in C is the reference's, byte for byte, and reads back as the record.
    for s in fast:
        assert s.text == orjson.dumps(s.to_dict()).decode()
        assert SealedRecord.from_json(s.text) == s


def test_the_json_writer_escapes_as_orjson_does():
    texts = ['a"b\\c', "".join(map(chr, range(32))) + "\x7f", "é € \u2028 😀", ""]
    for text in texts:
        _, [out] = _seal.commitments([[("grade", text)]], bytes(32), JSON_FORMS)
        assert out.startswith('{"fields":{"grade":' + orjson.dumps(text).decode() + "}")
    joined = "\n".join(texts[:3])
    _, [out] = _seal.commitments([[("reason_texts", joined)]], bytes(32), JSON_FORMS)
    listed = orjson.dumps(joined.split("\n")).decode()
    assert out.startswith('{"fields":{"reason_texts":' + listed + "}")


def test_salt_maps_take_the_salts_in_field_order():
    salts = bytes(range(32)) + bytes(range(32, 64)) + bytes(range(64, 96))
    maps = _seal.salt_maps([[("score", "1"), ("grade", "B")], [("score", "2")]], salts)
    assert maps == [{"score": salts[:32], "grade": salts[32:64]}, {"score": salts[64:]}]
    with pytest.raises(ValueError, match="salts"):
        _seal.salt_maps([[("score", "1")]], salts)
    with pytest.raises(ValueError, match="records"):
        _seal.salt_maps([[(1, "1")]], salts[:32])


@pytest.mark.parametrize(
    ("records", "forms", "match"),
    [
        ([[("ssn", "1")]], JSON_FORMS, "no JSON form"),
        ([[("score", "1")]], {"score": "float"}, "unknown JSON form"),
        ([[("score", "1")]], {"score": 1}, "unknown JSON form"),
    ],
)
def test_the_json_writer_refuses_a_field_without_a_form(records, forms, match):
    with pytest.raises(ValueError, match=match):
        _seal.commitments(records, bytes(32), forms)


@pytest.mark.parametrize("name", ["record_file_batched.json", "record_file_strategy.json"])
def test_fast_path_reproduces_the_fixture_commitments(name: str):
    data = json.loads((FIXTURES / name).read_text())
    sealed = SealedRecord.from_dict(data)  # checks the commitment on the reference path
    canonical = sealed.record.canonical()
    salts = b"".join(sealed.salts[n] for n, _ in canonical)
    assert _seal.commitments([canonical], salts) == bytes.fromhex(data["commitment"][2:])
    roots, [text] = _seal.commitments([canonical], salts, JSON_FORMS)
    assert roots == sealed.commitment and text == orjson.dumps(sealed.to_dict()).decode()


def test_salts_must_match_the_fields():
    canonical = [("score", "700"), ("grade", "B")]
    with pytest.raises(ValueError, match="fewer"):
        _seal.commitments([canonical], b"\x00" * SALT_BYTES)
    with pytest.raises(ValueError, match="more"):
        _seal.commitments([canonical], b"\x00" * SALT_BYTES * 3)
    with pytest.raises(ValueError, match=r"records\[0\]\[1\]"):
        _seal.commitments([[("score", "700"), ("grade", 7)]], b"\x00" * SALT_BYTES * 2)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 1001])
def test_the_batch_tree_in_c_is_the_reference_tree(n: int):
    commitments = [secrets.token_bytes(32) for _ in range(n)]
    if n > 3:
        commitments[3] = commitments[1]  # equal leaves keep their input order
    nodes, positions = _seal.batch_tree(b"".join(commitments))
    tree = MerkleTree.build([bytes32_leaf(c) for c in commitments])
    assert nodes == tree.packed() and positions == tree.positions


def test_the_batch_tree_refuses_what_is_not_commitments():
    for bad in (b"", b"\1" * 33):
        with pytest.raises(ValueError, match="commitments"):
            _seal.batch_tree(bad)
