"""Guarantee pricing from the loans' PDs: recomputed from the recorded inputs only."""

from __future__ import annotations

import pytest

from ledger.deals.simulator import EXAMPLE_SPEC
from ledger.deals.spec import load_spec
from ledger.guarantees.pricing import (
    LoanPd,
    PricingError,
    PricingInputs,
    inputs_from_record,
    price,
    record,
    record_hash,
)


def inputs(stress_bps: int = 30_000) -> PricingInputs:
    loans = tuple(
        LoanPd(f"0x{i:064x}", 10_000_000_000 + i * 1_000_000, 200 + 37 * i, f"0x{i + 1:064x}")
        for i in range(40)
    )
    return PricingInputs(
        tape_root="0x" + "ab" * 32,
        model_ids=("0x" + "cd" * 32,),
        loans=loans,
        tranche=1,
        lgd_bps=6_000,
        stress_bps=stress_bps,
        cpr_bps=800,
        margin_bps=25,
    )


def test_the_price_is_recomputed_from_the_recorded_inputs_only() -> None:
    spec = load_spec(EXAMPLE_SPEC)
    result = price(inputs(), spec)
    text = record(inputs(), result)
    # a holder of the record (and the deal's spec) recomputes the same price and hash
    again = price(inputs_from_record(text), spec)
    assert again == result and record(inputs_from_record(text), again) == text
    assert record_hash(text) == record_hash(record(inputs(), result))
    # pool PD is the balance-weighted PD, rounded down
    loans = inputs().loans
    weighted = sum(x.balance * x.pd_bps for x in loans) // sum(x.balance for x in loans)
    assert result.pool_pd_bps == weighted
    assert 0 <= result.expected_loss <= result.stressed_loss == result.collateral
    assert result.premium_bps >= 25


def test_more_stress_needs_more_collateral() -> None:
    spec = load_spec(EXAMPLE_SPEC)
    low, high = price(inputs(10_000), spec), price(inputs(40_000), spec)
    assert low.collateral <= high.collateral and low.premium_bps == high.premium_bps


def test_bad_inputs_name_the_field() -> None:
    spec = load_spec(EXAMPLE_SPEC)
    with pytest.raises(PricingError, match="tranche"):
        price(PricingInputs(**{**inputs().__dict__, "tranche": 2}), spec)
    with pytest.raises(PricingError, match="stress_bps"):
        price(PricingInputs(**{**inputs().__dict__, "stress_bps": 5_000}), spec)
