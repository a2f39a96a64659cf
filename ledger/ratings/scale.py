"""The rating scale: grades AAA to D mapped to bands of a tranche's probability of any loss.

A grade is the best one whose band ceiling (in basis points of probability) is at or above
the tranche's probability of any principal loss over the deal's life. D is reserved for a
loss that is certain (every path loses, 10,000 bps) or already realised. The bands are part
of the methodology file, so they are hashed with the other parameters; these are the
defaults documented in docs/ratings.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import FieldError

CERTAIN_BPS = 10_000

# (grade, ceiling of the probability of any loss in bps), best first; D is the last band.
DEFAULT_BANDS: tuple[tuple[str, int], ...] = (
    ("AAA", 10),
    ("AA", 25),
    ("A", 75),
    ("BBB", 200),
    ("BB", 600),
    ("B", 1_500),
    ("CCC", 3_500),
    ("CC", 6_000),
    ("C", 9_999),
    ("D", CERTAIN_BPS),
)


class ScaleError(FieldError):
    """A rating scale is malformed."""


@dataclass(frozen=True)
class Scale:
    bands: tuple[tuple[str, int], ...] = DEFAULT_BANDS

    def __post_init__(self) -> None:
        if len(self.bands) < 2:
            raise ScaleError("scale", "needs at least two grades")
        ceilings = [c for _, c in self.bands]
        if ceilings != sorted(set(ceilings)):
            raise ScaleError("scale", "band ceilings must strictly increase, best grade first")
        if ceilings[-1] != CERTAIN_BPS:
            raise ScaleError("scale", f"the last band must end at {CERTAIN_BPS} bps")
        names = [g for g, _ in self.bands]
        if len(set(names)) != len(names):
            raise ScaleError("scale", "grade names must be unique")

    @property
    def grades(self) -> list[str]:
        return [g for g, _ in self.bands]

    def grade(self, loss_probability_bps: int) -> str:
        for name, ceiling in self.bands:
            if loss_probability_bps <= ceiling:
                return name
        return self.bands[-1][0]

    def notch(self, grade: str) -> int:
        """0 for the best grade, increasing as grades worsen."""
        try:
            return self.grades.index(grade)
        except ValueError:
            raise ScaleError("grade", f"{grade!r} is not on the scale {self.grades}") from None

    def band(self, grade: str) -> tuple[int, int]:
        """The (floor exclusive, ceiling inclusive) of a grade's band, in bps."""
        i = self.notch(grade)
        floor = self.bands[i - 1][1] if i else -1
        return floor, self.bands[i][1]

    def below(self, grade: str, threshold: str) -> bool:
        """True if ``grade`` is worse than ``threshold``."""
        return self.notch(grade) > self.notch(threshold)
