"""A registered model and fresh score records for tests that drive an AttestationService."""

from __future__ import annotations

import secrets
import time

from ledger.attest.records import ScoreRecord
from ledger.attest.registry import ModelMetrics
from ledger.attest.service import AttestationService


def register_model(service: AttestationService) -> str:
    model = secrets.token_bytes(32)
    service.registry.register_model(model, "ipfs://m", ModelMetrics(8000, 5000, 6000, 100, 900))
    return "0x" + model.hex()


def score_records(service: AttestationService, model_id: str, n: int) -> list[ScoreRecord]:
    """``n`` records of distinct random subjects, valid for a day."""
    now = int(time.time())
    return [
        service.new_record(
            subject_id=f"subject-{secrets.token_hex(4)}",
            score=600 + i,
            grade="B",
            model_id=model_id,
            expires_at=now + 86_400,
            issued_at=now,
        )
        for i in range(n)
    ]
