"""Guard rails on candidate columns, before anything is binned.

A column that identifies a row (near-unique text, every integer distinct), holds dates,
or describes a protected characteristic is not a feature unless the analyst allows it
by name. Each exclusion is a ``Finding`` with its reason, so the report can list it.
Protected characteristics are recognised by name: the analyst's own list plus
``PROTECTED_NAMES``, matched against the words of the column name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np

# The highest score a record may carry (ledger.attest.fields.SCORE_MAX; a test keeps them
# equal): every card's score range lies within 0..SCORE_MAX.
SCORE_MAX = 1000
# Checks that fail the fit under --strict (a protected column's exclusion is policy, not a fault).
STRICT_CHECKS = frozenset({"identifier", "date", "min_bin_share", "monotonic", "stability"})
# Words (or word pairs) of a column name that mark a protected characteristic.
PROTECTED_NAMES: tuple[str, ...] = (
    "sex",
    "gender",
    "marital",
    "personal_status",
    "age",
    "nationality",
    "foreign",
    "race",
    "ethnicity",
    "ethnic",
    "religion",
)
# Text columns with at least this share of distinct values among present cells identify rows.
NEAR_UNIQUE = 0.9
# A column is date-like when at least this share of its present cells parse as dates.
DATE_SHARE = 0.9
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y%m%d",
)
_DATE_SHAPE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{2}:\d{2}(:\d{2})?)?|\d{8}")
_SAMPLE = 200  # cells tried per column: enough to tell, cheap on millions of rows


@dataclass(frozen=True)
class Finding:
    """One guard-rail outcome: ``action`` is excluded, merged, neutralised or flagged."""

    column: str
    check: str
    action: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {
            "column": self.column,
            "check": self.check,
            "action": self.action,
            "detail": self.detail,
        }


def is_protected(name: str, extra: tuple[str, ...] = ()) -> bool:
    """Whether ``name`` is in ``extra`` or its words contain one of ``PROTECTED_NAMES``."""
    if name in extra:
        return True
    words = [w for w in re.split(r"[^a-z0-9]+", _snake(name)) if w]
    joined = "_" + "_".join(words) + "_"
    return any(f"_{p}_" in joined for p in PROTECTED_NAMES)


def _snake(name: str) -> str:
    """``MaritalStatus`` -> ``marital_status``; already snake or plain names are unchanged."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def looks_like_dates(present: np.ndarray) -> bool:
    """Whether most present cells (text) parse as calendar dates in a common format."""
    sample = present[:: max(1, len(present) // _SAMPLE)][:_SAMPLE]
    if sample.size == 0:
        return False
    hits = sum(1 for cell in sample if _is_date(str(cell)))
    return hits >= DATE_SHARE * len(sample)


def _is_date(cell: str) -> bool:
    if not _DATE_SHAPE.fullmatch(cell):
        return False
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(cell, fmt)
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return True
    return False


def identifier_reason(present: np.ndarray, numbers: np.ndarray | None) -> str | None:
    """Why a column identifies rows, or None. ``numbers``: the parsed values if numeric."""
    if numbers is not None:
        x = numbers[~np.isnan(numbers)]
        if x.size > 2 and np.all(x == np.round(x)):
            s = np.sort(x)
            if np.all(np.diff(s) == 1):
                return "row identifier (distinct consecutive integers)"
        return None
    distinct = len(set(present.tolist()))
    if present.size > 2 and distinct >= NEAR_UNIQUE * present.size:
        return f"identifier-like ({distinct} distinct values in {present.size} rows)"
    return None


def column_finding(
    name: str,
    present: np.ndarray,
    numbers: np.ndarray | None,
    protected: tuple[str, ...],
    allowed: tuple[str, ...],
) -> Finding | None:
    """The reason a candidate column is excluded before binning, or None to keep it."""
    if name in allowed:
        return None
    if is_protected(name, protected):
        return Finding(name, "protected", "excluded", "protected characteristic")
    reason = identifier_reason(present, numbers)
    if reason is not None:
        return Finding(name, "identifier", "excluded", reason)
    cells = present if numbers is None else present.astype(str)
    if (numbers is None or np.all(numbers[~np.isnan(numbers)] >= 19000101)) and looks_like_dates(
        cells
    ):
        return Finding(name, "date", "excluded", "date-like (values parse as calendar dates)")
    return None
