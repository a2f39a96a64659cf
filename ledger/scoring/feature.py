"""One scorecard feature compiled from the artifact: cells to slots, and row checks.

Slots are the feature's regular bins 0..k-1, then ``Special``, ``Missing`` and
(categorical only) ``Unseen``; see ``ledger.scoring.score`` for how points add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ledger.scoring.data import MISSING_TOKENS, Coded, is_number, parse_numbers
from ledger.scoring.errors import (
    ArtifactError,
    NonNumericValueError,
    ScoringError,
    UnseenCategoryError,
)
from ledger.scoring.texts import bin_text

Column = np.ndarray | Coded


class _SlotLookup(dict[str, int]):
    """Category -> slot; anything unknown goes to the Unseen slot."""

    def __init__(self, mapping: Mapping[str, int], unseen: int):
        super().__init__(mapping)
        self.unseen = unseen

    def __missing__(self, key: str) -> int:
        return self.unseen


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str
    reason_code: str
    labels: tuple[str, ...]
    texts: tuple[str, ...]
    points: np.ndarray
    max_points: int
    splits: np.ndarray | None = None
    special: np.ndarray | None = None
    lookup: _SlotLookup | None = None

    @property
    def n_bins(self) -> int:
        return len(self.labels) - (3 if self.kind == "categorical" else 2)

    @property
    def special_slot(self) -> int:
        return self.n_bins

    @property
    def missing_slot(self) -> int:
        return self.n_bins + 1

    def slots(self, cells: Column, *, strict: bool = False) -> np.ndarray:
        if self.kind == "numeric":
            return self._numeric_slots(cells.decode() if isinstance(cells, Coded) else cells)
        if isinstance(cells, Coded):
            return self._coded_slots(cells, strict)
        return self._categorical_slots(cells, strict)

    def _numeric_slots(self, cells: np.ndarray) -> np.ndarray:
        x = parse_numbers(cells, self.name)
        # The bin is the number of split points <= x (searchsorted side="right"); a few
        # vectorised comparisons beat a binary search per row for the <= 20 splits here.
        slots = np.zeros(len(x), dtype=np.intp)
        for split in self.splits:
            slots += x >= split
        if self.special.size:
            slots[np.isin(x, self.special)] = self.special_slot
        slots[np.isnan(x)] = self.missing_slot
        return slots

    def _categorical_slots(self, cells: np.ndarray, strict: bool) -> np.ndarray:
        slots = np.fromiter(map(self.lookup.__getitem__, cells), dtype=np.intp, count=len(cells))
        if strict:
            self._reject_unseen(slots, cells.__getitem__)
        return slots

    def _coded_slots(self, cells: Coded, strict: bool) -> np.ndarray:
        per_code = [self.lookup[c] for c in cells.categories]
        slots = np.array([*per_code, self.missing_slot], dtype=np.intp)[cells.codes]
        if strict:
            self._reject_unseen(slots, lambda i: cells.categories[cells.codes[i]])
        return slots

    def bad_rows(self, cells: Column, strict: bool) -> dict[int, ScoringError]:
        """0-based row -> the error that row alone would raise (for scoring the good rows)."""
        if isinstance(cells, Coded):
            cells = cells.decode()
        out: dict[int, ScoringError] = {}
        if self.kind == "numeric":
            if cells.dtype.kind in "fiub" or _all_numbers(cells):
                return out
            for i, cell in enumerate(cells):
                if cell not in MISSING_TOKENS and not is_number(cell):
                    out[i] = NonNumericValueError(
                        f"{cell!r} is not a number", column=self.name, row=i + 1
                    )
        elif strict:
            for i, cell in enumerate(cells):
                if self.lookup[str(cell)] == self.lookup.unseen:
                    out[i] = UnseenCategoryError(
                        f"category {cell!r} was not seen in training", column=self.name, row=i + 1
                    )
        return out

    def _reject_unseen(self, slots: np.ndarray, value_at: Any) -> None:
        unseen = np.flatnonzero(slots == self.lookup.unseen)
        if unseen.size:
            row = int(unseen[0])
            raise UnseenCategoryError(
                f"category {value_at(row)!r} was not seen in training",
                column=self.name,
                row=row + 1,
            )


def _all_numbers(cells: np.ndarray) -> bool:
    """Whether every present cell parses as a number (one vectorised try, the common case)."""
    try:
        cells[~np.isin(cells, MISSING_TOKENS)].astype(np.float64)
    except (TypeError, ValueError):
        return False
    return True


def compile_feature(spec: dict[str, Any]) -> Feature:
    bins = spec["bins"]
    trained = [b["points"] for b in bins if b["count"] > 0]
    common = {
        "name": spec["name"],
        "kind": spec["type"],
        "reason_code": spec["reason_code"],
        "labels": tuple(b["label"] for b in bins),
        "texts": tuple(b.get("reason_text") or bin_text(spec["name"], b["label"]) for b in bins),
        "points": np.array([b["points"] for b in bins], dtype=np.int64),
        "max_points": max(trained) if trained else 0,
    }
    if len(bins) > np.iinfo(np.int8).max:
        raise ArtifactError("has more bins than a scorecard feature may", column=spec["name"])
    if spec["type"] == "numeric":
        return Feature(
            **common,
            splits=np.array([float(s) for s in spec["splits"]], dtype=np.float64),
            special=np.array([float(s) for s in spec["special_values"]], dtype=np.float64),
        )
    if spec["type"] == "categorical":
        n_bins = len(spec["categories"])
        mapping = {cat: i for i, group in enumerate(spec["categories"]) for cat in group}
        mapping.update({tok: n_bins + 1 for tok in MISSING_TOKENS})
        return Feature(**common, lookup=_SlotLookup(mapping, unseen=n_bins + 2))
    raise ArtifactError(f"unknown feature type {spec['type']!r}", column=spec["name"])
