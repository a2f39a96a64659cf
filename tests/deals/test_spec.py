"""Deal spec: YAML/JSON loading, validation messages naming the field, conversion to terms."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from ledger.deals.spec import DealSpecError, add_months, load_spec, parse_spec
from ledger.deals.waterfall import DayCount, PrincipalMode, TriggerStep

from .test_worked_example import SPEC

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/deals/three-tranche-sequential.yaml"


def changed(path: str, value: object) -> dict:
    spec = copy.deepcopy(SPEC)
    *parents, last = path.split(".")
    node = spec
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is None:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return spec


def test_example_spec_converts_to_terms() -> None:
    spec = load_spec(EXAMPLE)
    terms = spec.to_terms()
    assert [t.size for t in terms.tranches] == [769_594_000_000, 90_540_000_000, 45_271_748_556]
    assert terms.initial_pool_balance == 905_405_748_556
    assert terms.principal_mode == PrincipalMode.SEQUENTIAL
    assert terms.fee_day_count == DayCount.THIRTY_360
    assert spec.initial_state().reserve == 9_054_000_000


def test_cumulative_default_trigger_one_threshold_or_a_schedule() -> None:
    one = parse_spec(changed("triggers.cumulative_default_max_bps", 500)).to_terms()
    assert one.cd_trigger == (TriggerStep(1, 500),)
    assert [one.cd_threshold_bps(p) for p in (1, 40)] == [500, 500]
    steps = {1: 200, 13: 400, 25: 600}
    terms = parse_spec(changed("triggers.cumulative_default_max_bps", steps)).to_terms()
    assert [terms.cd_threshold_bps(p) for p in (1, 12, 13, 24, 25, 99)] == [
        200,
        200,
        400,
        400,
        600,
        600,
    ]
    assert parse_spec(SPEC).to_terms().cd_trigger == ()  # no test unless the spec asks


def test_json_and_yaml_give_the_same_spec(tmp_path: Path) -> None:
    path = tmp_path / "deal.json"
    path.write_text(json.dumps(SPEC))
    assert load_spec(path) == parse_spec(SPEC)


def test_tranches_are_ordered_by_seniority() -> None:
    spec = copy.deepcopy(SPEC)
    spec["tranches"].reverse()
    assert parse_spec(spec).tranche_names == ["A", "B", "Equity"]


def test_period_ends_follow_the_calendar() -> None:
    spec = parse_spec(changed("period.first_payment_date", "2026-01-31"))
    assert spec.period_end(1) == 1_769_817_600  # 2026-01-31 00:00 UTC
    assert spec.period_end(2) - spec.period_end(1) == 28 * 86_400  # clipped to 28 Feb
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "tranches.0.coupon_bps",
            -1,
            "tranches.0.coupon_bps: Input should be greater than or equal to 0",
        ),
        (
            "tranches.1.day_count",
            "30/365",
            "tranches.1.day_count: Input should be '30/360', 'ACT/360' or 'ACT/365'",
        ),
        ("tranches.2.seniority", 1, "tranches: seniority must be 1..3, each once"),
        ("tranches.0.size", "1.5", "tranches.A.size: more decimals than the token's 0"),
        ("pool_balance", 900_000, "tranches: sizes add up to 1000000, pool_balance is 900000"),
        ("pool_balance", 1_100_000, "sizes add up to 1000000, pool_balance is 1100000"),
        ("tranches.1.size", 0, "tranches.B.size: must be more than 0"),
        ("reserve.initial", 1_000_001, "reserve.initial: 1000001 is more than the tranches'"),
        ("reserve.target", 2_000_000, "reserve.target: 2000000 is more than pool_balance"),
        ("principal_mode", "turbo", "principal_mode: Input should be 'sequential' or 'pro_rata'"),
        (
            "period.first_payment_date",
            "2025-12-01",
            "period: first_payment_date must be after closing_date",
        ),
        ("settlement_token", None, "settlement_token: Field required"),
        ("reserve.target", "lots", "reserve.target: must be a number"),
        (
            "fees.servicer_bps",
            200_000,
            "fees.servicer_bps: Input should be less than or equal to 100000",
        ),
        ("colour", "blue", "colour: Extra inputs are not permitted"),
        (
            "triggers.cumulative_default_max_bps",
            {2: 300},
            "triggers.cumulative_default_max_bps: a schedule starts at period 1",
        ),
        (
            "triggers.cumulative_default_max_bps",
            20_000,
            "triggers.cumulative_default_max_bps: must be a threshold in bps or a mapping "
            "{first period: bps} (0 to 10000), got 20000",
        ),
    ],
)
def test_errors_name_the_field(path: str, value: object, message: str) -> None:
    spec = changed(path, value)
    with pytest.raises(DealSpecError) as exc:
        parse_spec(spec)
    assert message in str(exc.value)


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DealSpecError, match="cannot read"):
        load_spec(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(DealSpecError, match="not valid yaml"):
        load_spec(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    with pytest.raises(DealSpecError, match="expected a mapping"):
        load_spec(listing)
