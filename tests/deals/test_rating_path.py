"""The simulator's rating path (no chain): parsed from a scenario, applied per period by
the deal's rating trigger, and no trigger or no path leaves the rating test passing."""

from __future__ import annotations

import json

import pytest
from pool_samples import SPEC

from ledger.deals.scenario import ScenarioError, parse_scenario
from ledger.deals.simulator import Scenario, simulate
from ledger.deals.spec import parse_spec
from ledger.ratings.inputs import deal_terms_hash

RATED = {**SPEC, "rating_trigger": {"tranche": "B", "below": "BBB"}}


def test_a_rating_path_parses_from_text_and_names_a_bad_grade():
    [s] = parse_scenario("cpr=10%,ratings=A|BB|none")
    assert parse_scenario("ratings=none")[0].ratings == [None]
    assert s.ratings == ["A", "BB", None] and "ratings A|BB|none" in s.name
    with pytest.raises(ScenarioError, match=r"scenario\.ratings: .*got 'Z'"):
        parse_scenario("ratings=Z")


def test_the_path_decides_each_period_and_its_last_grade_repeats():
    sim = simulate(parse_spec(RATED), Scenario(cpr=0.1, ratings=["BBB", "B", None, "AA"]))
    passes = [p.result.rating_pass for p in sim.periods]
    assert passes[:4] == [True, False, False, True] and all(passes[4:])
    assert all(p.result.trigger_breached for p in sim.periods[1:3])


def test_without_a_trigger_or_a_path_the_rating_test_passes():
    for spec, path in ((parse_spec(SPEC), ["D"]), (parse_spec(RATED), None)):
        sim = simulate(spec, Scenario(cpr=0.1, ratings=path))
        assert all(p.result.rating_pass for p in sim.periods)


def test_a_spec_without_a_trigger_keeps_its_deal_terms_hash():
    """The trigger is left out of the spec's JSON when unset: ratings and cover pricing
    hash that JSON, so deals from before the trigger existed hash as they did."""
    plain, rated = parse_spec(SPEC), parse_spec(RATED)
    assert "rating_trigger" not in plain.model_dump_json()
    assert deal_terms_hash(plain) != deal_terms_hash(rated)
    assert deal_terms_hash(parse_spec(json.loads(plain.model_dump_json()))) == deal_terms_hash(
        plain
    )
