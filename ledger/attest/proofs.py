"""Batch proofs kept as the tree's nodes, derived per record on read.

A batch stores its Merkle tree once (``MerkleTree.packed``: every node, 32 bytes each, in
the OZ layout of ``ledger.merkle``) and each of its records the index of its leaf among
those nodes (``MerkleTree.positions``). A record's proof is the path of siblings from its
leaf up to the root: the same nodes, in the same order, as ``MerkleTree.proof`` gives, so
disclosures and the chain see exactly what they saw when proofs were stored per record
(rows from then keep their ``proof``).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ledger.store.tables import Batch

BATCHES = Batch.__table__  # type: ignore[attr-defined]


def proof_from_nodes(nodes: bytes, leaf: int) -> list[bytes]:
    """The proof of the leaf at node index ``leaf`` (siblings from the leaf up)."""
    if not 0 <= leaf < len(nodes) // 32:
        raise ValueError(f"leaf: node {leaf} is not in a tree of {len(nodes) // 32} nodes")
    proof = []
    while leaf > 0:
        sibling = leaf + 1 if leaf & 1 else leaf - 1  # left children are odd
        proof.append(nodes[32 * sibling : 32 * sibling + 32])
        leaf = (leaf - 1) >> 1
    return proof


class ProofReader:
    """Proofs of stored records; the nodes of the last few batches read stay cached (a
    batch's nodes never change: they hash to its root)."""

    def __init__(self, engine: Engine, cached_batches: int = 8) -> None:
        self.engine = engine
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._size = cached_batches
        self._lock = threading.Lock()

    def nodes(self, root: str) -> bytes | None:
        with self._lock:
            if root in self._cache:
                self._cache.move_to_end(root)
                return self._cache[root]
        with self.engine.connect() as conn:
            nodes = conn.execute(select(BATCHES.c.nodes).where(BATCHES.c.root == root)).scalar()
        if nodes is not None:
            with self._lock:
                self._cache[root] = nodes
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return nodes

    def proof(self, batch_root: str | None, leaf: int | None, stored: str | None) -> list[bytes]:
        """A record's batch proof from its row's ``batch_root``, ``leaf`` and ``proof``
        columns; empty for a single record."""
        if batch_root is None:
            return []
        if stored is not None:  # stored before batches kept their nodes
            return [bytes.fromhex(p[2:]) for p in json.loads(stored)]
        nodes = self.nodes(batch_root) if leaf is not None else None
        if nodes is None:
            raise LookupError(f"batch {batch_root}: no tree nodes stored for this record")
        return proof_from_nodes(nodes, leaf)  # type: ignore[arg-type]
