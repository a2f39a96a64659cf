"""Credence also runs on Ganache: deploy, attest, anchor a batch, revoke, verify, index."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.attest.registry import Status
from ledger.chain.deploy import verify_deployment
from ledger.chain.node import LocalNode, free_port
from ledger.merkle import MerkleTree, bytes32_leaf
from ledger.runtime import Runtime
from ledger.settings import Settings


@pytest.fixture(scope="module")
def ganache_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    with LocalNode(kind="ganache", port=free_port()) as node:
        data_dir: Path = tmp_path_factory.mktemp("ganache")
        with Runtime.open(Settings(data_dir=data_dir, rpc_url=node.url)) as rt:
            yield rt


def test_registry_lifecycle_on_ganache(ganache_runtime: Runtime):
    rt = ganache_runtime
    assert rt.manifest is not None
    assert all(check.matches for check in verify_deployment(rt.w3, rt.manifest))
    registry = rt.registry("attester")
    me = registry.attester_of(registry.sender.address)
    model = secrets.token_bytes(32)
    registry.register_model(model, "m", (8000, 5000, 6000, 100, 10))
    expires = int(time.time()) + 86_400

    single = secrets.token_bytes(32)
    registry.attest(single, model, expires)
    assert registry.status_of(me, single) is Status.Valid

    commitments = [secrets.token_bytes(32) for _ in range(5)]
    tree = MerkleTree.build([bytes32_leaf(c) for c in commitments])
    registry.anchor_batch(tree.root, len(commitments), model, expires)
    proof = tree.proof(bytes32_leaf(commitments[3]))
    assert registry.status_of_batch_record(me, tree.root, commitments[3], proof) is Status.Valid

    registry.revoke(single, 9)
    assert registry.status_of(me, single) is Status.Revoked

    indexer = rt.indexer()
    assert indexer.poll_once() >= 5  # attester, model, attest, batch, revoke
