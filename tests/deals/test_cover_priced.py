"""The terms a pricing record binds (docs/waterfall.md §14.6), without a chain: the premium
and the priced terms exactly, collateral and a guarantee's limit at least the priced
collateral; a record of the other kind, or with a result that is not integers, is refused."""

from __future__ import annotations

import json

import pytest

from ledger.deals.cover import GuaranteeTerms, InsuranceTerms
from ledger.deals.service import DealError
from ledger.guarantees.priced import Difference, check_priced, differences, read_record
from ledger.guarantees.pricing import Price, PricingInputs, record

PRICE = Price(pool_pd_bps=500, expected_loss=10, stressed_loss=900, periods=12,
              premium_bps=40, collateral=900)  # fmt: skip
GUARANTEE = PricingInputs("0x" + "00" * 32, (), (), 1, 6_000, 30_000, 0, 25)
POLICY = PricingInputs(
    "0x" + "00" * 32, (), (), 0, 6_000, 30_000, 0, 25, kind="insurance",
    deductible=100, limit=5_000, coinsurance_bps=8_000, last_period=6,
)  # fmt: skip


def test_a_guarantee_binds_its_premium_tranche_limit_and_collateral() -> None:
    priced = read_record(record(GUARANTEE, PRICE))
    assert differences(priced, GuaranteeTerms(1, 900, 40, 3), 900) == []
    assert differences(priced, GuaranteeTerms(1, 5_000, 40, 36), 2_000) == []  # more is fine
    found = differences(priced, GuaranteeTerms(0, 899, 41, 3), 899)
    assert found == [
        Difference("terms.tranche", 1, 0, "equal"),
        Difference("terms.limit", 900, 899, "at least"),
        Difference("terms.premium_bps", 40, 41, "equal"),
        Difference("required", 900, 899, "at least"),
    ]
    with pytest.raises(DealError) as refused:
        check_priced(priced, GuaranteeTerms(1, 900, 39, 3), 900)
    assert refused.value.field == "terms.premium_bps"
    assert refused.value.reason == "must be the priced 40 (the pricing record's), not 39"


def test_a_policy_binds_its_terms_exactly_and_its_capital_as_a_floor() -> None:
    priced = read_record(record(POLICY, PRICE))
    assert differences(priced, InsuranceTerms(100, 5_000, 8_000, 40, 6), 900) == []
    found = differences(priced, InsuranceTerms(100, 6_000, 8_000, 40, 7), 800)
    assert [d.field for d in found] == ["terms.limit", "terms.last_period", "required"]
    assert differences(priced, GuaranteeTerms(1, 900, 40, 3), 900) == [
        Difference("kind", "insurance", "guarantee", "equal")
    ]


def test_a_record_whose_result_is_not_integers_is_refused() -> None:
    text = record(GUARANTEE, PRICE)
    raw = json.loads(text)
    raw["result"]["premium_bps"] = 40.9
    with pytest.raises(DealError, match="not integers"):
        read_record(json.dumps(raw))
    del raw["result"]["collateral"]
    with pytest.raises(DealError, match="not a pricing record"):
        read_record(json.dumps(raw))
    assert read_record(text).collateral == 900
