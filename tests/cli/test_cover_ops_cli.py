"""`credence cover deploy|post|bind|release|show` against a real Anvil: a guarantor that is
not admitted is told how to be; once admitted it deploys a guarantee on B, posts and tops
up, the structurer binds it, and after the covered term it is released; bad input exits 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from pool_samples import SCENARIO, SPEC, loans, period_body, tape_csv

from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec
from ledger.deals.units import plain
from ledger.deals.waterfall import REPORT_AMOUNTS

from .conftest import run


@pytest.fixture(scope="module")
def pool(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cover")
    spec = parse_spec(SPEC)
    (folder / "deal.yaml").write_text(yaml.safe_dump(SPEC))
    (folder / "tape.csv").write_text(tape_csv(loans(spec.units(spec.pool_balance))))
    kyc = ("--kyc-expiry", "2100-01-01", "--jurisdiction", "GB")
    assert run(env, "investor", "add", "alice", *kyc)[0] == 0
    code, out = run(
        env, "pool", "create", str(folder / "deal.yaml"), str(folder / "tape.csv"), "--json"
    )
    assert code == 0, out
    address = json.loads(out)["address"]
    assert run(env, "pool", "open", address)[0] == 0
    for t in spec.tranches:
        assert (
            run(env, "pool", "subscribe", address, t.name, str(t.size), "--investor", "alice")[0]
            == 0
        )
    assert run(env, "pool", "close", address)[0] == 0
    return address


def test_a_guarantor_deploys_funds_and_releases_its_guarantee(
    env: dict[str, str], pool: str, tmp_path: Path
) -> None:
    deploy = ("cover", "deploy", "guarantee", "--pool", pool, "--tranche", "B", "--limit", "40000")
    deploy += ("--premium-bps", "150", "--last-period", "1", "--required", "5000", "--json")
    code, out = run(env, *deploy)
    out = " ".join(out.split())  # the message wraps at 100 columns
    assert code == 2 and "not admitted in the investor registry" in out
    address = re.search(r"--address (0x[0-9a-fA-F]{40})", out).group(1)  # type: ignore[union-attr]
    kyc = ("--kyc-expiry", "2100-01-01", "--jurisdiction", "GB", "--address", address)
    assert run(env, "investor", "add", "guarantor", *kyc)[0] == 0

    code, out = run(env, *deploy)
    assert code == 0, out
    deployed = json.loads(out)
    facility = deployed["address"]
    assert deployed["provider"] == address and deployed["required"] == 5_000_000_000

    code, out = run(env, "cover", "bind", facility)
    assert code == 2 and "BelowRequired" in out  # nothing posted yet
    assert run(env, "cover", "post", facility, "3000")[0] == 0
    code, out = run(env, "cover", "post", facility, "2000.5", "--json")
    assert code == 0, out
    assert json.loads(out)["position"]["state"]["collateral"] == 5_000_500_000
    code, out = run(env, "cover", "post", facility, "1", "--as", "insurer")
    assert code == 2 and "belongs to provider" in " ".join(out.split())
    code, out = run(env, "cover", "bind", facility, "--json")
    assert code == 0 and json.loads(out)["position"]["bound"] is True

    code, out = run(env, "cover", "show", facility)
    assert code == 0 and "state.collateral" in out and facility in out
    assert max(len(line) for line in out.splitlines()) <= 100

    body = period_body(simulate(parse_spec(SPEC), SCENARIO).periods[0])
    whole = {k: plain(v, 6) if k in REPORT_AMOUNTS else v for k, v in body.items()}
    report = tmp_path / "period-1.json"
    report.write_text(json.dumps(whole))
    assert run(env, "pool", "report-period", pool, str(report))[0] == 0
    code, out = run(env, "cover", "release", facility, "--json")
    assert code == 0, out
    assert json.loads(out)["position"]["state"]["released"] is True


def test_bad_input_exits_2_with_one_line(env: dict[str, str], pool: str) -> None:
    base = ("cover", "deploy", "guarantee", "--pool", pool, "--limit", "1", "--premium-bps", "1")
    code, out = run(env, *base, "--last-period", "1", "--tranche", "Equity", "--required", "1")
    assert code == 2 and "terms.tranche" in out and "Traceback" not in out
    code, out = run(env, *base, "--last-period", "1", "--deductible", "5")
    assert code == 2 and "--tranche" in out
    code, out = run(env, *base[:2], "bond", *base[3:], "--last-period", "1")
    assert code == 2 and "guarantee or insurance" in out
    code, out = run(env, "cover", "show", pool)
    assert code == 2 and "no guarantee facility or insurance policy" in " ".join(out.split())
    code, out = run(env, "cover", "show", "0x12")
    assert code == 2 and "not an address" in out
