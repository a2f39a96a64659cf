"""Model drift on a real node: scores issued far below the development sample raise a PSI
alert; issuing a population like the development sample brings PSI down and clears it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from ledger import PROJECT_ROOT
from ledger.monitor.config import MonitorSettings
from ledger.monitor.engine import Monitor
from ledger.runtime import Runtime
from ledger.scoring.artifact import registration_payload, write_artifact
from ledger.scoring.data import read_csv
from ledger.scoring.fit import FitConfig, fit_scorecard

SAMPLE = PROJECT_ROOT / "data" / "samples" / "german_credit.csv"


def _issue(rt: Runtime, model_id: str, scores: np.ndarray, tag: str) -> None:
    svc = rt.attestation_service()
    now = int(time.time())
    records = [
        svc.new_record(
            subject_id=f"{tag}-{i}",
            score=int(s),
            grade="C",
            model_id=model_id,
            issued_at=now,
            expires_at=now + 365 * 86_400,
        )
        for i, s in enumerate(scores)
    ]
    try:
        svc.issue(records, mode="batch")
    finally:
        svc.close()


def test_drift_raised_then_cleared(rt: Runtime, tmp_path: Path) -> None:
    fitted = fit_scorecard(read_csv(SAMPLE), FitConfig(target="creditability", bad="bad"))
    path = tmp_path / "card.json"
    model_id = write_artifact(fitted.artifact, path)
    reg = registration_payload(path)
    rt.registry("attester").register_model(
        reg.model_id,
        "ipfs://card",
        (reg.auc_bps, reg.ks_bps, reg.gini_bps, reg.psi_bps, reg.sample_size),
    )
    monitor = Monitor(
        rt.engine,
        rt.w3,
        MonitorSettings(
            model_artifacts={model_id: path},
            psi_threshold_bps=2_500,
            drift_min_scores=100,
            webhooks=[],
        ),
    )
    train = fitted.train.scores
    low = np.full(150, int(np.percentile(train, 3)))
    _issue(rt, model_id, low, "low")
    rt.indexer().poll_once()
    raised = [r for r in monitor.evaluate().changes.raised if r.kind == "model_drift"]
    assert [r.subject for r in raised] == [model_id]
    assert raised[0].value > 2_500 and raised[0].threshold == 2_500
    events = json.loads(raised[0].events)
    assert events and events[0]["event"] == "BatchAnchored" and events[0]["block_number"] > 0

    _issue(rt, model_id, train, "dev")
    rt.indexer().poll_once()
    cleared = [r for r in monitor.evaluate().changes.cleared if r.kind == "model_drift"]
    assert [r.subject for r in cleared] == [model_id]
    assert cleared[0].cleared_at >= cleared[0].raised_at
