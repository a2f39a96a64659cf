"""Projections of AttestationRegistry events into the attester, model and record tables."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ledger.indexer.core import Projection
from ledger.store.tables import Attester, EventLog, LeafRevocation, Model, OnchainRecord

Args = dict[str, Any]


def _attester(session: Session, attester_id: int) -> Attester:
    row = session.get(Attester, attester_id)
    if row is None:  # events arrive in chain order, so registration always comes first
        raise LookupError(f"event for unindexed attester {attester_id}")
    return row


def attester_registered(session: Session, a: Args, ev: EventLog) -> None:
    session.add(
        Attester(
            attester_id=a["attesterId"],
            key=a["key"],
            name=a["name"],
            metadata_uri=a["metadataURI"],
            registered_block=ev.block_number,
        )
    )


def attester_suspended(session: Session, a: Args, _: EventLog) -> None:
    row = _attester(session, a["attesterId"])
    row.suspended, row.suspended_at, row.suspension_reason = True, a["suspendedAt"], a["reason"]


def attester_reinstated(session: Session, a: Args, _: EventLog) -> None:
    row = _attester(session, a["attesterId"])
    row.suspended, row.suspended_at, row.suspension_reason = False, None, None


def attester_key_rotated(session: Session, a: Args, _: EventLog) -> None:
    _attester(session, a["attesterId"]).key = a["newKey"]


def _metrics(raw: Any) -> dict[str, int]:
    names = ("aucBps", "ksBps", "giniBps", "psiBps", "sampleSize")
    values = [raw[n] for n in names] if isinstance(raw, dict) else list(raw)
    return dict(
        zip(("auc_bps", "ks_bps", "gini_bps", "psi_bps", "sample_size"), values, strict=True)
    )


def model_registered(session: Session, a: Args, ev: EventLog) -> None:
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


def attested(session: Session, a: Args, ev: EventLog) -> None:
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


def batch_anchored(session: Session, a: Args, ev: EventLog) -> None:
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


def revoked(session: Session, a: Args, _: EventLog) -> None:
    row = session.get(OnchainRecord, (a["attesterId"], a["key"]))
    if row is None:
        raise LookupError(f"revocation of unindexed record {a['key']}")
    row.revoked_at, row.revocation_reason = a["revokedAt"], a["reason"]


def batch_leaf_revoked(session: Session, a: Args, ev: EventLog) -> None:
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
)
