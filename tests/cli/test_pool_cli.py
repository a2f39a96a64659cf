"""The pool and investor commands against a real Anvil: admit an investor, create a pool
from spec and tape files, subscribe, close, report a period, print the investor report
(equal to the simulator's), claim; bad input exits with code 2 and one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pool_samples import SCENARIO, SPEC, loans, period_body, tape_csv

from ledger.deals.reports import simulation_reports, to_csv
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec

from .conftest import run


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
    for name, tranche in zip(spec.tranche_names, spec.to_terms().tranches, strict=True):
        code, out = run(
            env, "pool", "subscribe", pool, name, str(tranche.size), "--investor", "alice"
        )
        assert code == 0, out
    assert run(env, "pool", "close", pool)[0] == 0

    sim = simulate(spec, SCENARIO)
    report = tmp_path / "period-1.json"
    report.write_text(json.dumps(period_body(sim.periods[0])))
    code, out = run(env, "pool", "report-period", pool, str(report))
    assert code == 0, out
    assert "period 1" in out

    code, out = run(env, "pool", "investor-report", pool, "1")
    assert code == 0, out
    expected = simulation_reports(sim)[0]
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
    for args, expected_text in (
        (("pool", "create", str(tmp_path / "missing.yaml"), str(files["tape"])), "cannot read"),
        (("pool", "subscribe", pool, "A", "10", "--investor", "nobody"), "investor"),
        (("pool", "report-period", pool, str(bad_report)), "period_end"),
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
