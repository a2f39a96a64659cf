"""Scoring-model drift: PSI of the scores a model issued recently against its development sample.

The development sample is the training-score deciles recorded in the scorecard artifact
(``psi_reference``); the recent scores are the records this service sealed for the model in
the last ``window_days`` (their ``score`` field). PSI uses the scoring package's own
functions, so it is the same number ``credence score report`` shows; it is reported in basis
points rounded down. Fewer than ``min_scores`` recent scores give no verdict.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
from sqlmodel import Session, select

from ledger.attest import record_state
from ledger.monitor.alerts import Alert, EventRef
from ledger.scoring.score import Scorecard
from ledger.scoring.validate import drift, to_bps
from ledger.store.tables import IssuedRecord, OnchainRecord

DAY = 86_400
MAX_EVENTS = 5


def model_drift(
    session: Session,
    now: int,
    artifacts: dict[str, Path],
    *,
    threshold_bps: int,
    window_days: int,
    min_scores: int,
) -> list[Alert]:
    alerts = []
    for model_id, path in artifacts.items():
        card = Scorecard.load(path)
        rows = record_state.load(
            session,
            record_state.select_records(
                IssuedRecord.model_id == model_id.lower(),
                record_state.STATUS == "anchored",
                IssuedRecord.created_at > now - window_days * DAY,
            ),
        )
        scores = [orjson.loads(r.sealed)["fields"].get("score") for r in rows]
        scores = [s for s in scores if isinstance(s, int)]
        if len(scores) < min_scores:
            continue
        psi_bps = to_bps(drift(card, np.array(scores)))
        if psi_bps <= threshold_bps:
            continue
        keys = sorted({r.batch_root or r.commitment for r in rows})[:MAX_EVENTS]
        anchors = session.exec(select(OnchainRecord).where(OnchainRecord.key.in_(keys)))  # type: ignore[attr-defined]
        alerts.append(
            Alert(
                kind="model_drift",
                subject=model_id.lower(),
                figure="psi_bps",
                value=psi_bps,
                threshold=threshold_bps,
                comparison=">",
                message=(
                    f"model {model_id[:10]}…: PSI {psi_bps} bps of {len(scores)} scores issued in "
                    f"the last {window_days} days against its development sample "
                    f"(threshold {threshold_bps} bps)"
                ),
                events=tuple(
                    EventRef(
                        "Attested" if a.kind == "single" else "BatchAnchored",
                        a.tx_hash,
                        a.block_number,
                    )
                    for a in anchors
                ),
            )
        )
    return alerts
