"""The pool's guard rails, checked in Python before anything is sent.

The contract enforces the same rules (``SecuritizationPool._checkSizes``, ``close``,
``_checkReport``); checking first means a refusal costs no gas, names the field, and prints
dates as dates. Each function raises ``CheckError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.deals.pool_types import Unsubscribed
from ledger.deals.units import day, money
from ledger.deals.waterfall import PeriodReport
from ledger.errors import FieldError

# Rounding a reported pool balance may carry: one unit per loan of the pool's current tape
# (each loan's balance is rounded once by the servicer). The contract uses the same constant.
BALANCE_TOLERANCE_PER_LOAN = 1


class CheckError(FieldError):
    """A guard rail refused the request; ``field`` names what to change."""


def check_report(
    report: PeriodReport,
    pool_balance: int,
    tape_count: int,
    last_end: int,
    chain_time: int,
    decimals: int = 0,
) -> None:
    """A period report against the pool before it: ``pool_balance`` and ``tape_count`` from
    the last period (or close), ``last_end`` the last period's end, ``chain_time`` the
    latest block's timestamp; messages show amounts in whole units of a ``decimals`` token."""

    def m(units: int) -> str:
        return money(units, decimals)

    if report.period_end > chain_time:
        raise CheckError(
            "period_end",
            f"{day(report.period_end)} is in the future (the chain's time is {day(chain_time)})",
        )
    if report.period_end <= last_end:
        raise CheckError(
            "period_end", f"{day(report.period_end)} is not after the last period's {day(last_end)}"
        )
    principal = report.scheduled_principal + report.prepayments
    if principal > pool_balance:
        raise CheckError(
            "scheduled_principal",
            f"principal collected (scheduled {m(report.scheduled_principal)} + prepayments "
            f"{m(report.prepayments)}) is more than the pool's balance {m(pool_balance)}",
        )
    remaining = pool_balance - principal
    if report.new_defaults > remaining:
        raise CheckError(
            "new_defaults",
            f"{m(report.new_defaults)} is more than the {m(remaining)} left in the pool after "
            "principal collected",
        )
    expected = remaining - report.new_defaults
    tolerance = tape_count * BALANCE_TOLERANCE_PER_LOAN
    if abs(report.pool_balance - expected) > tolerance:
        raise CheckError(
            "pool_balance",
            f"{m(report.pool_balance)} but the pool's {m(pool_balance)} less principal "
            f"{m(principal)} and defaults {m(report.new_defaults)} is {m(expected)} "
            f"(tolerance {m(tolerance)}: {BALANCE_TOLERANCE_PER_LOAN} smallest unit per loan of "
            "the tape)",
        )
    delinquent = report.delinquent_30 + report.delinquent_60 + report.delinquent_90
    if delinquent > report.pool_balance:
        raise CheckError(
            "delinquent_30",
            f"delinquent balances add up to {m(delinquent)}, more than the pool balance "
            f"{m(report.pool_balance)}",
        )


@dataclass(frozen=True)
class ClosePlan:
    """What close will do: each tranche's face and the cash it raises."""

    faces: tuple[int, ...]
    retained: tuple[int, ...]  # minted to the originator
    proceeds: int  # cash subscribed


def plan_close(
    names: Sequence[str],
    sizes: Sequence[int],
    subscribed: Sequence[int],
    treatments: Sequence[Unsubscribed],
    reserve: int,
    decimals: int = 0,
) -> ClosePlan:
    """The faces close would set, or ``CheckError`` for what close would refuse: a tranche
    not full without a treatment, an equity tranche left with no holder, or a reserve the
    cash subscribed cannot fund."""

    def m(units: int) -> str:
        return money(units, decimals)

    faces, retained = [], []
    for name, size, got, how in zip(names, sizes, subscribed, treatments, strict=True):
        missing = size - got
        if missing and how == Unsubscribed.REFUSE:
            raise CheckError(
                f"unsubscribed.{name}",
                f"{m(got)} of {m(size)} subscribed; say retain (the originator keeps "
                f"{m(missing)}) or resize (the face becomes {m(got)})",
            )
        keep = missing if missing and how == Unsubscribed.RETAIN else 0
        faces.append(size if keep or not missing else got)
        retained.append(keep)
    proceeds = sum(subscribed)
    if proceeds == 0:
        raise CheckError("unsubscribed", "nothing was subscribed: cancel the pool instead")
    if faces[-1] == 0:
        raise CheckError(
            f"unsubscribed.{names[-1]}",
            "the equity tranche would have no holder and its residual would be paid to nobody: "
            "retain it",
        )
    if reserve > proceeds:
        raise CheckError(
            "unsubscribed",
            f"the initial reserve {m(reserve)} is more than the {m(proceeds)} subscribed in cash",
        )
    return ClosePlan(tuple(faces), tuple(retained), proceeds)
