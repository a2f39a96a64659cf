"""Chain against database against what the clients were told.

*told*: the records in the 201 answers. *lost*: told records that are not inside a batch
root (or a single record) this attester has on chain now, checked by the Merkle proof the
service stored and the root's on-chain record. *duplicated*: records stored beyond the
ones a request asked for (a retry that issued again), a record answered under two keys,
or leaves anchored on chain beyond the told records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from ledger.attest.proofs import ProofReader
from ledger.attest.record_state import follow
from ledger.attest.registry import Registry
from ledger.merkle import bytes32_leaf, verify
from ledger.store.tables import IssuedRecord


@dataclass
class Verdict:
    requests: int
    told: int
    lost: int
    duplicated: int
    untold_stored: int
    pending_in_db: int
    leaves_on_chain: int
    roots_on_chain: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check(
    engine: Any, registry: Registry, answers: dict[str, dict[str, Any]], per_request: int
) -> Verdict:
    told = {r["commitment"]: key for key, body in answers.items() for r in body["records"]}
    twice = sum(len(body["records"]) for body in answers.values()) - len(told)
    with Session(engine) as session:
        rows = {r.commitment: r for r in follow(session, session.exec(select(IssuedRecord)).all())}
        per_key = session.exec(
            select(IssuedRecord.request_key, func.count()).group_by(IssuedRecord.request_key)
        ).all()
    extra = sum(max(n - per_request, 0) for key, n in per_key if key is not None)
    untold = sum(1 for c in rows if c not in told)
    attester = registry.attester_of(registry.sender.address)
    roots: dict[str, bool] = {}
    proofs = ProofReader(engine)

    def on_chain(key: str) -> bool:
        if key not in roots:
            roots[key] = registry.record(attester, bytes.fromhex(key[2:])).issued_at != 0
        return roots[key]

    lost = 0
    for commitment in told:
        row = rows.get(commitment)
        if row is None:
            lost += 1
        elif row.batch_root is None:
            lost += not on_chain(commitment)
        else:
            proof = proofs.proof(row.batch_root, row.leaf, row.proof)
            leaf = bytes32_leaf(bytes.fromhex(commitment[2:]))
            inside = verify(bytes.fromhex(row.batch_root[2:]), leaf, proof)
            lost += not (inside and on_chain(row.batch_root))
    leaves = anchored_leaves(registry, attester)
    return Verdict(
        requests=len(answers),
        told=len(told),
        lost=lost,
        duplicated=extra + twice + max(leaves - len(told), 0),
        untold_stored=untold,
        pending_in_db=sum(1 for r in rows.values() if r.status != "anchored"),
        leaves_on_chain=leaves,
        roots_on_chain=sum(roots.values()),
    )


def anchored_leaves(registry: Registry, attester: int) -> int:
    """Records this attester put on chain: the leaves of every batch plus every single."""
    events = registry.contract.events
    batches = events.BatchAnchored.get_logs(from_block=0)
    singles = events.Attested.get_logs(from_block=0)
    return sum(e["args"]["count"] for e in batches if e["args"]["attesterId"] == attester) + sum(
        1 for e in singles if e["args"]["attesterId"] == attester
    )
