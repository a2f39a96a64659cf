"""The pool and investor commands against a real Anvil: admit an investor, create a pool
from spec and tape files, subscribe, close, report a period, print the investor report
(equal to the simulator's), claim; bad input exits with code 2 and one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from pool_samples import SCENARIO, SPEC, loans, period_body, tape_csv

from ledger.deals.reports import simulation_reports, to_csv
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec
from ledger.deals.units import plain
from ledger.deals.waterfall import REPORT_AMOUNTS

from .conftest import run


def whole_units(body: dict) -> dict:
    """A period body with its amounts in whole USDC, as a person writes a report file."""
    return {k: plain(v, 6) if k in REPORT_AMOUNTS else v for k, v in body.items()}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("deal")
    spec = parse_spec(SPEC)
    paths = {"spec": folder / "deal.yaml", "tape": folder / "tape.csv"}
    paths["spec"].write_text(yaml.safe_dump(SPEC))
    paths["tape"].write_text(tape_csv(loans(spec.units(spec.pool_balance))))
    return paths


def test_create_subscribe_report_and_claim_from_the_command_line(env, files, tmp_path: Path):
    code, out = run(
        env, "investor", "add", "alice", "--kyc-expiry", "2100-01-01", "--jurisdiction", "GB"
    )
    assert code == 0, out
    assert "API key (shown once)" in out
    code, out = run(env, "pool", "create", str(files["spec"]), str(files["tape"]), "--json")
    assert code == 0, out
    pool = json.loads(out)["address"]
    assert run(env, "pool", "open", pool)[0] == 0
    spec = parse_spec(SPEC)
    for tranche in spec.tranches:  # whole token units, as in the spec
        code, out = run(
            env, "pool", "subscribe", pool, tranche.name, str(tranche.size), "--investor", "alice"
        )
        assert code == 0, out
    assert run(env, "pool", "close", pool)[0] == 0

    sim = simulate(spec, SCENARIO)
    report = tmp_path / "period-1.json"
    report.write_text(json.dumps(whole_units(period_body(sim.periods[0]))))
    code, out = run(env, "pool", "report-period", pool, str(report), "--json")
    assert code == 0, out
    reported = json.loads(out)
    assert reported["period"] == 1
    assert reported["cash_in"] == sim.periods[0].result.cash_in  # smallest units
    expected = simulation_reports(sim)[0]
    assert reported["triggers"] == expected["triggers"]
    code, out = run(env, "pool", "periods", pool)
    assert code == 0 and "2016-02-01" in out, out  # dates as dates
    assert max(len(line) for line in out.splitlines()) <= 100, out
    oc = expected["triggers"]["oc"]
    # each test with its ratio, threshold, result and headroom, in percent
    assert f"{oc['ratio_bps'] // 100}.{oc['ratio_bps'] % 100:02d}%" in out, out
    assert f">= {oc['min_bps'] // 100}.{oc['min_bps'] % 100:02d}%" in out, out
    for label in ("OC", "IC", "cum. default"):
        assert label in out, out
    code, out = run(env, "pool", "periods", pool, "--json")
    assert code == 0 and json.loads(out)[0]["period_end"] == sim.periods[0].report.period_end
    assert json.loads(out)[0]["triggers"] == expected["triggers"]

    code, out = run(env, "pool", "investor-report", pool, "1")
    assert code == 0, out
    assert json.loads(out) == expected
    code, out = run(env, "pool", "investor-report", pool, "1", "--csv")
    assert code == 0 and out == to_csv([expected])

    code, out = run(env, "pool", "claim", pool, "A", "--investor", "alice")
    assert code == 0 and "alice claimed" in out, out
    code, out = run(env, "pool", "show", pool, "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["pool"]["state"] == "amortising" and shown["pool"]["periods"] == 1
    assert shown["tranches"][0]["claimed"] > 0
    code, out = run(env, "pool", "list", "--json")
    assert code == 0 and pool in [p["address"] for p in json.loads(out)]

    # bad input and refusals: exit code 2, one line naming the field or the error
    bad_report = tmp_path / "bad.json"
    bad_report.write_text(json.dumps({"interest": -1}))
    bad_bytes = tmp_path / "bytes.yaml"
    bad_bytes.write_bytes(b"interest: \xff\n")
    for args, expected_text in (
        (("pool", "create", str(tmp_path / "missing.yaml"), str(files["tape"])), "cannot read"),
        (("pool", "subscribe", pool, "A", "10", "--investor", "nobody"), "investor"),
        (("pool", "report-period", pool, str(bad_report)), "interest: must be a number of at"),
        (("pool", "report-period", pool, str(bad_bytes)), "not UTF-8"),  # was a traceback
        (("pool", "subscribe", pool, "A", "1e400", "--investor", "alice"), "amount"),  # ABI error
        (("pool", "open", pool), "WrongState"),
        (("pool", "show", "0x1234"), "pool"),
        (
            ("investor", "add", "bob", "--kyc-expiry", "soon", "--jurisdiction", "GB"),
            "--kyc-expiry",
        ),
        (
            ("investor", "add", "bob", "--kyc-expiry", "2100-01-01", "--jurisdiction", "gb"),
            "jurisdiction",
        ),
    ):
        code, out = run(env, *args)
        assert code == 2, (args, out)
        flat = " ".join(out.split())  # Rich wraps the one line at the terminal's width
        assert flat.startswith("error:") and expected_text in flat, (args, out)
        assert "Traceback" not in out


def test_close_refund_and_refused_reports_from_the_command_line(env, files, tmp_path: Path):
    """An unfilled tranche is refused at close until resized; a cancelled pool refunds; a
    report inconsistent with the pool or ending in the future is refused naming the field,
    dates as dates; tables fit 100 columns with whole addresses."""
    assert (
        run(env, "investor", "add", "carol", "--kyc-expiry", "2100-01-01", "--jurisdiction", "GB")[
            0
        ]
        == 0
    )
    spec = parse_spec(SPEC)
    pools = []
    for _ in range(2):
        code, out = run(env, "pool", "create", str(files["spec"]), str(files["tape"]), "--json")
        assert code == 0, out
        pools.append(json.loads(out)["address"])
        code, out = run(env, "pool", "open", pools[-1], "--json")
        assert code == 0 and json.loads(out)["action"] == "open", out
    partial, cancelled = pools
    for tranche in spec.tranches:
        amount = "1.5" if tranche.name == "B" else str(tranche.size)
        assert (
            run(env, "pool", "subscribe", partial, tranche.name, amount, "--investor", "carol")[0]
            == 0
        )
    code, out = run(env, "pool", "close", partial)
    flat = " ".join(out.split())
    assert code == 2 and "unsubscribed.B: 1.50 of 150,000.00 subscribed" in flat, out
    code, out = run(env, "pool", "close", partial, "--resize", "B", "--json")
    assert code == 0 and json.loads(out)["unsubscribed"] == {"B": "resize"}, out

    sim = simulate(spec, SCENARIO)
    body = whole_units(period_body(sim.periods[0]))
    cases = {
        "pool_balance": {**body, "pool_balance": "1"},
        "scheduled_principal": {**body, "scheduled_principal": "2000000"},
        "period_end": {**body, "period_end": "2100-01-01"},
    }
    for field, bad in cases.items():
        path = tmp_path / f"{field}.json"
        path.write_text(json.dumps(bad))
        code, out = run(env, "pool", "report-period", partial, str(path))
        flat = " ".join(out.split())
        assert code == 2 and flat.startswith(f"error: {field}:"), out
    assert "2100-01-01 is in the future" in flat  # a date, not seconds

    assert run(env, "pool", "subscribe", cancelled, "A", "10", "--investor", "carol")[0] == 0
    assert run(env, "pool", "cancel", cancelled)[0] == 0
    code, out = run(env, "pool", "refund", cancelled, "A", "--investor", "carol", "--json")
    assert code == 0 and json.loads(out)["action"] == "refund", out
    code, out = run(env, "pool", "refund", cancelled, "A", "--investor", "carol")
    assert code == 2 and "NothingToRefund" in out

    code, out = run(env, "investor", "list", "--json")
    assert code == 0 and "carol" in [i["name"] for i in json.loads(out)], out
    listing = ("investor", "list")
    for args in (
        ("pool", "show", partial),
        ("pool", "list"),
        ("pool", "periods", partial),
        listing,
    ):
        code, out = run(env, *args)
        assert code == 0, out
        assert max(len(line) for line in out.splitlines()) <= 100, out
        if args[0] == "pool" and args[1] != "periods":
            assert partial in out  # the whole address, never cut
        if args[:2] == ("pool", "show"):  # resized, not retained; no cumulative-default test
            assert re.search(r"retained[\s│]+none", out) and re.search(r"cd_trigger[\s│]+none", out)


def test_deal_period_builds_a_report_from_a_servicer_file(env, tmp_path: Path):
    """The example servicer file gives a report whose balance is the tape's less principal
    and defaults, with delinquency buckets; a row that does not add up names its column."""
    examples = Path(__file__).resolve().parents[2] / "examples/deals"
    out_file = tmp_path / "period-1.yaml"
    args = ("deal", "period", str(examples / "servicer-2026-02.csv"), "--period-end", "2026-02-01")
    code, out = run(env, *args, "--out", str(out_file), "--json")
    assert code == 0, out
    body = json.loads(out)
    opening = spec_balance = parse_spec(
        yaml.safe_load((examples / "three-tranche-sequential.yaml").read_text())
    )
    opening = spec_balance.units(spec_balance.pool_balance)
    principal = body["scheduled_principal"] + body["prepayments"]
    assert body["pool_balance"] == opening - principal - body["new_defaults"]
    assert body["delinquent_30"] and body["delinquent_60"] and body["delinquent_90"]
    assert body["period_end"] == "2026-02-01" and body["stats"]["count"] < 1000
    written = yaml.safe_load(out_file.read_text())
    assert str(written["period_end"]) == "2026-02-01"

    broken = tmp_path / "broken.csv"
    lines = (examples / "servicer-2026-02.csv").read_text().splitlines()
    first = lines[1].split(",")
    first[2] = str(int(first[2]) + 1)  # current_principal no longer opening less payments
    broken.write_text("\n".join([lines[0], ",".join(first)]) + "\n")
    code, out = run(env, "deal", "period", str(broken), "--period-end", "2026-02-01")
    assert code == 2 and "row 2, column current_principal" in " ".join(out.split()), out
