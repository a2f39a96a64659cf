"""The trigger-test table: percentages from basis points without floats, a failed test's
negative headroom, no headroom where there is no test, and 100 columns."""

from __future__ import annotations

from rich.console import Console

from ledger.cli.pool_triggers import percent, trigger_table
from ledger.deals.waterfall import RATIO_CAP


def test_percent_splits_basis_points_at_two_decimals():
    assert [percent(b) for b in (0, 5, 10_526, -84, 123_456_789)] == [
        "0.00%",
        "0.05%",
        "105.26%",
        "-0.84%",
        "1,234,567.89%",
    ]


def test_a_failed_period_shows_each_test_and_what_it_decided():
    tests = {
        "oc": {"ratio_bps": 10_216, "min_bps": 10_300, "pass": False, "headroom_bps": -84},
        "ic": {"ratio_bps": RATIO_CAP, "min_bps": 0, "pass": True, "headroom_bps": None},
        "cumulative_default": {
            "cumulative_defaults": 60_000_000_000,
            "ratio_bps": 600,
            "max_bps": 150,
            "pass": False,
            "headroom_bps": -450,
        },
        "breached": True,
        "principal": "sequential",
    }
    console = Console(width=100, record=True)
    console.print(trigger_table([(3, tests)]))
    out = console.export_text()
    assert max(len(line) for line in out.splitlines()) <= 100
    oc, ic, cd = (line for line in out.splitlines() if any(t in line for t in ("OC", "IC", "cum.")))
    assert "102.16%" in oc and ">= 103.00%" in oc and "FAIL" in oc and "-0.84%" in oc
    assert "sequential, trapped" in oc
    assert "n/a" in ic and "no test" in ic and "pass" in ic
    assert "6.00%" in cd and "<= 1.50%" in cd and "-4.50%" in cd
