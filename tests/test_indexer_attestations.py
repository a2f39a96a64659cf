"""The attestation projection keys records like the registry: (attester, commitment)."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from eth_account.signers.local import LocalAccount
from sqlmodel import Session, select

from ledger.attest.registry import Registry
from ledger.chain.node import LocalNode
from ledger.merkle import MerkleTree, bytes32_leaf
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.tables import LeafRevocation, OnchainRecord
from ledger.tx import Sender

METRICS = (8000, 5000, 6000, 100, 1000)


def test_a_copy_by_another_attester_is_its_own_row(
    anvil: LocalNode, tmp_path: Path, dev_accounts: list[LocalAccount]
):
    settings = Settings(data_dir=tmp_path, rpc_url=anvil.url)
    with Runtime.open(settings) as rt:
        ours = rt.registry("attester")
        copier_key = dev_accounts[8]
        rt.registry("admin").register_attester(copier_key.address, "Copier", "")
        copier = Registry(ours.contract, Sender(rt.w3, copier_key, errors=rt.errors))
        me, them = ours.attester_of(ours.sender.address), copier.attester_of(copier_key.address)
        model = secrets.token_bytes(32)
        ours.register_model(model, "m", METRICS)
        expires = int(time.time()) + 86_400
        commitment = secrets.token_bytes(32)
        tree = MerkleTree.build([bytes32_leaf(commitment), bytes32_leaf(secrets.token_bytes(32))])
        for registry in (ours, copier):
            registry.attest(commitment, model, expires)
            registry.anchor_batch(tree.root, 2, model, expires)
        copier.revoke(commitment, 9)
        copier.revoke_batch_leaf(tree.root, commitment, tree.proof(bytes32_leaf(commitment)), 9)
        rt.indexer().poll_once()
        with Session(rt.engine) as s:
            rows = {(r.attester_id, r.key): r for r in s.exec(select(OnchainRecord)).all()}
            leaves = s.exec(select(LeafRevocation)).all()
        single, root = "0x" + commitment.hex(), "0x" + tree.root.hex()
        assert rows[(me, single)].revoked_at is None
        assert rows[(them, single)].revocation_reason == 9
        assert rows[(me, root)].kind == rows[(them, root)].kind == "batch"
        assert [(r.attester_id, r.root, r.commitment) for r in leaves] == [(them, root, single)]
