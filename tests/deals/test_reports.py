"""Investor reports (JSON, CSV), charts and the ``credence deal`` commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from ledger.cli import deal as deal_cli
from ledger.deals import charts
from ledger.deals.reports import CSV_COLUMNS, simulation_reports, to_csv
from ledger.deals.simulator import EXAMPLE_SPEC, Scenario, run_deal, simulate
from ledger.deals.spec import parse_spec

from .test_cover_worked_example import COVER, REPORTS
from .test_cover_worked_example import SPEC as COVER_SPEC
from .test_worked_example import SCENARIO, SPEC

ROOT = Path(__file__).resolve().parents[2]
WORKED = str(ROOT / "examples/deals/worked-example.yaml")
WORKED_SCENARIO = "name=worked,basis=period,cdr=2%|6%|3%,cpr=5%,severity=40%,recovery_lag=1"
runner = CliRunner()
app = typer.Typer()
deal_cli.register(app)


def test_investor_report_fields() -> None:
    reports = simulation_reports(simulate(parse_spec(SPEC), SCENARIO))
    second = reports[1]
    assert (second["period"], second["period_start"], second["period_end"]) == (
        2,
        "2026-02-01",
        "2026-03-01",
    )
    assert second["collections"] == {
        "interest": 6_563,
        "scheduled_principal": 218_785,
        "prepayments": 21_878,
        "recoveries": 12_000,
        "total": 259_226,
    }
    b = second["classes"][1]
    assert (b["balance_start"], b["writedown"], b["writeup"], b["balance_end"]) == (
        150_000,
        8_695,
        8_695,
        150_000,
    )
    assert second["classes"][2]["cured"] == 1_721
    triggers = second["triggers"]
    assert triggers["breached"] and triggers["principal"] == "sequential"
    # the period's own tests with their headroom: OC 10200 vs 10300, IC 14223 vs 15000
    assert triggers["oc"] == {
        "ratio_bps": 10_200,
        "min_bps": 10_300,
        "pass": False,
        "headroom_bps": -100,
    }
    assert triggers["ic"]["headroom_bps"] == 14_223 - 15_000
    assert triggers["cumulative_default"]["cumulative_defaults"] == 61_895
    assert triggers["cumulative_default"]["headroom_bps"] is None  # no such test in this deal
    assert second["delinquency"] == {"days_30_59": 0, "days_60_89": 5_745, "days_90_plus": 12_470}
    assert second["pool"]["factor_bps"] == 4_156  # 415,692 / 1,000,000
    assert second["reserve"]["after"] == 10_000 and second["cash_check"]["balanced"]
    json.dumps(reports)  # every report is plain JSON


def test_csv_has_a_row_per_class_and_period() -> None:
    reports = simulation_reports(simulate(parse_spec(SPEC), SCENARIO))
    rows = list(csv.DictReader(io.StringIO(to_csv(reports))))
    assert len(rows) == 5 * 3
    assert tuple(rows[0]) == CSV_COLUMNS
    equity_p1 = rows[2]
    assert (equity_p1["class"], equity_p1["residual_to_equity"], equity_p1["balance_end"]) == (
        "Equity",
        "0",
        "33200",
    )


def test_charts_are_png_files(tmp_path: Path) -> None:
    spec = parse_spec(SPEC)
    sims = [simulate(spec, SCENARIO), simulate(spec, Scenario(name="clean"))]
    paths = [
        charts.tranche_balances(sims[0], tmp_path / "b.png"),
        charts.cash_flows(sims[0], tmp_path / "c.png"),
        charts.losses_by_scenario(sims, tmp_path / "l.png"),
    ]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_simulate_json() -> None:
    result = runner.invoke(
        app, ["deal", "simulate", WORKED, "--scenario", WORKED_SCENARIO, "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    (scenario,) = body["scenarios"]
    assert body["token"] == {"symbol": "DEMO", "decimals": 0}
    assert [t["loss"] for t in scenario["tranches"]] == [0, 0, 16_318]
    assert scenario["pool_loss"] == 32_044 and scenario["periods"] == 5


def test_cli_simulate_table_and_charts(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "deal",
            "simulate",
            str(EXAMPLE_SPEC),
            "--scenario",
            "name=base,cdr=2%",
            "--scenario",
            "name=stress,cdr=15%,severity=60%",
            "--charts",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "stress" in result.stdout and "Equity" in result.stdout
    assert (tmp_path / "losses-by-scenario.png").exists()
    assert (tmp_path / "stress-balances.png").exists()


def test_cli_report_csv_and_json() -> None:
    csv_out = runner.invoke(
        app, ["deal", "report", WORKED, "--scenario", WORKED_SCENARIO, "--format", "csv"]
    )
    assert csv_out.exit_code == 0 and len(csv_out.stdout.splitlines()) == 1 + 15
    one = runner.invoke(
        app, ["deal", "report", WORKED, "--scenario", WORKED_SCENARIO, "--period", "3"]
    )
    assert json.loads(one.stdout)["classes"][2]["cured"] == 773


def test_cli_tape(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    tape = str(ROOT / "examples/deals/loan-tape.csv")
    result = runner.invoke(
        app, ["deal", "tape", tape, "--key-file", str(key), "--as-of", "2026-01-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["count"], body["balance"], body["wa_rate_bps"]) == (1000, 905_405_748_556, 817)


def test_cli_bad_input_exits_2_with_the_field(tmp_path: Path) -> None:
    (tmp_path / "bytes.yaml").write_bytes(b"name: \xff\xfe\n")
    (tmp_path / "broken.yaml").write_text("cdr: [\n")
    (tmp_path / "tagged.yaml").write_text("!!python/object/apply:os.system ['true']\n")
    unreadable = [  # were tracebacks: UnicodeDecodeError, yaml's ParserError, ConstructorError
        (["deal", "simulate", str(tmp_path / "bytes.yaml")], "bytes.yaml: not UTF-8 text"),
        (["deal", "report", str(tmp_path / "bytes.yaml")], "bytes.yaml: not UTF-8 text"),
        (["deal", "simulate", str(tmp_path)], "cannot read"),
        (["deal", "simulate", WORKED, "--scenario", str(tmp_path / "broken.yaml")], "broken.yaml"),
        (["deal", "simulate", WORKED, "--scenario", str(tmp_path / "tagged.yaml")], "tagged.yaml"),
        (["deal", "simulate", WORKED, "--scenario", str(tmp_path / "bytes.yaml")], "not UTF-8"),
    ]
    cases = [
        *unreadable,
        (["deal", "simulate", "missing.yaml"], "missing.yaml: cannot read"),
        (["deal", "simulate", WORKED, "--scenario", "cdr=2"], "scenario.cdr: must be a fraction"),
        (["deal", "report", WORKED, "--format", "xml"], "--format: must be json or csv"),
        (["deal", "report", WORKED, "--period", "99"], "--period: the deal has"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
        assert "Traceback" not in result.output


def test_credit_enhancement_of_the_worked_cover_example() -> None:
    """docs/guarantees-worked-example.md's hand figures, as the investor report shows them;
    an uncovered deal's report says null."""
    first, second = simulation_reports(run_deal(parse_spec(COVER_SPEC), REPORTS, cover=COVER))
    ce = first["credit_enhancement"]
    assert (ce["guarantee"]["draw"], ce["guarantee"]["draw_cure"]) == (51_166, 51_166)
    assert (ce["insurance"]["claim"], ce["insurance"]["claim_paid"]) == (100_000, 100_000)
    assert ce["guarantee"]["collateral_after"] == 8_834 and ce["unpaid_claims"] == 0
    assert ce["deficiency_after"] == 100_000  # equity's write-down, not covered
    assert ce["cash_in"] == 151_166 and first["cash_check"]["balanced"]
    ce = second["credit_enhancement"]
    assert ce["guarantee"]["subrogation_from_recoveries"] == 51_166
    assert ce["insurance"]["recoveries_to_insurer"] == 48_000
    assert ce["guarantee"]["owed_after"] == 1_291
    rows = list(csv.DictReader(io.StringIO(to_csv([first]))))
    assert {r["guarantee_draw"] for r in rows} == {"51166"}
    uncovered = simulation_reports(simulate(parse_spec(SPEC), SCENARIO))
    assert uncovered[0]["credit_enhancement"] is None
