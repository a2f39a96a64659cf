"""Scenarios for the deal simulator: default, prepayment and loss assumptions.

Rates are CDR/CPR-style annual rates converted to the period as
``1 - (1 - annual) ** (m / 12)`` (or given per period with ``basis: period``), rounded to
integer parts per billion (severity to basis points). A rate is a constant or a per-period
vector whose last value repeats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from ledger.deals.waterfall import BPS
from ledger.inputfiles import read_text
from ledger.ratings.scale import Scale

PPB = 10**9


def _rate(value: object) -> float | list[float]:
    """A fraction in [0, 1], or a non-empty per-period list of them."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ValueError("a per-period vector needs at least one value")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise ValueError(f"must be a fraction from 0 to 1 (or a list of them), got {v!r}")
    return [float(v) for v in values] if isinstance(value, list) else float(value)


Rate = Annotated[float | list[float], BeforeValidator(_rate)]


def _grades(value: object) -> list[str | None] | None:
    """A grade (or None: no valid rating) per period; the last one repeats. None as a
    whole: no path (the rating is assumed to hold)."""
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    grades = Scale().grades
    if not values:
        raise ValueError("a rating path needs at least one grade")
    for v in values:
        if v is not None and v not in grades:
            raise ValueError(f"must be grades from {grades} or null (no valid rating), got {v!r}")
    return list(values)


RatingPath = Annotated[list[str | None] | None, BeforeValidator(_grades)]


class ScenarioError(ValueError):
    """A scenario is invalid; the message names the field."""


class Scenario(BaseModel):
    """Default, prepayment and loss assumptions; rates are fractions (0.02 = 2%).

    Unless a scenario says otherwise a default is a total loss (severity 100%): a
    recovery is an assumption to state, never a default. Without a name, the label is
    made of the assumptions, so two scenarios never print under the same name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    cdr: Rate = 0.0
    cpr: Rate = 0.0
    severity: Rate = 1.0
    recovery_lag: int = Field(default=0, ge=0, le=120, description="periods")
    basis: Literal["annual", "period"] = "annual"
    exercise_cleanup: bool = True
    # The rated tranche's grade at each period's report, for a deal with a rating trigger;
    # without one the scenario assumes the rating holds (the test passes).
    ratings: RatingPath = None

    @model_validator(mode="after")
    def _label(self) -> Scenario:
        if not self.name.strip():
            label = (
                f"cdr {_show(self.cdr)} cpr {_show(self.cpr)} "
                f"severity {_show(self.severity)} lag {self.recovery_lag}"
            )
            if self.basis == "period":
                label += " per period"
            if self.ratings:
                label += " ratings " + "|".join(g or "none" for g in self.ratings)
            object.__setattr__(self, "name", label)
        return self

    def default_ppb(self, t: int, months: int) -> int:
        return self._period_ppb(self.cdr, t, months)

    def prepay_ppb(self, t: int, months: int) -> int:
        return self._period_ppb(self.cpr, t, months)

    def severity_bps(self, t: int) -> int:
        return round(_at(self.severity, t) * BPS)

    def _period_ppb(self, rate: float | list[float], t: int, months: int) -> int:
        value = _at(rate, t)
        if self.basis == "annual":
            value = 1 - (1 - value) ** (months / 12)
        return round(value * PPB)


def _show(rate: float | list[float]) -> str:
    values = rate if isinstance(rate, list) else [rate]
    return "|".join(f"{100 * v:g}%" for v in values)


def distinct_labels(scenarios: list[Scenario]) -> list[Scenario]:
    """The scenarios, a repeated name suffixed ``#2``, ``#3``... in order."""
    seen: dict[str, int] = {}
    out = []
    for s in scenarios:
        seen[s.name] = seen.get(s.name, 0) + 1
        out.append(
            s if seen[s.name] == 1 else s.model_copy(update={"name": f"{s.name} #{seen[s.name]}"})
        )
    return out


def _at(rate: float | list[float], t: int) -> float:
    """The value for period ``t`` (1-based) of a constant or vector (last value repeats)."""
    if isinstance(rate, list):
        return rate[min(t, len(rate)) - 1]
    return rate


def parse_scenario(text: str) -> list[Scenario]:
    """Scenarios from a YAML/JSON file (one mapping or a list) or ``key=value,...`` text.

    In text, ``%`` marks a percentage and ``|`` separates a per-period vector:
    ``name=stress,cdr=6%,cpr=5%|10%,severity=55%,recovery_lag=6``.
    """
    path = Path(text)
    if path.suffix in (".yaml", ".yml", ".json") and path.exists():
        try:
            data = yaml.safe_load(read_text(path, ScenarioError))  # JSON is YAML
        except yaml.YAMLError as exc:
            raise ScenarioError(f"scenario: {path.name}: not valid YAML or JSON: {exc}") from None
        items = data if isinstance(data, list) else [data]
    else:
        items = [_parse_pairs(text)]
    scenarios = []
    for i, item in enumerate(items):
        try:
            scenarios.append(Scenario.model_validate(item))
        except ValidationError as exc:
            where = f"scenario {i + 1}" if len(items) > 1 else "scenario"
            raise ScenarioError(_describe(where, exc)) from None
    return distinct_labels(scenarios)


def _parse_pairs(text: str) -> dict[str, object]:
    pairs: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, raw = part.partition("=")
        if not sep:
            raise ScenarioError(f"scenario: {part!r} is not key=value")
        values = [_number(key.strip(), v.strip()) for v in raw.split("|")]
        path = key.strip() == "ratings"  # a path is a list even of one grade
        pairs[key.strip()] = values if len(values) > 1 or path else values[0]
    return pairs


def _number(key: str, raw: str) -> object:
    if key in ("name", "basis", "exercise_cleanup"):
        return raw
    if key == "ratings":
        return None if raw.lower() == "none" else raw
    try:
        return float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ScenarioError(f"scenario.{key}: not a number: {raw!r}") from None


def _describe(where: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"])
        lines.append(f"{where}.{loc}: {error['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)
