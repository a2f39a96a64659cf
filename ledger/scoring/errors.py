"""Errors for bad scorecard input: each names the column and, where one is to blame, the row.

Rows are numbered from 1 for the first data row, so row N is line N + 1 of a CSV file
with its header on line 1.
"""

from __future__ import annotations


class ScoringError(ValueError):
    """Bad input to fitting or scoring; the message is one line a person can act on."""

    def __init__(self, reason: str, *, column: str | None = None, row: int | None = None):
        self.reason = reason
        self.column = column
        self.row = row
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"row {self.row} (line {self.row + 1})")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class EmptyInputError(ScoringError):
    """The file has no header or no data rows."""


class MalformedInputError(ScoringError):
    """The CSV itself is broken: duplicate header, wrong number of fields on a row."""


class MissingColumnError(ScoringError):
    """A column the model needs is not in the input."""


class ExtraColumnError(ScoringError):
    """The input has a column the model does not know (neither a feature nor ignored)."""


class NonNumericValueError(ScoringError):
    """Text where the model expects a number."""


class UnseenCategoryError(ScoringError):
    """A category not seen in training, when scoring strictly (the default is a fallback bin)."""


class TargetError(ScoringError):
    """The target column is unusable: missing labels, one class only, unknown bad label."""


class ConfigError(ScoringError):
    """A fitting option is invalid (grade bands, scaling, split)."""


class ArtifactError(ScoringError):
    """The model artifact is not a valid Credence scorecard."""


class GuardError(ConfigError):
    """A guard rail failed the fit under ``--strict`` (the message lists every finding)."""
