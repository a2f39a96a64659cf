"""Reconcile: the state rebuilt from the chain against the service's database.

Each entity (``ledger.audit.entities``) is matched by kind and key, and each difference is
typed: ``missing_in_db`` (on chain, not in the service's database), ``only_in_db`` (in the
database, not on chain), ``value_differs`` (one field, both values) and ``reorged_out``
(only in the database, from a block the canonical chain no longer has). The service's own
records are checked too: every record it calls anchored must have its commitment or batch
root on chain.

A state digest per block is computed the same way on both sides: SHA-256 over the sorted
entities that block wrote (kind, key, values). Rows that record no block of their own
(token holdings, jurisdictions) fall in a final ``head`` bucket. The first block whose
digests differ is where the two histories diverge.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ledger.attest import record_state
from ledger.audit.entities import Entity, read_entities
from ledger.store.tables import EventLog, OnchainRecord

HEAD = "head"
KINDS = ("missing_in_db", "only_in_db", "value_differs", "reorged_out")


@dataclass(frozen=True)
class Difference:
    kind: str  # one of KINDS
    entity: str  # table name
    key: str  # the entity's key, joined with '/'
    block: int | None
    tx_hash: str | None
    field: str | None = None  # for value_differs
    chain: str | None = None  # the value rebuilt from the chain
    db: str | None = None  # the value in the service's database


@dataclass
class Reconciliation:
    entities_compared: int
    differences: list[Difference] = field(default_factory=list)
    first_divergent_block: int | str | None = None  # a block number, HEAD, or None if equal
    chain_digest: str = ""  # digest over every block's digest, rebuilt side
    db_digest: str = ""

    @property
    def equal(self) -> bool:
        return not self.differences

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for d in self.differences:
            out[d.kind] += 1
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "equal": self.equal,
            "entities_compared": self.entities_compared,
            "counts": self.counts(),
            "first_divergent_block": self.first_divergent_block,
            "chain_digest": self.chain_digest,
            "db_digest": self.db_digest,
            "differences": [asdict(d) for d in self.differences],
        }


def _index(entities: Iterable[Entity]) -> dict[tuple[str, tuple[str, ...]], Entity]:
    return {(e.kind, e.key): e for e in entities}


def block_digests(entities: Iterable[Entity]) -> dict[int | str, str]:
    """Per block (or HEAD), SHA-256 over the sorted canonical JSON of the entities it wrote."""
    buckets: dict[int | str, list[str]] = defaultdict(list)
    for e in entities:
        line = json.dumps([e.kind, list(e.key), sorted(e.values.items())], separators=(",", ":"))
        buckets[HEAD if e.block is None else e.block].append(line)
    return {
        b: hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()
        for b, rows in buckets.items()
    }


def _order(block: int | str) -> tuple[int, int]:
    return (1, 0) if block == HEAD else (0, int(block))


def _overall(digests: dict[int | str, str]) -> str:
    h = hashlib.sha256()
    for block in sorted(digests, key=_order):
        h.update(f"{block}:{digests[block]}\n".encode())
    return h.hexdigest()


def state_digest(engine: Engine) -> str:
    """The overall state digest of one database (as ``reconcile`` computes for each side)."""
    return _overall(block_digests(read_entities(engine)))


def reorged_blocks(engine: Engine, canonical_hash: Callable[[int], str | None]) -> set[int]:
    """Blocks the database indexed whose hash the chain no longer has at that height."""
    with Session(engine) as session:
        rows = session.exec(select(EventLog.block_number, EventLog.block_hash).distinct()).all()
    return {number for number, block_hash in rows if canonical_hash(number) != block_hash}


def unanchored(rebuilt: Engine, service: Engine) -> list[Difference]:
    """Records the service says it anchored whose commitment (single) or batch root is not
    on chain: ``only_in_db`` on the ``issuedrecord`` entity, field ``anchor``."""
    with Session(rebuilt) as s:
        anchored = set(s.exec(select(OnchainRecord.key)).all())
    with Session(service) as s:
        rows = record_state.load(s, record_state.select_records(record_state.STATUS == "anchored"))
    out = []
    for r in rows:
        anchor = r.batch_root if r.mode == "batch" else r.commitment
        if anchor not in anchored:
            out.append(
                Difference("only_in_db", "issuedrecord", r.commitment, None, r.tx_hash,
                           field="anchor", db=anchor)
            )  # fmt: skip
    return out


def reconcile(
    rebuilt: Engine,
    service: Engine,
    canonical_hash: Callable[[int], str | None] | None = None,
) -> Reconciliation:
    """Compare ``rebuilt`` (from the chain alone) with the ``service`` database."""
    chain_rows = list(read_entities(rebuilt))
    db_rows = list(read_entities(service))
    chain, db = _index(chain_rows), _index(db_rows)
    reorged = reorged_blocks(service, canonical_hash) if canonical_hash else set()
    out: list[Difference] = []
    for ident, c in chain.items():
        d = db.get(ident)
        if d is None:
            out.append(Difference("missing_in_db", c.kind, "/".join(c.key), c.block, c.tx_hash))
            continue
        for name in sorted(set(c.values) | set(d.values)):
            if c.values.get(name) != d.values.get(name):
                out.append(
                    Difference(
                        "value_differs", c.kind, "/".join(c.key), c.block, c.tx_hash,
                        field=name, chain=c.values.get(name), db=d.values.get(name),
                    )
                )  # fmt: skip
    for ident, d in db.items():
        if ident not in chain:
            kind = "reorged_out" if d.block in reorged else "only_in_db"
            out.append(Difference(kind, d.kind, "/".join(d.key), d.block, d.tx_hash))
    out += unanchored(rebuilt, service)
    chain_digests, db_digests = block_digests(chain_rows), block_digests(db_rows)
    diverged = [
        b for b in set(chain_digests) | set(db_digests) if chain_digests.get(b) != db_digests.get(b)
    ]
    first = min(diverged, key=_order) if diverged else None
    out.sort(key=lambda x: (_order(HEAD if x.block is None else x.block), x.entity, x.key))
    return Reconciliation(
        entities_compared=len(chain) + len(set(db) - set(chain)),
        differences=out,
        first_divergent_block=first,
        chain_digest=_overall(chain_digests),
        db_digest=_overall(db_digests),
    )
