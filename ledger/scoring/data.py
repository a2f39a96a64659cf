"""Reading CSV input into string columns, and the missing-value and number rules.

One reader serves fitting and scoring so that both see exactly the same values: every
cell is read as text and stripped of surrounding spaces; a cell equal to one of
``MISSING_TOKENS`` is missing; a number is whatever Python's ``float()`` accepts, which
parses decimal text to the nearest IEEE-754 double on every machine.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ledger.scoring.errors import EmptyInputError, MalformedInputError, NonNumericValueError

MISSING_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "nan", "NULL", "null")


@dataclass(frozen=True)
class Table:
    """Columns of stripped text cells (object arrays), in file order."""

    columns: dict[str, np.ndarray]
    n_rows: int

    @classmethod
    def from_rows(cls, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
        _check_header(header)
        for i, row in enumerate(rows, start=1):
            if len(row) != len(header):
                raise MalformedInputError(
                    f"has {len(row)} fields, the header has {len(header)}", row=i
                )
        if not rows:
            raise EmptyInputError("no data rows after the header")
        cells = np.array(rows, dtype=object).reshape(len(rows), len(header))
        stripped = np.vectorize(str.strip, otypes=[object])(cells)
        return cls({name: stripped[:, j] for j, name in enumerate(header)}, len(rows))

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, object]]) -> Table:
        """Rows as dicts (all with the same keys); values are turned into text."""
        if not records:
            raise EmptyInputError("no rows")
        header = list(records[0])
        rows = []
        for i, rec in enumerate(records, start=1):
            if rec.keys() != records[0].keys():
                odd = sorted(set(rec) ^ set(header))[0]
                raise MalformedInputError("is in some rows and not in others", column=odd, row=i)
            rows.append([_as_text(rec[name]) for name in header])
        return cls.from_rows(header, rows)

    def take(self, rows: Sequence[int] | np.ndarray) -> Table:
        """The given rows (0-based), in that order."""
        idx = np.asarray(rows, dtype=np.intp)
        return Table({name: cells[idx] for name, cells in self.columns.items()}, len(idx))


@dataclass(frozen=True)
class Coded:
    """A dictionary-encoded text column (as in Arrow, Parquet or pandas categoricals).

    Row i holds ``categories[codes[i]]``; code -1 is a missing cell. Scoring looks up
    each distinct category once instead of once per row.
    """

    categories: np.ndarray
    codes: np.ndarray

    @classmethod
    def encode(cls, cells: np.ndarray) -> Coded:
        categories, codes = np.unique(cells.astype(str), return_inverse=True)
        present = ~np.isin(categories, MISSING_TOKENS)
        remap = np.where(present, np.cumsum(present) - 1, -1)
        return cls(categories[present].astype(object), remap[codes])

    def __len__(self) -> int:
        return len(self.codes)

    def decode(self) -> np.ndarray:
        return np.append(self.categories, "").astype(object)[self.codes]


def read_csv(path: str | Path) -> Table:
    """Read a CSV with a header row; raise a ScoringError for an empty or ragged file."""
    name = Path(path).name
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise EmptyInputError(f"{name} is empty (no header row)")
            rows = [r for r in reader if r]
    except UnicodeDecodeError as exc:  # a ValueError, but not ours: name the file
        raise MalformedInputError(f"{name} is not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise MalformedInputError(f"{name} is not a readable CSV ({exc})") from None
    return Table.from_rows([h.strip() for h in header], rows)


def missing_mask(cells: np.ndarray) -> np.ndarray:
    return np.isin(cells, MISSING_TOKENS)


def parse_numbers(cells: np.ndarray, column: str) -> np.ndarray:
    """Text cells to float64 with NaN for missing; text that is not a number is an error."""
    if cells.dtype.kind in "fiub":
        return np.asarray(cells, dtype=np.float64)
    out = np.full(len(cells), np.nan)
    present = ~missing_mask(cells)
    try:
        out[present] = cells[present].astype(np.float64)
    except (TypeError, ValueError):
        row = first_non_number(cells)
        raise NonNumericValueError(
            f"{cells[row - 1]!r} is not a number", column=column, row=row
        ) from None
    return out


def first_non_number(cells: np.ndarray) -> int:
    """1-based row of the first present cell that is not a number (0 if none)."""
    for i, cell in enumerate(cells, start=1):
        if cell not in MISSING_TOKENS and not is_number(cell):
            return i
    return 0


def is_number(cell: object) -> bool:
    try:
        float(cell)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _check_header(header: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if not name:
            raise MalformedInputError("the header has an empty column name")
        if name in seen:
            raise MalformedInputError("appears twice in the header", column=name)
        seen.add(name)


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)
