"""Proofs derived from a batch's stored nodes equal the tree's own proofs."""

from __future__ import annotations

import json
import secrets

import pytest

from ledger.attest.proofs import ProofReader, proof_from_nodes
from ledger.merkle import MerkleTree, bytes32_leaf, verify


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 64, 101])
def test_a_proof_from_the_packed_nodes_is_the_trees(n: int):
    leaves = [bytes32_leaf(secrets.token_bytes(32)) for _ in range(n)]
    tree = MerkleTree.build(leaves)
    nodes = tree.packed()
    assert len(nodes) == 32 * (2 * n - 1) and nodes[:32] == tree.root
    for i, leaf in enumerate(leaves):
        proof = proof_from_nodes(nodes, tree.positions[i])
        assert proof == tree.proof(leaf) == tree.proof_at(i)
        assert verify(tree.root, leaf, proof)


def test_a_leaf_outside_the_tree_is_refused():
    nodes = MerkleTree.build([bytes32_leaf(b"\1" * 32)]).packed()
    with pytest.raises(ValueError, match="leaf"):
        proof_from_nodes(nodes, 1)


def test_rows_stored_with_their_proof_keep_it(tmp_path):
    from ledger.store.db import create_db

    reader = ProofReader(create_db(f"sqlite:///{tmp_path / 'p.db'}"))
    stored = json.dumps(["0x" + "ab" * 32, "0x" + "cd" * 32])
    assert reader.proof("0x" + "01" * 32, None, stored) == [b"\xab" * 32, b"\xcd" * 32]
    assert reader.proof(None, None, None) == []  # a single record has no batch proof
    with pytest.raises(LookupError):
        reader.proof("0x" + "01" * 32, 0, None)  # no such batch stored
