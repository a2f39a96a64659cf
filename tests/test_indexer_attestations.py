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


def test_set_based_projection_equals_event_by_event(
    anvil: LocalNode, tmp_path: Path, dev_accounts: list[LocalAccount]
):
    """Runs of anchors and revocations in one statement leave the tables (and the event
    log) exactly as the per-event handlers do, chunk by chunk or all at once."""
    from dataclasses import replace

    from ledger.indexer.projection import Projector
    from ledger.store.db import create_db
    from ledger.store.tables import EventLog

    settings = Settings(data_dir=tmp_path, rpc_url=anvil.url)
    with Runtime.open(settings) as rt:
        registry = rt.registry("attester")
        model = secrets.token_bytes(32)
        registry.register_model(model, "m", METRICS)
        expires = int(time.time()) + 86_400
        singles = [secrets.token_bytes(32) for _ in range(6)]
        for c in singles:
            registry.attest(c, model, expires)
        leaves = [secrets.token_bytes(32) for _ in range(4)]
        tree = MerkleTree.build([bytes32_leaf(c) for c in leaves])
        registry.anchor_batch(tree.root, 4, model, expires)
        registry.revoke_many(singles[:4], 3)
        registry.revoke(singles[4], 5)
        for c in leaves[:2]:
            registry.revoke_batch_leaf(tree.root, c, tree.proof(bytes32_leaf(c)), 7)
        registry.attest(secrets.token_bytes(32), model, expires)

        def index(bulk: bool, chunk: int) -> dict[str, list]:
            engine = create_db(f"sqlite:///{tmp_path}/{bulk}-{chunk}.db")
            indexer = rt.indexer(engine)
            indexer.chunk_size = chunk
            if not bulk:  # every run event by event, through the ORM handlers
                indexer.projector = Projector([replace(p, bulk={}) for p in indexer.projections])
            indexer.poll_once()
            out = {}
            with Session(engine) as s:
                for table in (OnchainRecord, LeafRevocation, EventLog):
                    rows = [r.model_dump(exclude={"id"}) for r in s.exec(select(table)).all()]
                    out[table.__name__] = sorted(rows, key=repr)
            return out

        per_event = index(False, 2_000)
        assert len(per_event["LeafRevocation"]) == 2
        assert sum(r["revoked_at"] is not None for r in per_event["OnchainRecord"]) == 5
        assert index(True, 2_000) == per_event
        assert index(True, 1) == per_event
