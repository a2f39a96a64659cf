"""The formulas of the waterfall specification (docs/waterfall.md), each a pure integer
function; ``apply_period`` in ``ledger.deals.waterfall`` runs a period with them."""

from __future__ import annotations

from ledger.deals.terms import BPS, RATIO_CAP, DayCount, DealTerms


def accrual(day_count: DayCount, period_months: int, actual_days: int) -> tuple[int, int]:
    """§2: (days, year basis) of a period under ``day_count``."""
    if day_count == DayCount.THIRTY_360:
        return 30 * period_months, 360
    if day_count == DayCount.ACT_360:
        return actual_days, 360
    return actual_days, 365


def accrue(amount: int, rate_bps: int, days: int, basis: int) -> int:
    """amount × rate × days / (10000 × basis), one division, rounded down."""
    return amount * rate_bps * days // (BPS * basis)


def pay_sequential(amount: int, balances: list[int]) -> list[int]:
    """§9a: pay ``amount`` most senior first, each tranche up to its balance."""
    paid = [0] * len(balances)
    for i, balance in enumerate(balances):
        paid[i] = min(amount, balance)
        amount -= paid[i]
    return paid


def pay_pro_rata(amount: int, balances: list[int]) -> list[int]:
    """§9b: floor shares by balance, then the rounding remainder sequentially."""
    total = sum(balances)
    if total == 0:
        return [0] * len(balances)
    shares = [amount * balance // total for balance in balances]
    remaining = [balance - share for balance, share in zip(balances, shares, strict=True)]
    dust = pay_sequential(amount - sum(shares), remaining)
    return [share + extra for share, extra in zip(shares, dust, strict=True)]


def cleanup_eligible(terms: DealTerms, pool_balance: int) -> bool:
    """§12: the pool factor is at or under the clean-up call threshold."""
    return pool_balance * BPS <= terms.cleanup_call_bps * terms.initial_pool_balance


def coverage_ratio(numerator: int, denominator: int) -> int:
    """§8: numerator / denominator in basis points, rounded down, capped at RATIO_CAP."""
    if denominator == 0:
        return RATIO_CAP
    return min(numerator * BPS // denominator, RATIO_CAP)
