"""Grade bands: minimum scores, best grade first, the last band open below."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ledger.scoring.errors import ConfigError


@dataclass(frozen=True)
class GradeBand:
    name: str
    min_score: int | None  # None: the catch-all lowest band


def parse_grades(spec: str) -> tuple[GradeBand, ...]:
    """``"A:650,B:600,C:550,D:500,E:450,F"``: best first, minimum scores falling, last open."""
    bands = []
    for part in spec.split(","):
        name, _, low = part.strip().partition(":")
        try:
            bands.append(GradeBand(name.strip(), int(low) if low.strip() else None))
        except ValueError:
            raise ConfigError(f"{low!r} is not an integer score", column="grades") from None
    check_grades(tuple(bands))
    return tuple(bands)


def default_grades(base_score: int, pdo: int) -> tuple[GradeBand, ...]:
    """Six bands one PDO wide: A from base + PDO, ..., E from base - 3 PDO, F below."""
    mins = [base_score + k * pdo for k in (1, 0, -1, -2, -3)]
    return (*(GradeBand(n, m) for n, m in zip("ABCDE", mins, strict=True)), GradeBand("F", None))


def check_grades(bands: tuple[GradeBand, ...]) -> None:
    names = [b.name for b in bands]
    if len(bands) < 2 or not all(names) or len(set(names)) != len(names):
        raise ConfigError("need at least two bands with distinct non-empty names", column="grades")
    mins = [b.min_score for b in bands[:-1]]
    if None in mins or bands[-1].min_score is not None:
        raise ConfigError(
            "every band but the last needs a minimum score; the last none", column="grades"
        )
    if any(a <= b for a, b in itertools.pairwise(mins)):
        raise ConfigError("minimum scores must fall strictly from the first band", column="grades")
