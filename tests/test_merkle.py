"""ledger.merkle against the reference: @openzeppelin/merkle-tree run by node."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak as eth_keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import (
    MerkleError,
    MerkleTree,
    bytes32_leaf,
    hash_pair,
    keccak,
    merkle_root,
    process_multiproof,
    standard_leaf,
    verify,
    verify_multiproof,
)

ROOT = Path(__file__).resolve().parents[1]
ORACLE = ROOT / "tests" / "js" / "oz_merkle.mjs"
SIZES = [1, 2, 3, 7, 8, 100, 1000]
MIXED = ["string", "string", "bytes32"]


def oz(**payload: Any) -> dict[str, Any]:
    """Build the same tree with the JS library and return what it reports."""
    out = subprocess.run(
        ["node", str(ORACLE)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)


def h(hexes: list[str]) -> list[bytes]:
    return [bytes.fromhex(x[2:]) for x in hexes]


def hex32(rng: random.Random) -> str:
    return "0x" + rng.randbytes(32).hex()


def make_values(encoding: list[str], n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    if encoding == ["bytes32"]:
        return [[hex32(rng)] for _ in range(n)]
    words = ["score", "grade", "", "ünïcode", "x" * 40, "0x12"]
    return [[rng.choice(words), str(rng.randrange(10**6)), hex32(rng)] for _ in range(n)]


def multiproof_indices(n: int, seed: int) -> list[int]:
    return random.Random(seed).sample(range(n), k=min(n, 5))


@pytest.mark.parametrize("encoding", [["bytes32"], MIXED], ids=["bytes32", "mixed"])
@pytest.mark.parametrize("n", SIZES)
def test_standard_tree_matches_openzeppelin(encoding: list[str], n: int) -> None:
    values = make_values(encoding, n, seed=n)
    picks = multiproof_indices(n, seed=n)
    js = oz(encoding=encoding, values=values, multiproof=picks)

    tree = MerkleTree.of(values, encoding)

    assert "0x" + tree.root.hex() == js["root"]
    assert tree.dump() == js["dump"]
    assert tree.render() == js["render"]
    assert [tree.proof_at(i) for i in range(n)] == [h(p) for p in js["proofs"]]
    leaves = [standard_leaf(encoding, v) for v in values]
    assert [tree.proof(leaf) for leaf in leaves] == [h(p) for p in js["proofs"]]
    assert tree.proofs() == [h(p) for p in js["proofs"]]

    multi = tree.multiproof(leaves[i] for i in picks)
    assert multi.proof == h(js["multiproof"]["proof"])
    assert multi.proof_flags == js["multiproof"]["proofFlags"]
    assert multi.leaves == h(js["multiproof"]["leafHashes"])
    assert verify_multiproof(tree.root, *multi)
    for leaf, proof in zip(leaves, tree.proofs(), strict=True):
        assert verify(tree.root, leaf, proof)
    assert MerkleTree.load(js["dump"]).root == tree.root


@pytest.mark.parametrize("sort_leaves", [True, False])
@pytest.mark.parametrize("n", [1, 3, 8, 100])
def test_build_over_hashes_matches_simple_tree(n: int, sort_leaves: bool) -> None:
    rng = random.Random(1000 + n)
    hashes = [rng.randbytes(32) for _ in range(n)]
    hashes += hashes[: n // 4]  # duplicates keep their input order, as in the JS stable sort
    picks = multiproof_indices(n, seed=n)
    js = oz(
        kind="simple",
        values=["0x" + x.hex() for x in hashes],
        sortLeaves=sort_leaves,
        multiproof=picks,
    )

    tree = MerkleTree.build(hashes, sort_leaves=sort_leaves)

    assert "0x" + tree.root.hex() == js["root"]
    assert tree.root == merkle_root(hashes, sort_leaves=sort_leaves)
    assert ["0x" + x.hex() for x in tree.leaves] == js["dump"]["tree"][::-1][: len(hashes)]
    assert tree.proofs() == [h(p) for p in js["proofs"]]
    multi = tree.multiproof_at(picks)
    assert multi.proof == h(js["multiproof"]["proof"])
    assert multi.proof_flags == js["multiproof"]["proofFlags"]


def test_bytes32_leaf_is_the_standard_leaf() -> None:
    rng = random.Random(7)
    values = [[hex32(rng)] for _ in range(9)]
    js = oz(encoding=["bytes32"], values=values)
    leaves = [bytes32_leaf(bytes.fromhex(v[0][2:])) for v in values]
    assert leaves == [standard_leaf(["bytes32"], v) for v in values]
    assert "0x" + MerkleTree.build(leaves).root.hex() == js["root"]


def test_keccak_is_ethereum_keccak() -> None:
    assert keccak(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    data = random.Random(3).randbytes(300)
    assert keccak(data) == eth_keccak(data)
    a, b = keccak(b"a"), keccak(b"b")
    assert hash_pair(a, b) == hash_pair(b, a) == keccak(min(a, b) + max(a, b))


def test_tampered_proofs_fail() -> None:
    rng = random.Random(11)
    leaves = [rng.randbytes(32) for _ in range(13)]
    tree = MerkleTree.build(leaves)
    proof = tree.proof(leaves[4])
    assert verify(tree.root, leaves[4], proof)

    flipped = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
    assert not verify(tree.root, leaves[4], flipped)
    assert not verify(tree.root, leaves[4], proof[:-1])
    assert not verify(tree.root, leaves[4], [*proof, proof[0]])
    assert not verify(tree.root, leaves[5], proof)
    assert not verify(tree.root, leaves[4], [p[:31] for p in proof])

    multi = tree.multiproof([leaves[1], leaves[4], leaves[9]])
    assert verify_multiproof(tree.root, *multi)
    assert not verify_multiproof(tree.root, multi.proof, multi.proof_flags, multi.leaves[::-1])
    assert not verify_multiproof(tree.root, multi.proof[1:], multi.proof_flags, multi.leaves)
    flags = [not f for f in multi.proof_flags]
    assert not verify_multiproof(tree.root, multi.proof, flags, multi.leaves)


def test_multiproof_edge_cases_follow_the_contract() -> None:
    leaves = [keccak(bytes([i])) for i in range(5)]
    tree = MerkleTree.build(leaves)
    empty = tree.multiproof([])
    assert empty.proof == [tree.root] and empty.proof_flags == [] and empty.leaves == []
    assert verify_multiproof(tree.root, *empty)
    everything = tree.multiproof(leaves)
    assert everything.proof == [] and verify_multiproof(tree.root, *everything)
    with pytest.raises(MerkleError, match="proof"):
        process_multiproof([], [True], [leaves[0]])


def test_bad_input_gets_a_clear_error() -> None:
    with pytest.raises(MerkleError, match="leaf_hashes: expected at least one leaf"):
        MerkleTree.build([])
    with pytest.raises(MerkleError, match=r"leaf_hashes\[1\]: expected 32 bytes"):
        MerkleTree.build([b"\0" * 32, b"\0" * 31])
    tree = MerkleTree.build([b"\1" * 32, b"\2" * 32])
    with pytest.raises(MerkleError, match="index: 2 is out of range"):
        tree.proof_at(2)
    with pytest.raises(MerkleError, match=r"leaf_hash: 0x0303.* is not in the tree"):
        tree.proof(b"\3" * 32)
    with pytest.raises(MerkleError, match="cannot prove the same leaf twice"):
        tree.multiproof([b"\1" * 32, b"\1" * 32])
    with pytest.raises(MerkleError, match="dump: only trees made from values"):
        tree.dump()
    with pytest.raises(MerkleError, match="value: a bytes32 leaf needs 32 bytes"):
        bytes32_leaf(b"\0")
    with pytest.raises(MerkleError, match="uint256: 'ten' is not an integer"):
        standard_leaf(["uint256"], ["ten"])


def test_load_rejects_a_doctored_dump() -> None:
    dump = MerkleTree.of([["0x" + "11" * 32], ["0x" + "22" * 32]], ["bytes32"]).dump()
    with pytest.raises(MerkleError, match="format"):
        MerkleTree.load({**dump, "format": "simple-v1"})
    with pytest.raises(MerkleError, match=r"values\[0\]: does not hash"):
        MerkleTree.load(
            {
                **dump,
                "values": [{**dump["values"][0], "value": ["0x" + "33" * 32]}, dump["values"][1]],
            }
        )
    with pytest.raises(MerkleError, match="tree: an inner node"):
        MerkleTree.load({**dump, "tree": ["0x" + "00" * 32, *dump["tree"][1:]]})


def test_general_leaf_takes_python_and_json_forms_alike() -> None:
    types = ["address", "uint256", "bytes", "bool", "uint8[]"]
    as_json = ["0x" + "ab" * 20, "5000000000000000000", "0xdead", True, ["1", "2"]]
    as_python = ["0x" + "ab" * 20, 5 * 10**18, b"\xde\xad", True, [1, 2]]
    js = oz(encoding=types, values=[as_json])
    assert "0x" + standard_leaf(types, as_python).hex() == js["root"]
    assert MerkleTree.of([as_python], types).dump() == js["dump"]


leaf_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(leaves=leaf_lists, sort_leaves=st.booleans(), data=st.data())
def test_every_proof_and_any_multiproof_verify(
    leaves: list[bytes], sort_leaves: bool, data: st.DataObject
) -> None:
    tree = MerkleTree.build(leaves, sort_leaves=sort_leaves)
    assert tree.root == merkle_root(leaves, sort_leaves=sort_leaves)
    assert sorted(tree.leaves) == sorted(leaves)
    for i, leaf in enumerate(leaves):
        assert verify(tree.root, leaf, tree.proof_at(i))
    outsider = keccak(b"".join(leaves))
    assert not verify(tree.root, outsider, tree.proof_at(0)) or outsider == tree.root
    subset = data.draw(st.sets(st.sampled_from(sorted(set(leaves)))))
    assert verify_multiproof(tree.root, *tree.multiproof(subset))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 1001])
def test_proofs_json_is_byte_identical_to_dumping_each_proof(n: int):
    import json
    import os

    tree = MerkleTree.build([os.urandom(32) for _ in range(n)])
    expected = [json.dumps(["0x" + p.hex() for p in proof]) for proof in tree.proofs()]
    assert tree.proofs_json() == expected
