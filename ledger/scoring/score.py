"""Scoring from the artifact alone: numpy and the standard library, nothing fitted here.

Each feature maps a column to *slots*: its regular bins 0..k-1, then ``Special``,
``Missing`` and (categorical only) ``Unseen``. Numeric cells go to a bin by
``searchsorted`` against the split points (bin i holds splits[i-1] <= x < splits[i]);
categorical cells by a dictionary of category -> bin. A row's score is the artifact's
integer base points plus the integer points of its slot in every feature, so the score
is exact on every machine, and a row scores the same alone as in any batch because
rows never interact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ledger.scoring.artifact import model_id, read_artifact
from ledger.scoring.data import Coded, Table
from ledger.scoring.errors import ArtifactError, ExtraColumnError, MissingColumnError, ScoringError
from ledger.scoring.feature import Column, Feature, compile_feature

__all__ = ["Column", "Feature", "FeaturePoints", "Scorecard", "ScoredRow", "Scores"]

DEFAULT_REASONS = 4


@dataclass(frozen=True)
class FeaturePoints:
    """One feature's part in one applicant's score."""

    feature: str
    value: str
    bin: str
    points: int
    max_points: int
    reason_code: str
    reason_text: str = ""

    @property
    def shortfall(self) -> int:
        """Points lost against the best attainable bin of this feature."""
        return self.max_points - self.points


@dataclass(frozen=True)
class ScoredRow:
    score: int
    grade: str
    pd_bps: int
    reasons: list[str]
    details: list[FeaturePoints]

    @property
    def reason_texts(self) -> list[str]:
        """The texts of ``reasons``, in the same order (the bin each reason's feature fell in)."""
        by_code = {d.reason_code: d.reason_text for d in self.details}
        return [by_code[code] for code in self.reasons]


class Scorecard:
    """A compiled artifact: vectorised scoring, grades, PD and adverse reasons."""

    def __init__(self, artifact: dict[str, Any]):
        self.artifact = artifact
        try:
            self.features = tuple(compile_feature(f) for f in artifact["features"])
            self.base_points = int(artifact["base_points"])
            columns = artifact["columns"]
            self.known_columns = frozenset(columns["features"]) | frozenset(columns["ignored"])
            grades = artifact["grades"]
            self.grade_names = tuple(g["name"] for g in grades)
            mins = [g["min_score"] for g in grades[:-1]][::-1]
            self._grade_mins = np.array(mins, dtype=np.int64)
            self._pd_min = int(artifact["pd_bps"]["min_score"])
            self._pd = np.array(artifact["pd_bps"]["values"], dtype=np.int64)
            # Cards fitted before score ranges existed have none: their scores are unclamped.
            bounds = artifact.get("score_range")
            self.score_range = (int(bounds["min"]), int(bounds["max"])) if bounds else None
        except (KeyError, TypeError, ValueError) as e:
            raise ArtifactError(f"malformed scorecard artifact: {e!r}") from None
        self._reason_keys = self._shortfall_keys()

    @classmethod
    def load(cls, path: str | Path) -> Scorecard:
        return cls(read_artifact(path))

    @cached_property
    def model_id(self) -> str:
        return model_id(self.artifact)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def check_columns(self, names: Iterable[str], ignore: Iterable[str] = ()) -> None:
        """A feature column missing, or a column neither a feature nor known-ignored, is an error."""
        names = list(names)
        for f in self.features:
            if f.name not in names:
                raise MissingColumnError("the model needs this column", column=f.name)
        allowed = self.known_columns | set(ignore)
        for name in names:
            if name not in allowed:
                raise ExtraColumnError(
                    "is not a column of this model (pass it as ignored to keep it)", column=name
                )

    def score_columns(
        self, columns: Mapping[str, Column], *, strict: bool = False, ignore: Iterable[str] = ()
    ) -> Scores:
        """Score a batch given as columns: text or number arrays, or dictionary-encoded text."""
        self.check_columns(columns, ignore)
        n = len(columns[self.features[0].name]) if self.features else 0
        # Slots are kept small (a feature has at most a few dozen); points are recomputed
        # from them only when reasons are asked for.
        slots = np.empty((len(self.features), n), dtype=np.int8)
        score = np.full(n, self.base_points, dtype=np.int64)
        for j, f in enumerate(self.features):
            feature_slots = f.slots(columns[f.name], strict=strict)
            slots[j] = feature_slots
            score += f.points[feature_slots]
        if self.score_range is not None:
            np.clip(score, *self.score_range, out=score)
        return Scores(self, slots, score)

    def row_errors(
        self, columns: Mapping[str, Column], *, strict: bool = False, ignore: Iterable[str] = ()
    ) -> dict[int, ScoringError]:
        """Rows (0-based) that cannot be scored, each with its first error (by feature order).

        Column-level problems (a feature column missing, an unknown column) still raise:
        they concern every row.
        """
        self.check_columns(columns, ignore)
        errors: dict[int, ScoringError] = {}
        for f in self.features:
            for i, error in f.bad_rows(columns[f.name], strict).items():
                errors.setdefault(i, error)
        return dict(sorted(errors.items()))

    def score_table(
        self, table: Table, *, strict: bool = False, ignore: Iterable[str] = ()
    ) -> Scores:
        return self.score_columns(table.columns, strict=strict, ignore=ignore)

    def score_rows(
        self,
        records: Sequence[Mapping[str, object]],
        *,
        strict: bool = False,
        ignore: Iterable[str] = (),
        top: int = DEFAULT_REASONS,
    ) -> list[ScoredRow]:
        """Score applicants given as dicts of column -> value (the API's entry point)."""
        table = Table.from_records(records)
        return self.score_table(table, strict=strict, ignore=ignore).rows(top, table.columns)

    def grade_index(self, score: np.ndarray) -> np.ndarray:
        """Index into ``grade_names``: the first band (best first) whose minimum the score meets."""
        return len(self._grade_mins) - np.searchsorted(self._grade_mins, score, side="right")

    def pd_bps(self, score: np.ndarray) -> np.ndarray:
        i = np.asarray(score, dtype=np.int64) - self._pd_min
        if i.size and (i.min() < 0 or i.max() >= len(self._pd)):
            raise ArtifactError(
                "score outside the artifact's PD table; the artifact is inconsistent"
            )
        return self._pd[i]

    def _shortfall_keys(self) -> list[np.ndarray]:
        """Per feature and slot, one integer that orders (shortfall desc, feature order);
        distinct across features, and -1 where the slot loses no points."""
        n = len(self.features)
        return [
            np.where(
                f.max_points - f.points > 0, (f.max_points - f.points) * n + (n - 1 - j), -1
            ).astype(np.int32)
            for j, f in enumerate(self.features)
        ]

    def reasons(self, slots: np.ndarray, top: int = DEFAULT_REASONS) -> np.ndarray:
        """(rows, top) feature indices of the largest shortfalls, -1 where none is left.

        ``slots`` is (features, rows). Shortfall = best attainable points of the feature
        minus the row's points; only shortfalls > 0 are reasons. Larger shortfalls come
        first, equal ones in artifact feature order.
        """
        n_features, n = slots.shape
        best = [np.full(n, -1, dtype=np.int32) for _ in range(min(top, n_features))]
        spare = np.empty(n, dtype=np.int32)
        for keys, feature_slots in zip(self._reason_keys, slots, strict=True):
            candidate = keys[feature_slots.astype(np.intp)]
            for k, level in enumerate(best):  # bubble the candidate into the running top list
                np.maximum(level, candidate, out=spare)
                np.minimum(level, candidate, out=candidate)
                best[k], spare = spare, level
        best = np.stack(best)
        return np.where(best >= 0, n_features - 1 - best % n_features, -1).T


@dataclass(frozen=True)
class Scores:
    """A scored batch: integer scores, and what is needed to explain each one.

    ``slots`` and ``points`` are (features, rows).
    """

    card: Scorecard
    slots: np.ndarray
    score: np.ndarray

    @cached_property
    def points(self) -> np.ndarray:
        out = np.empty(self.slots.shape, dtype=np.int64)
        for j, f in enumerate(self.card.features):
            out[j] = f.points[self.slots[j]]
        return out

    def __len__(self) -> int:
        return len(self.score)

    @cached_property
    def grade_index(self) -> np.ndarray:
        return self.card.grade_index(self.score)

    @property
    def grades(self) -> list[str]:
        names = self.card.grade_names
        return [names[i] for i in self.grade_index]

    @cached_property
    def pd_bps(self) -> np.ndarray:
        return self.card.pd_bps(self.score)

    def reason_texts(self, top: int = DEFAULT_REASONS) -> list[list[str]]:
        """Per row, the text of the bin each reason's feature fell in, in reason order."""
        reasons = self.card.reasons(self.slots, top)
        feats = self.card.features
        return [
            [feats[j].texts[self.slots[j, i]] for j in row if j >= 0]
            for i, row in enumerate(reasons)
        ]

    def reason_codes(self, top: int = DEFAULT_REASONS) -> list[list[str]]:
        codes = [f.reason_code for f in self.card.features]
        reasons = self.card.reasons(self.slots, top)
        return [[codes[j] for j in row if j >= 0] for row in reasons]

    def details(self, i: int, values: Mapping[str, Column] | None = None) -> list[FeaturePoints]:
        """Points per feature for row ``i`` (0-based), with the input values if given."""
        values = values or {}
        return [
            FeaturePoints(
                f.name,
                _cell(values[f.name], i) if f.name in values else "",
                f.labels[self.slots[j, i]],
                int(self.points[j, i]),
                f.max_points,
                f.reason_code,
                f.texts[self.slots[j, i]],
            )
            for j, f in enumerate(self.card.features)
        ]

    def rows(
        self, top: int = DEFAULT_REASONS, values: Mapping[str, Column] | None = None
    ) -> list[ScoredRow]:
        grades, codes = self.grades, self.reason_codes(top)
        return [
            ScoredRow(
                int(self.score[i]),
                grades[i],
                int(self.pd_bps[i]),
                codes[i],
                self.details(i, values),
            )
            for i in range(len(self))
        ]


def _cell(column: Column, i: int) -> str:
    if isinstance(column, Coded):
        code = column.codes[i]
        return "" if code < 0 else str(column.categories[code])
    return str(column[i])
