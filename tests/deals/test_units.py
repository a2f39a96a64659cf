"""Whole-unit amounts as people type them: exact, bounded by what a token amount holds."""

from __future__ import annotations

import pytest

from ledger.bounds import UINT128_MAX
from ledger.deals.units import UnitsError, to_units


@pytest.mark.parametrize(
    ("typed", "units"),
    [
        ("1250.5", 1_250_500_000),
        ("0.000001", 1),
        ("1_000", 1_000_000_000),
        # 29 significant digits: the default decimal context rounded the last one away
        ("12345678901234567890123.456789", 12345678901234567890123456789),
        (str(UINT128_MAX // 10**6), UINT128_MAX // 10**6 * 10**6),
    ],
)
def test_amounts_are_exact(typed: str, units: int) -> None:
    assert to_units("amount", typed, 6) == units


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1e400", "more than a token amount"),  # reached the ABI encoder (a traceback)
        ("9" * 90, "more than a token amount"),
        ("1e999999999", "more than a token amount"),  # overflowed the decimal context
        (str(UINT128_MAX // 10**6 + 1), "more than a token amount"),
        ("1." + "0" * 300 + "1", "more decimals"),  # rounded to 1 at 200 digits otherwise
        ("1e-999999999", "more decimals"),
        ("NaN", "at least 0"),
        ("-1", "at least 0"),
    ],
)
def test_amounts_out_of_reach_name_the_field(typed: str, reason: str) -> None:
    with pytest.raises(UnitsError, match=f"amount: .*{reason}"):
        to_units("amount", typed, 6)
