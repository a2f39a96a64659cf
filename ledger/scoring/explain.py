"""Adverse-action explanations: a scored row as plain data a lender can hand over.

The reasons are the features whose points fall furthest below the best attainable points
of that feature (see ``Scorecard.reasons``); each carries its reason code, the bin the
applicant fell in, the reason in words (the bin's text from the artifact) and the points
lost.
"""

from __future__ import annotations

from typing import Any

from ledger.scoring.score import FeaturePoints, Scorecard, ScoredRow


def explanation(card: Scorecard, row: ScoredRow) -> dict[str, Any]:
    by_code = {d.reason_code: d for d in row.details}
    return {
        "model_id": card.model_id,
        "score": row.score,
        "grade": row.grade,
        "pd_bps": row.pd_bps,
        "base_points": card.base_points,
        "reasons": [_reason(by_code[code]) for code in row.reasons],
        "reason_texts": row.reason_texts,
        "points": [_points(d) for d in row.details],
    }


def _reason(d: FeaturePoints) -> dict[str, Any]:
    return {
        "code": d.reason_code,
        "text": d.reason_text,
        "feature": d.feature,
        "bin": d.bin,
        "value": d.value,
        "shortfall": d.shortfall,
    }


def _points(d: FeaturePoints) -> dict[str, Any]:
    return {
        "feature": d.feature,
        "value": d.value,
        "bin": d.bin,
        "points": d.points,
        "max_points": d.max_points,
        "reason_code": d.reason_code,
    }
