"""Projections of AttestationRegistry events into the attester, model and record tables.

The events that come in numbers (records anchored and revoked) also have set-based
forms, one statement for a run of them (``Projection.bulk``); the per-event handlers
stay the reference, and a test holds the two equal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, tuple_, update
from sqlmodel import Session

from ledger.indexer.projection import Event, Projection
from ledger.store.bulk import executemany, insert_of
from ledger.store.tables import Attester, LeafRevocation, Model, OnchainRecord

Args = dict[str, Any]


def _attester(session: Session, attester_id: int) -> Attester:
    row = session.get(Attester, attester_id)
    if row is None:  # events arrive in chain order, so registration always comes first
        raise LookupError(f"event for unindexed attester {attester_id}")
    return row


def attester_registered(session: Session, a: Args, ev: Event) -> None:
    session.add(
        Attester(
            attester_id=a["attesterId"],
            key=a["key"],
            name=a["name"],
            metadata_uri=a["metadataURI"],
            registered_block=ev.block_number,
        )
    )


def attester_suspended(session: Session, a: Args, _: Event) -> None:
    row = _attester(session, a["attesterId"])
    row.suspended, row.suspended_at, row.suspension_reason = True, a["suspendedAt"], a["reason"]


def attester_reinstated(session: Session, a: Args, _: Event) -> None:
    row = _attester(session, a["attesterId"])
    row.suspended, row.suspended_at, row.suspension_reason = False, None, None


def attester_key_rotated(session: Session, a: Args, _: Event) -> None:
    _attester(session, a["attesterId"]).key = a["newKey"]


def _metrics(raw: Any) -> dict[str, int]:
    names = ("aucBps", "ksBps", "giniBps", "psiBps", "sampleSize")
    values = [raw[n] for n in names] if isinstance(raw, dict) else list(raw)
    return dict(
        zip(("auc_bps", "ks_bps", "gini_bps", "psi_bps", "sample_size"), values, strict=True)
    )


def model_registered(session: Session, a: Args, ev: Event) -> None:
    session.add(
        Model(
            model_id=a["modelId"],
            model_index=a["modelIndex"],
            attester_id=a["attesterId"],
            metadata_uri=a["metadataURI"],
            registered_block=ev.block_number,
            **_metrics(a["metrics"]),
        )
    )


def attested(session: Session, a: Args, ev: Event) -> None:
    session.add(
        OnchainRecord(
            key=a["commitment"],
            kind="single",
            attester_id=a["attesterId"],
            model_id=a["modelId"],
            issued_at=a["issuedAt"],
            expires_at=a["expiresAt"],
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
        )
    )


def batch_anchored(session: Session, a: Args, ev: Event) -> None:
    session.add(
        OnchainRecord(
            key=a["root"],
            kind="batch",
            attester_id=a["attesterId"],
            model_id=a["modelId"],
            count=a["count"],
            issued_at=a["issuedAt"],
            expires_at=a["expiresAt"],
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
        )
    )


def revoked(session: Session, a: Args, _: Event) -> None:
    row = session.get(OnchainRecord, (a["attesterId"], a["key"]))
    if row is None:
        raise LookupError(f"revocation of unindexed record {a['key']}")
    row.revoked_at, row.revocation_reason = a["revokedAt"], a["reason"]


def batch_leaf_revoked(session: Session, a: Args, ev: Event) -> None:
    session.add(
        LeafRevocation(
            commitment=a["commitment"],
            root=a["root"],
            attester_id=a["attesterId"],
            reason=a["reason"],
            revoked_at=a["revokedAt"],
            block_number=ev.block_number,
        )
    )


# -- runs of events, one statement each ------------------------------------------------


def _record_row(a: Args, ev: Event, kind: str) -> dict[str, Any]:
    return {
        "key": a["commitment"] if kind == "single" else a["root"],
        "kind": kind,
        "attester_id": a["attesterId"],
        "model_id": a["modelId"],
        "count": a.get("count", 0),
        "issued_at": a["issuedAt"],
        "expires_at": a["expiresAt"],
        "revoked_at": None,
        "revocation_reason": None,
        "block_number": ev.block_number,
        "tx_hash": ev.tx_hash,
    }


_RECORDS = OnchainRecord.__table__  # type: ignore[attr-defined]


_RECORD_COLUMNS = (
    "key",
    "kind",
    "attester_id",
    "model_id",
    "count",
    "issued_at",
    "expires_at",
    "revoked_at",
    "revocation_reason",
    "block_number",
    "tx_hash",
)
_LEAF_COLUMNS = ("commitment", "root", "attester_id", "reason", "revoked_at", "block_number")


def attested_many(session: Session, run: list[Event]) -> None:
    rows = [_record_row(e.args, e, "single") for e in run]
    executemany(session.connection(), insert_of(_RECORDS, _RECORD_COLUMNS), rows)


def batches_anchored(session: Session, run: list[Event]) -> None:
    rows = [_record_row(e.args, e, "batch") for e in run]
    executemany(session.connection(), insert_of(_RECORDS, _RECORD_COLUMNS), rows)


_REVOKE = (
    update(_RECORDS)
    .where(_RECORDS.c.attester_id == bindparam("a"), _RECORDS.c.key == bindparam("k"))
    .values(revoked_at=bindparam("at"), revocation_reason=bindparam("why"))
)


def revoked_many(session: Session, run: list[Event]) -> None:
    params = [
        {
            "a": e.args["attesterId"],
            "k": e.args["key"],
            "at": e.args["revokedAt"],
            "why": e.args["reason"],
        }
        for e in run
    ]
    connection = session.connection()
    changed = executemany(connection, _REVOKE, params)
    if connection.dialect.supports_sane_multi_rowcount and changed == len(params):
        return
    keys = [(p["a"], p["k"]) for p in params]
    known = set(
        session.execute(
            select(OnchainRecord.attester_id, OnchainRecord.key).where(
                tuple_(OnchainRecord.attester_id, OnchainRecord.key).in_(keys)
            )
        ).all()
    )
    for attester_id, key in keys:
        if (attester_id, key) not in known:
            raise LookupError(f"revocation of unindexed record {key}")


def leaves_revoked(session: Session, run: list[Event]) -> None:
    rows = [
        {
            "commitment": e.args["commitment"],
            "root": e.args["root"],
            "attester_id": e.args["attesterId"],
            "reason": e.args["reason"],
            "revoked_at": e.args["revokedAt"],
            "block_number": e.block_number,
        }
        for e in run
    ]
    table = LeafRevocation.__table__  # type: ignore[attr-defined]
    executemany(session.connection(), insert_of(table, _LEAF_COLUMNS), rows)


REGISTRY_PROJECTION = Projection(
    handlers={
        "AttesterRegistered": attester_registered,
        "AttesterSuspended": attester_suspended,
        "AttesterReinstated": attester_reinstated,
        "AttesterKeyRotated": attester_key_rotated,
        "ModelRegistered": model_registered,
        "Attested": attested,
        "BatchAnchored": batch_anchored,
        "Revoked": revoked,
        "BatchLeafRevoked": batch_leaf_revoked,
    },
    tables=[LeafRevocation, OnchainRecord, Model, Attester],
    bulk={
        "Attested": attested_many,
        "BatchAnchored": batches_anchored,
        "Revoked": revoked_many,
        "BatchLeafRevoked": leaves_revoked,
    },
)
