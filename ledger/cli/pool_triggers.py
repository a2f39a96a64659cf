"""The trigger tests of a period (docs/waterfall.md §8) as a table: each test's ratio, its
threshold, whether it passed and its headroom, in percent of the pool or the notes.

The figures come from ``ledger.deals.reports.trigger_tests`` (basis points); the table only
formats them: integers split at two decimals, never through floats."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ledger.deals.waterfall import RATIO_CAP

# test key in trigger_tests, label, how the threshold binds the ratio
TESTS = (
    ("oc", "OC", ">="),
    ("ic", "IC", ">="),
    ("cumulative_default", "cum. default", "<="),
)


def percent(bps: int) -> str:
    """Basis points as a percentage with two decimals (12_345 -> ``123.45%``)."""
    sign = "-" if bps < 0 else ""
    whole, frac = divmod(abs(bps), 100)
    return f"{sign}{whole:,}.{frac:02d}%"


def _row(test: dict[str, Any], bound: str) -> tuple[str, str, str, str]:
    ratio = test["ratio_bps"]
    threshold = test["min_bps"] if bound == ">=" else test["max_bps"]
    headroom = test["headroom_bps"]
    return (
        "n/a" if ratio == RATIO_CAP else percent(ratio),  # nothing to cover: no ratio
        f"{bound} {percent(threshold)}" if threshold else "no test",
        "pass" if test["pass"] else "FAIL",
        "" if headroom is None else ("+" if headroom >= 0 else "") + percent(headroom),
    )


def trigger_table(periods: list[tuple[int, dict[str, Any]]]) -> Table:
    """One row per test and period; the last column is what the tests decided for the
    period: its principal mode, and whether the residual was trapped in the reserve."""
    table = Table(
        "period", "test", "ratio", "threshold", "result", "headroom", "principal, residual"
    )
    table.title = "trigger tests (the period's own figures, before distribution)"
    for period, tests in periods:
        decides = f"{tests['principal']}, {'trapped' if tests['breached'] else 'paid'}"
        for k, (key, label, bound) in enumerate(TESTS):
            table.add_row(
                str(period) if k == 0 else "",
                label,
                *_row(tests[key], bound),
                decides if k == 0 else "",
            )
        rating = tests.get("rating")
        if rating is not None and not rating["pass"]:  # only a deal with a rating trigger fails it
            table.add_row("", "rating", "", "below floor or none valid", "FAIL", "", "")
    return table
