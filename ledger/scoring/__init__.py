"""Credit scorecards: fit (``fit``), score from the artifact alone (``score``), validate,
explain and report. Importing this package loads only the scoring path (numpy); the
fitting libraries load with ``ledger.scoring.fit``.
"""

from ledger.scoring.artifact import ModelRegistration, registration_payload
from ledger.scoring.data import Coded, Table, read_csv
from ledger.scoring.errors import ScoringError
from ledger.scoring.score import FeaturePoints, Scorecard, ScoredRow, Scores

__all__ = [
    "Coded",
    "FeaturePoints",
    "ModelRegistration",
    "Scorecard",
    "ScoredRow",
    "Scores",
    "ScoringError",
    "Table",
    "read_csv",
    "registration_payload",
]
