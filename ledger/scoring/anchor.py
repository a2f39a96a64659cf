"""Anchor scorecards on chain: register models, attest scores, recompute disclosed scores.

The model id is the keccak-256 of the artifact's canonical bytes, so whoever holds the
artifact can check which model an attestation names, and recompute a score from an
applicant's disclosed inputs. Artifacts the service registers are kept in its model
store (``<data dir>/models/<model id>.json``) so that it can score and re-check later.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ledger.attest.records import RecordError, ScoreRecord, SealedRecord
from ledger.attest.registry import Registry
from ledger.attest.service import AttestationService
from ledger.scoring.artifact import canonical_bytes, model_id, registration_payload, write_artifact
from ledger.scoring.errors import ArtifactError, ScoringError
from ledger.scoring.score import Scorecard, ScoredRow
from ledger.scoring.strategy import DECISIONS, check_strategy, decide, strategy_id


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

    def strategy(self, sid: str, card: Scorecard) -> dict[str, Any]:
        """The stored strategy ``sid``, checked to be a strategy of ``card``."""
        path = self.path(sid)
        if not path.exists():
            raise ArtifactError(f"no strategy {sid} in the model store", column="strategy_id")
        return check_strategy(json.loads(path.read_bytes()), card)


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
    canonical_bytes(artifact)  # rejects floats before anything is written
    mid = store.put(artifact)
    reg = registration_payload(store.path(mid), uri=uri)
    already = registry.model(reg.model_id) is not None
    if not already:
        metrics = (reg.auc_bps, reg.ks_bps, reg.gini_bps, reg.psi_bps, reg.sample_size)
        registry.register_model(reg.model_id, uri, metrics, idempotency_key=f"model:{mid}")
    return Registered(mid, reg.metrics(), reg.sample_size, already)


def register_strategy(
    registry: Registry, store: ModelStore, strategy: dict[str, Any], uri: str
) -> Registered:
    """Register a cut-off strategy beside its model, through the model registration.

    The strategy's id (keccak-256 of its canonical bytes) and URI go on chain as a model
    entry whose metrics are those of the model it applies to (the strategy adds cut-offs,
    not discrimination); the strategy artifact names that model. Its model must be
    registered first.
    """
    check_strategy(strategy)
    model = registry.model(bytes.fromhex(strategy["model_id"][2:]))
    if model is None:
        raise ArtifactError(
            f"model {strategy['model_id']} is not registered: register the model first",
            column="model_id",
        )
    sid = store.put(strategy)
    already = registry.model(bytes.fromhex(sid[2:])) is not None
    m = model.metrics
    if not already:
        registry.register_model(
            bytes.fromhex(sid[2:]), uri, tuple(m), idempotency_key=f"strategy:{sid}"
        )
    metrics = {"auc": m[0], "ks": m[1], "gini": m[2], "psi": m[3]}
    return Registered(sid, metrics, m[4], already)


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
    strategy: Mapping[str, Any] | None = None,
) -> list[ScoreRecord]:
    """One record per scored row, naming the model and carrying grade, PD and reasons
    (codes and texts); under a strategy, also its id and the decision it gives."""
    now = int(time.time())
    sid = bytes.fromhex(strategy_id(dict(strategy))[2:]) if strategy else None
    records = []
    for i, (subject, row) in enumerate(zip(subject_ids, rows, strict=True), start=1):
        try:
            records.append(_record(service, card, subject, row, now, valid_days, strategy, sid))
        except RecordError as exc:  # the row and the record field at fault
            raise ScoringError(exc.reason, column=exc.field, row=i) from None
    return records


def _record(
    service: AttestationService,
    card: Scorecard,
    subject: str,
    row: ScoredRow,
    now: int,
    valid_days: int,
    strategy: Mapping[str, Any] | None,
    sid: bytes | None,
) -> ScoreRecord:
    record = service.new_record(
        subject_id=subject,
        score=row.score,
        grade=row.grade,
        model_id=card.model_id,
        issued_at=now,
        expires_at=now + valid_days * 86_400,
        pd_bps=row.pd_bps,
        reasons=row.reasons or None,
    )
    extra: dict[str, Any] = {"reason_texts": tuple(row.reason_texts) or None}
    if strategy:
        decision = DECISIONS[int(decide(np.array([row.score]), strategy["cutoffs"])[0])]
        extra |= {"strategy": sid, "decision": decision}
    return dataclasses.replace(record, **extra)


def attest_scores(
    service: AttestationService,
    card: Scorecard,
    subject_ids: Sequence[str],
    rows: Sequence[ScoredRow],
    *,
    valid_days: int = 365,
    mode: str = "batch",
    strategy: Mapping[str, Any] | None = None,
) -> list[SealedRecord]:
    records = score_records(
        service, card, subject_ids, rows, valid_days=valid_days, strategy=strategy
    )
    return service.issue(records, mode=mode)


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
