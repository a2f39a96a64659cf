"""Simulator: scenarios, the collateral model, the deal over its life, analytics."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.deals.simulator import (
    EXAMPLE_SPEC,
    Scenario,
    ScenarioError,
    distinct_labels,
    irr,
    measure_deal_periods_per_second,
    parse_scenario,
    run_deal,
    simulate,
    weighted_average_life,
)
from ledger.deals.spec import load_spec, parse_spec

from .test_worked_example import SPEC

EXAMPLE = load_spec(EXAMPLE_SPEC)


def test_scenario_text_with_percentages_and_vectors() -> None:
    (s,) = parse_scenario("name=stress,cdr=6%,cpr=5%|10%,severity=0.55,recovery_lag=6")
    assert (s.name, s.cdr, s.cpr, s.severity, s.recovery_lag) == (
        "stress",
        0.06,
        [0.05, 0.1],
        0.55,
        6,
    )
    assert s.prepay_ppb(1, 1) < s.prepay_ppb(2, 1) == s.prepay_ppb(99, 1)  # last value repeats


def test_scenario_files(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "- {name: base, cdr: 0.02}\n- {name: stress, cdr: [0.05, 0.1], basis: period}\n"
    )
    base, stress = parse_scenario(str(path))
    assert (base.name, stress.cdr, stress.basis) == ("base", [0.05, 0.1], "period")
    path.write_text("- {name: base, cdr: 2}\n")
    with pytest.raises(ScenarioError, match=r"scenario\.cdr: must be a fraction from 0 to 1"):
        parse_scenario(str(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cdr=abc", "scenario.cdr: not a number"),
        ("cdr", "scenario: 'cdr' is not key=value"),
        ("cpr=150%", "scenario.cpr: must be a fraction"),
        ("recovery_lag=-1", "scenario.recovery_lag: Input should be greater than or equal to 0"),
        ("speed=3", "scenario.speed: Extra inputs are not permitted"),
    ],
)
def test_bad_scenarios_name_the_field(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(text)


def test_annual_rates_convert_to_the_period() -> None:
    s = Scenario(cpr=0.06, cdr=0.06, basis="annual")
    assert 5_140_000 < s.prepay_ppb(1, 1) < 5_150_000  # 6% CPR is about 0.514% SMM
    assert 15_340_000 < s.default_ppb(1, 3) < 15_350_000  # quarterly: 1 - 0.94 ** 0.25
    assert Scenario(cdr=0.01, basis="period").default_ppb(1, 3) == 10_000_000


def test_default_scenarios_lose_what_defaults_and_have_distinct_labels() -> None:
    a, b, c = parse_scenario("cdr=2%") + parse_scenario("cdr=2%") + parse_scenario("name=x")
    assert a.severity == 1.0  # no recovery unless the scenario states one
    assert (a.name, c.name) == ("cdr 2% cpr 0% severity 100% lag 0", "x")
    assert [s.name for s in distinct_labels([a, b, c])] == [a.name, a.name + " #2", "x"]
    sim = simulate(EXAMPLE, a)
    assert sim.pool_loss == sim.pool_defaults > 0


def test_run_deal_over_given_periods_equals_simulate() -> None:
    sim = simulate(EXAMPLE, Scenario(cdr=0.05, cpr=0.1, severity=0.5, recovery_lag=2))
    again = run_deal(EXAMPLE, [r.report for r in sim.periods], cleanup_period=sim.cleanup_period)
    assert again.periods == sim.periods and again.tranches == sim.tranches
    assert again.wind_down_release == sim.wind_down_release


def test_no_losses_repays_every_tranche() -> None:
    sim = simulate(EXAMPLE, Scenario(severity=0, exercise_cleanup=False))
    assert len(sim.periods) == 45 and sim.cleanup_period is None
    assert all(t.loss == 0 and t.principal == t.size for t in sim.tranches)
    assert sim.periods[-1].report.pool_balance == 0
    assert all(r.result.conserves_cash for r in sim.periods)
    # senior first: A's average life is shorter than B's
    a, b, _ = sim.tranches
    assert a.wal_years < b.wal_years
    assert a.yield_ == pytest.approx(0.045, abs=0.002)  # 4.5% coupon, bought at par


def test_cleanup_call_buys_the_remaining_pool() -> None:
    sim = simulate(EXAMPLE, Scenario(cdr=0.02, severity=0.4, recovery_lag=3))
    call = sim.cleanup_period
    assert call is not None
    before = sim.periods[call - 2].report.pool_balance
    assert before * 10_000 <= 1_000 * EXAMPLE.to_terms().initial_pool_balance
    called = sim.periods[call - 1].report
    assert (called.prepayments, called.new_defaults, called.pool_balance) == (before, 0, 0)
    # the recoveries of the two periods before the call still arrive (3-period lag)
    assert len(sim.periods) == call + 2
    assert sim.periods[-1].report.recoveries > 0


def test_pro_rata_deal_pays_all_tranches_together() -> None:
    spec = copy.deepcopy(SPEC)
    spec["principal_mode"] = "pro_rata"
    spec["triggers"] = {"oc_min_bps": 0, "ic_min_bps": 0}
    sim = simulate(parse_spec(spec), Scenario(cpr=0.05, basis="period"))
    first = sim.periods[0].result
    assert all(t.principal_paid > 0 for t in first.tranches)


@settings(max_examples=40, deadline=None)
@given(
    cdr=st.floats(0, 0.5),
    cpr=st.floats(0, 0.5),
    severity=st.floats(0, 1),
    lag=st.integers(0, 12),
    call=st.booleans(),
)
def test_any_scenario_conserves_cash_and_accounts_for_losses(
    cdr: float, cpr: float, severity: float, lag: int, call: bool
) -> None:
    scenario = Scenario(
        cdr=cdr, cpr=cpr, severity=severity, recovery_lag=lag, exercise_cleanup=call
    )
    sim = simulate(EXAMPLE, scenario)
    assert all(r.result.conserves_cash for r in sim.periods)
    end = sim.periods[-1].result.state
    assert end.pool_balance == 0
    for i, t in enumerate(sim.tranches):
        assert t.loss >= 0
        # principal not returned is either written off or still outstanding
        assert t.loss == end.writedowns[i] + end.balances[i]
    # the notes bear the pool's loss less what excess spread cured, never more
    cured = sum(t.cured for r in sim.periods for t in r.result.tranches)
    losses = sum(t.loss for t in sim.tranches)
    assert sim.pool_loss - cured <= losses <= sim.pool_loss + sum(end.balances)
    # the reserve left at the end goes to equity: only ever once every note is whole
    if sim.wind_down_release:
        assert not any(end.writedowns[:-1]) and not any(end.interest_shortfalls[:-1])
    for r in sim.periods:  # no cash to equity while a note carries a deficiency
        if any(r.result.state.writedowns[:-1]):
            equity = r.result.tranches[-1]
            assert equity.interest_paid + equity.principal_paid + r.result.residual_to_equity == 0
    for t in sim.tranches:  # a yield below -99.99% a year is a total loss, reported as -100%
        if t.size and t.cash == 0:
            assert t.yield_ == -1.0


def test_analytics() -> None:
    assert weighted_average_life([1.0, 2.0], [100, 300]) == 1.75
    assert weighted_average_life([1.0], [0]) is None
    assert irr(100, [1.0], [110]) == pytest.approx(0.10)
    assert irr(0, [1.0], [1]) is None
    assert irr(100, [1.0], [0]) == -1.0  # nothing back: a total loss


def test_measure_deal_periods_per_second() -> None:
    assert measure_deal_periods_per_second(min_seconds=0.05) > 0
