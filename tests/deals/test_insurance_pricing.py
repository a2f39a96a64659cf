"""Insurance pricing from the loans' PDs (docs/waterfall.md §14.5): the hand-worked example
of the doc, recomputation from the recorded inputs, and the closed-form claims against the
waterfall's own insurance rule (§14.2, 3a)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ledger.deals.cover import Cover, Insurance, InsuranceState, InsuranceTerms
from ledger.deals.scenario import Scenario
from ledger.deals.simulator import EXAMPLE_SPEC, simulate
from ledger.deals.spec import load_spec
from ledger.guarantees.insurance_pricing import Layer, claims, pool_run
from ledger.guarantees.pricing import (
    LoanPd,
    Price,
    PricingError,
    PricingInputs,
    inputs_from_record,
    price,
    record,
)

WORKED = Path(__file__).parents[2] / "examples" / "deals" / "worked-example.yaml"


def policy(**changes: int) -> PricingInputs:
    """§14.5's example: one loan of 1,000,000 at a 25% PD; 20,000 deductible, 100,000
    limit, 80% coinsurance, four periods; LGD 60%, 3x stress, no prepayments, 25 bps."""
    loans = (LoanPd("0x" + "11" * 32, 1_000_000, 2_500, "0x" + "22" * 32),)
    base = PricingInputs(
        tape_root="0x" + "ab" * 32,
        model_ids=(),
        loans=loans,
        tranche=0,
        lgd_bps=6_000,
        stress_bps=30_000,
        cpr_bps=0,
        margin_bps=25,
        kind="insurance",
        deductible=20_000,
        limit=100_000,
        coinsurance_bps=8_000,
        last_period=4,
    )
    return replace(base, **changes)


def test_the_hand_worked_example_equals_the_code() -> None:
    spec = load_spec(WORKED)
    # the simulator's pool at 25% and at 75% a year (figures quoted in §14.5)
    expected_run = pool_run(spec, 2_500, 0, 6_000, 4)
    assert expected_run.defaults == 23_688 + 17_345 + 11_289 + 5_511 == 57_833
    assert expected_run.balance_months == 1_000_000 + 732_234 + 476_593 + 232_652
    assert pool_run(spec, 7_500, 0, 6_000, 4).defaults == 244_582
    # by hand: claims (57,833 - 20,000) * 0.8 = 30,266; loss 30,266 * 0.6 = 18,159;
    # premium 18,159 * 10,000 * 12 // 2,441,479 = 892, + 25; stressed claims
    # (244,582 - 20,000) * 0.8 = 179,665, capped at the limit 100,000; its loss 60,000
    assert price(policy(), spec) == Price(2_500, 18_159, 60_000, 4, 917, 100_000)


def test_a_policy_record_recomputes_from_its_inputs_and_names_its_kind() -> None:
    spec = load_spec(WORKED)
    result = price(policy(), spec)
    text = record(policy(), result)
    assert '"kind":"insurance"' in text and '"tranche"' not in text
    again = inputs_from_record(text)
    assert again == policy() and record(again, price(again, spec)) == text
    # a guarantee's record is as before policies existed: no kind, no policy terms
    guarantee = replace(policy(), kind="guarantee", tranche=1, deductible=0, limit=0)
    g_text = record(guarantee, result)
    assert '"kind"' not in g_text and '"deductible"' not in g_text
    assert inputs_from_record(g_text).kind == "guarantee"


def test_the_closed_form_claims_are_the_waterfalls_claims() -> None:
    """The policy bound in the simulator (ample capital, no premium) pays what the pricing
    says it pays, over a spread of deductibles, limits and shares."""
    spec = load_spec(EXAMPLE_SPEC)
    total = spec.to_terms().initial_pool_balance
    for pd, deductible, limit, share in (
        (300, 0, total, 10_000),
        (900, total // 50, total // 20, 5_000),
        (2_000, total // 10, total, 7_500),
        (50, total // 5, total, 10_000),  # below the deductible: nothing paid
    ):
        scenario = Scenario(name="n", cdr=pd / 10_000, cpr=0, severity=0.6)
        last = len(simulate(spec, scenario).periods)
        run = pool_run(spec, pd, 0, 6_000, last)
        terms = InsuranceTerms(deductible, limit, share, 0, last)
        cover = Cover(insurance=Insurance(terms, InsuranceState(capital=limit)))
        sim = simulate(spec, scenario, cover)
        paid = sum(p.result.cover.insurance.claim_paid for p in sim.periods if p.result.cover)
        assert paid == claims(Layer(deductible, limit, share, 6_000, 0), run.defaults)


def test_a_shorter_policy_or_a_higher_deductible_costs_less() -> None:
    spec = load_spec(WORKED)
    full = price(policy(), spec)
    assert price(policy(last_period=1), spec).expected_loss < full.expected_loss
    assert price(policy(deductible=40_000), spec).premium_bps < full.premium_bps
    assert price(policy(deductible=10**9), spec).premium_bps == 25  # the margin alone


def test_bad_policy_inputs_name_the_field() -> None:
    spec = load_spec(WORKED)
    for field, value in (("coinsurance_bps", 10_001), ("last_period", 0), ("deductible", -1)):
        with pytest.raises(PricingError, match=field):
            price(policy(**{field: value}), spec)
    with pytest.raises(PricingError, match="kind"):
        price(replace(policy(), kind="swap"), spec)
