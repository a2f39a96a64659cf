"""Deal spec: a structurer's YAML or JSON description of a deal, validated, and its DealTerms.

Amounts in the spec are in whole token units (up to the token's decimals); DealTerms holds
them in the token's smallest unit. Rates and thresholds are basis points.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ledger.deals.waterfall import (
    MAX_PERIOD,
    MAX_TRANCHES,
    MAX_TRIGGER_STEPS,
    DayCount,
    DealState,
    DealTerms,
    PrincipalMode,
    RatingTrigger,
    TrancheTerms,
    TriggerStep,
)
from ledger.inputfiles import read_text
from ledger.ratings.scale import Scale

DAY_COUNTS = {
    "30/360": DayCount.THIRTY_360,
    "ACT/360": DayCount.ACT_360,
    "ACT/365": DayCount.ACT_365,
}
DayCountName = Literal["30/360", "ACT/360", "ACT/365"]
Bps = Annotated[int, Field(ge=0, le=100_000)]


class DealSpecError(ValueError):
    """The spec is unreadable or invalid; the message has one line per field and reason."""


def _decimal(value: Any) -> Decimal:
    # Through str so that a YAML float like 0.1 means exactly 0.1.
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError("must be a number") from None


Amount = Annotated[Decimal, BeforeValidator(_decimal), Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SettlementToken(_Model):
    symbol: str = Field(min_length=1, max_length=11)
    decimals: int = Field(ge=0, le=18)
    address: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{40}$")


class PeriodSpec(_Model):
    months: int = Field(ge=1, le=12, description="period length in months")
    closing_date: date
    first_payment_date: date

    @model_validator(mode="after")
    def _first_after_closing(self) -> PeriodSpec:
        if self.first_payment_date <= self.closing_date:
            raise ValueError("first_payment_date must be after closing_date")
        return self


class TrancheSpec(_Model):
    name: str = Field(min_length=1, max_length=32)
    size: Amount
    coupon_bps: Bps
    day_count: DayCountName
    seniority: int = Field(ge=1, le=MAX_TRANCHES, description="1 = most senior")


class FeesSpec(_Model):
    servicer_bps: Bps = 0
    trustee_bps: Bps = 0
    day_count: DayCountName = "30/360"


def _cd_schedule(value: Any) -> int | dict[int, int]:
    """One threshold in bps, or a schedule {first period: bps} starting at period 1."""
    if isinstance(value, dict):
        if len(value) > MAX_TRIGGER_STEPS:
            raise ValueError(f"at most {MAX_TRIGGER_STEPS} steps")
        steps = {
            _whole(p, 1, MAX_PERIOD, "a period"): _whole(v, 0, 10_000, "bps")
            for p, v in value.items()
        }
        if 1 not in steps:
            raise ValueError("a schedule starts at period 1")
        return steps
    return _whole(value, 0, 10_000, "a threshold in bps or a mapping {first period: bps}")


def _whole(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():  # YAML/JSON mapping keys
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"must be {what} ({low} to {high}), got {value!r}")
    return value


class TriggersSpec(_Model):
    """Tested every period on its own figures (docs/waterfall.md §8); 0 disables a test."""

    oc_min_bps: Bps = 0
    ic_min_bps: Bps = 0
    # Cumulative defaults over the initial pool balance: one threshold for every period, or
    # a schedule {first period: threshold} whose step holds until the next one.
    cumulative_default_max_bps: Annotated[int | dict[int, int], BeforeValidator(_cd_schedule)] = 0

    def cd_trigger(self) -> tuple[TriggerStep, ...]:
        value = self.cumulative_default_max_bps
        if isinstance(value, int):
            return (TriggerStep(1, value),) if value else ()
        return tuple(TriggerStep(p, bps) for p, bps in sorted(value.items()))


class RatingTriggerSpec(_Model):
    """A downgrade of ``tranche`` below ``below`` by the rating agency fails the rating
    test (docs/waterfall.md §8): the pool reads the grade from the feed at each period
    report. ``agency`` (an attester id) and ``feed`` default, at pool create, to the
    service's own rating agency and the deployment's RatingFeed."""

    tranche: str = Field(min_length=1, max_length=32)
    below: str
    agency: int | None = Field(default=None, ge=1, le=2**32 - 1)
    feed: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{40}$")

    @field_validator("below")
    @classmethod
    def _on_the_scale(cls, grade: str) -> str:
        grades = Scale().grades
        if grade not in grades[:-1]:
            raise ValueError(f"must be a grade from {grades[0]} to {grades[-2]}, got {grade!r}")
        return grade

    @property
    def floor_rank(self) -> int:
        return Scale().notch(self.below)

    def passes(self, grade: str | None) -> bool:
        """The test on a grade (None: no valid rating, which fails it)."""
        return grade is not None and Scale().notch(grade) <= self.floor_rank


class ReserveSpec(_Model):
    target: Amount = Decimal(0)
    initial: Amount = Decimal(0)


class CollateralSpec(_Model):
    """The pool's characteristics for the simulator (from the tape's aggregates)."""

    rate_bps: Bps
    remaining_term_months: int = Field(ge=1, le=600)
    amortization: Literal["annuity", "linear"] = "annuity"


class DealSpec(_Model):
    name: str = Field(min_length=1, max_length=64)
    settlement_token: SettlementToken
    period: PeriodSpec
    pool_balance: Amount
    tranches: list[TrancheSpec] = Field(min_length=2, max_length=MAX_TRANCHES)
    fees: FeesSpec = FeesSpec()
    principal_mode: Literal["sequential", "pro_rata"]
    triggers: TriggersSpec = TriggersSpec()
    reserve: ReserveSpec = ReserveSpec()
    cleanup_call_bps: int = Field(default=1_000, ge=0, le=10_000)
    collateral: CollateralSpec | None = None
    # Left out of the dump when unset, so a spec without one keeps its deal-terms hash.
    rating_trigger: RatingTriggerSpec | None = Field(default=None, exclude_if=lambda v: v is None)

    @field_validator("tranches")
    @classmethod
    def _seniority_and_names(cls, tranches: list[TrancheSpec]) -> list[TrancheSpec]:
        ranks = sorted(t.seniority for t in tranches)
        if ranks != list(range(1, len(tranches) + 1)):
            raise ValueError(f"seniority must be 1..{len(tranches)}, each once; got {ranks}")
        names = [t.name for t in tranches]
        if len(set(names)) != len(names):
            raise ValueError("tranche names must be unique")
        return sorted(tranches, key=lambda t: t.seniority)

    @model_validator(mode="after")
    def _amounts_fit_the_token(self) -> DealSpec:
        for path, value in self._amounts():
            if value != value.quantize(self._unit(), rounding=ROUND_DOWN):
                raise ValueError(f"{path}: more decimals than the token's {self._decimals}")
        self._check_sizes()
        if self.rating_trigger and self.rating_trigger.tranche not in self.tranche_names[:-1]:
            raise ValueError(
                f"rating_trigger.tranche: must name a note ({', '.join(self.tranche_names[:-1])})"
                f", got {self.rating_trigger.tranche!r}"
            )
        return self

    def _check_sizes(self) -> None:
        """What the pool refuses at create or close, refused here before any chain call: an
        empty tranche (its payments would go to nobody), sizes that do not add up to the
        pool, and a reserve a fully subscribed close cannot fund (``docs/deals-service.md``)."""
        for t in self.tranches:
            if t.size == 0:
                raise ValueError(f"tranches.{t.name}.size: must be more than 0")
        total = sum(t.size for t in self.tranches)
        if total != self.pool_balance:
            raise ValueError(
                f"tranches: sizes add up to {total}, pool_balance is {self.pool_balance}; "
                "they must be equal (the last tranche is the equity)"
            )
        if self.reserve.initial > total:
            raise ValueError(
                f"reserve.initial: {self.reserve.initial} is more than the tranches' {total}, "
                "all that close can fund it from"
            )
        if self.reserve.target > self.pool_balance:
            raise ValueError(
                f"reserve.target: {self.reserve.target} is more than pool_balance "
                f"{self.pool_balance}"
            )

    @property
    def _decimals(self) -> int:
        return self.settlement_token.decimals

    def _unit(self) -> Decimal:
        return Decimal(1).scaleb(-self._decimals)

    def _amounts(self) -> list[tuple[str, Decimal]]:
        amounts = [("pool_balance", self.pool_balance)]
        amounts += [(f"tranches.{t.name}.size", t.size) for t in self.tranches]
        amounts += [
            ("reserve.target", self.reserve.target),
            ("reserve.initial", self.reserve.initial),
        ]
        return amounts

    def units(self, amount: Decimal) -> int:
        """A token amount in the token's smallest unit (exact: validated above)."""
        return int(amount.scaleb(self._decimals))

    def to_terms(self) -> DealTerms:
        """The immutable pool parameters the waterfall (and the chain) runs on."""
        return DealTerms(
            tranches=tuple(
                TrancheTerms(self.units(t.size), t.coupon_bps, DAY_COUNTS[t.day_count])
                for t in self.tranches
            ),
            period_months=self.period.months,
            initial_pool_balance=self.units(self.pool_balance),
            servicer_fee_bps=self.fees.servicer_bps,
            trustee_fee_bps=self.fees.trustee_bps,
            fee_day_count=DAY_COUNTS[self.fees.day_count],
            principal_mode=PrincipalMode.SEQUENTIAL
            if self.principal_mode == "sequential"
            else PrincipalMode.PRO_RATA,
            oc_trigger_bps=self.triggers.oc_min_bps,
            ic_trigger_bps=self.triggers.ic_min_bps,
            reserve_target=self.units(self.reserve.target),
            cleanup_call_bps=self.cleanup_call_bps,
            cd_trigger=self.triggers.cd_trigger(),
        )

    def rating_terms(self, feed: str | None = None, agency: int | None = None) -> RatingTrigger:
        """The pool's rating trigger (a zero feed: none); ``feed`` and ``agency`` fill in
        what the spec leaves to the service."""
        zero = RatingTrigger("0x" + "00" * 20, 0, 0, 0)
        rt = self.rating_trigger
        if rt is None:
            return zero
        feed, agency = rt.feed or feed, rt.agency or agency
        if feed is None or agency is None:
            raise ValueError("rating_trigger: needs a feed and an agency (none deployed)")
        tranche = self.tranche_names.index(rt.tranche)
        return RatingTrigger(feed, agency, tranche, rt.floor_rank)

    def initial_state(self) -> DealState:
        return DealState.at_close(
            self.to_terms(), self.closing_time, self.units(self.reserve.initial)
        )

    @property
    def closing_time(self) -> int:
        return _midnight(self.period.closing_date)

    def period_end(self, k: int) -> int:
        """Unix time of the end of period ``k`` (1-based): the k-th payment date, 00:00 UTC."""
        first = self.period.first_payment_date
        return _midnight(add_months(first, (k - 1) * self.period.months))

    @property
    def tranche_names(self) -> list[str]:
        return [t.name for t in self.tranches]


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clipped to the end of a shorter month (31 Jan -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def parse_spec(data: Any) -> DealSpec:
    """Validate an already-parsed spec (a dict); raises DealSpecError naming every bad field."""
    try:
        return DealSpec.model_validate(data)
    except ValidationError as exc:
        raise DealSpecError(_describe(exc)) from None


def load_spec(path: Path) -> DealSpec:
    """Read a YAML (.yaml/.yml) or JSON spec file and validate it."""
    text = read_text(path, DealSpecError)
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise DealSpecError(
            f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise DealSpecError(f"{path}: expected a mapping of deal fields at the top level")
    return parse_spec(data)


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "\n".join(lines)
