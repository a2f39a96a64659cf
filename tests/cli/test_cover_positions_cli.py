"""`credence cover facilities` and `cover periods` on a covered pool on a real Anvil: tables
that fit 100 columns, JSON in smallest units, bad input exits with code 2 and one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cover_world import CoveredDeal, U, covered_deal

from ledger.runtime import Runtime
from ledger.settings import Settings

from .conftest import run


@pytest.fixture(scope="module")
def deal(env: dict[str, str]) -> CoveredDeal:
    settings = Settings(data_dir=Path(env["CREDENCE_DATA_DIR"]), rpc_url=env["CREDENCE_RPC_URL"])
    with Runtime.open(settings) as rt:
        return covered_deal(rt, "Covered CLI 2016-1")


def test_facilities_and_periods_as_tables_and_json(env, deal: CoveredDeal):
    code, out = run(env, "cover", "facilities", "--pool", deal.pool, "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert [(r["address"], r["kind"]) for r in rows] == [
        (deal.guarantee, "guarantee"), (deal.insurance, "insurance"),
    ]  # fmt: skip
    assert rows[0]["collateral_moves"][0]["amount"] == 70_000 * U and rows[0]["paid"] > 0
    code, out = run(env, "cover", "facilities")
    assert code == 0, out
    assert "guarantee: note 1" in out and "insurance: defaults" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    code, out = run(env, "cover", "periods", deal.guarantee, "--json")
    assert code == 0, out
    periods = json.loads(out)
    assert [p["period"] for p in periods] == [1, 2] and periods[0]["unpaid_claim"] > 0
    code, out = run(env, "cover", "periods", deal.insurance.lower())
    assert code == 0, out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_bad_input_exits_2_naming_the_field(env, deal: CoveredDeal):
    code, out = run(env, "cover", "periods", "0x12")
    assert code == 2 and "address: not an address" in out
    code, out = run(env, "cover", "periods", "0x" + "33" * 20)
    assert code == 2 and "address: no guarantee facility" in out
    code, out = run(env, "cover", "facilities", "--pool", "nope")
    assert code == 2 and "pool: not an address" in out
