"""Anchor scorecards on chain: register models, attest scores, recompute disclosed scores.

The model id is the keccak-256 of the artifact's canonical bytes, so whoever holds the
artifact can check which model an attestation names, and recompute a score from an
applicant's disclosed inputs. Artifacts the service registers are kept in its model
store (``<data dir>/models/<model id>.json``) so that it can score and re-check later.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.attest.records import ScoreRecord, SealedRecord
from ledger.attest.registry import Registry
from ledger.attest.service import AttestationService
from ledger.scoring.artifact import canonical_bytes, model_id, registration_payload, write_artifact
from ledger.scoring.errors import ArtifactError
from ledger.scoring.schema import validate_artifact
from ledger.scoring.score import Scorecard, ScoredRow


class ModelStore:
    """Artifacts by model id, written in canonical form (so file hash == model id)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, model: str) -> Path:
        return self.directory / f"{model.lower()}.json"

    def put(self, artifact: dict[str, Any]) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        mid = model_id(artifact)
        write_artifact(artifact, self.path(mid))
        return mid

    def scorecard(self, model: str) -> Scorecard:
        path = self.path(model)
        if not path.exists():
            raise ArtifactError(f"no artifact for model {model} in the model store")
        return Scorecard.load(path)


@dataclass(frozen=True)
class Registered:
    model_id: str
    metrics: dict[str, int]
    sample_size: int
    already: bool


def register_model(
    registry: Registry, store: ModelStore, artifact: dict[str, Any], uri: str
) -> Registered:
    """Store the artifact and register its id and metrics on chain (once)."""
    validate_artifact(artifact)  # the whole shape, before anything is written
    canonical_bytes(artifact)  # and no floats
    mid = store.put(artifact)
    reg = registration_payload(store.path(mid), uri=uri)
    already = registry.model(reg.model_id) is not None
    if not already:
        metrics = (reg.auc_bp, reg.ks_bp, reg.gini_bp, reg.psi_bp, reg.sample_size)
        registry.register_model(reg.model_id, uri, metrics, idempotency_key=f"model:{mid}")
    return Registered(mid, reg.metrics(), reg.sample_size, already)


def metrics_for_api(reg: Registered) -> dict[str, int]:
    m = reg.metrics
    return {
        "auc_bps": m["auc"],
        "ks_bps": m["ks"],
        "gini_bps": m["gini"],
        "psi_bps": m["psi"],
        "sample_size": reg.sample_size,
    }


def score_records(
    service: AttestationService,
    card: Scorecard,
    subject_ids: Sequence[str],
    rows: Sequence[ScoredRow],
    *,
    valid_days: int = 365,
) -> list[ScoreRecord]:
    """One record per scored row, naming the model and carrying grade, PD and reasons."""
    now = int(time.time())
    return [
        service.new_record(
            subject_id=subject,
            score=row.score,
            grade=row.grade,
            model_id=card.model_id,
            issued_at=now,
            expires_at=now + valid_days * 86_400,
            pd_bps=row.pd_bp,
            reasons=row.reasons or None,
        )
        for subject, row in zip(subject_ids, rows, strict=True)
    ]


def attest_scores(
    service: AttestationService,
    card: Scorecard,
    subject_ids: Sequence[str],
    rows: Sequence[ScoredRow],
    *,
    valid_days: int = 365,
    mode: str = "batch",
) -> list[SealedRecord]:
    return service.issue(
        score_records(service, card, subject_ids, rows, valid_days=valid_days), mode=mode
    )


def recompute(
    card: Scorecard, inputs: Mapping[str, object], disclosed: Mapping[str, str]
) -> tuple[int, list[str]]:
    """Score ``inputs`` with the artifact; returns the score and the disagreements found."""
    [row] = card.score_rows([dict(inputs)])
    problems = []
    if "score" in disclosed and int(disclosed["score"]) != row.score:
        problems.append(
            f"score: disclosed {disclosed['score']}, the model gives {row.score} for these inputs"
        )
    if "grade" in disclosed and disclosed["grade"] != row.grade:
        problems.append(f"grade: disclosed {disclosed['grade']}, the model gives {row.grade}")
    if "model_id" in disclosed and disclosed["model_id"].lower() != card.model_id:
        problems.append("model_id: the disclosed model is not the artifact used to recompute")
    return row.score, problems


def model_store(data_dir: Path) -> ModelStore:
    return ModelStore(data_dir / "models")
