"""`credence cover provider add|list|rotate|remove` against a real Anvil: the agent admits
two guarantors, each deploys and funds its own guarantee with `--as NAME` and is refused
(exit 2) on the other's; a key is rotated and a provider removed; the list fits 100
columns; bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pool_samples import SPEC, loans, tape_csv

from ledger.deals.spec import parse_spec

from .conftest import run

KYC = ("--kyc-expiry", "2100-01-01", "--jurisdiction", "GB")


@pytest.fixture(scope="module")
def pool(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("providers")
    spec = parse_spec(SPEC)
    (folder / "deal.yaml").write_text(yaml.safe_dump(SPEC))
    (folder / "tape.csv").write_text(tape_csv(loans(spec.units(spec.pool_balance))))
    code, out = run(
        env, "pool", "create", str(folder / "deal.yaml"), str(folder / "tape.csv"), "--json"
    )
    assert code == 0, out
    return json.loads(out)["address"]


def test_two_guarantors_act_only_on_their_own(env: dict[str, str], pool: str) -> None:
    admitted = {}
    for name in ("north", "south"):
        code, out = run(
            env, "cover", "provider", "add", name, "--kind", "guarantee", *KYC, "--json"
        )
        assert code == 0, out
        admitted[name] = json.loads(out)
        assert admitted[name]["custodial"] and admitted[name]["api_key"].startswith("guarantee-")
    code, out = run(env, "cover", "provider", "add", "north", "--kind", "guarantee", *KYC)
    assert code == 0 and "API key" not in out  # renewed, no second key

    deploy = ("cover", "deploy", "guarantee", "--pool", pool, "--tranche", "B", "--limit", "100")
    deploy += ("--premium-bps", "150", "--last-period", "1", "--required", "5", "--json")
    code, out = run(env, *deploy, "--as", "north")
    assert code == 0, out
    facility = json.loads(out)
    assert facility["provider"] == admitted["north"]["address"]
    code, out = run(env, "cover", "post", facility["address"], "5", "--as", "north", "--json")
    assert code == 0 and json.loads(out)["position"]["state"]["collateral"] == 5_000_000
    code, out = run(env, "cover", "post", facility["address"], "1", "--as", "south")
    assert code == 2 and "belongs to provider" in " ".join(out.split())
    code, out = run(env, "cover", "release", facility["address"], "--as", "south")
    assert code == 2 and "belongs to provider" in " ".join(out.split())

    code, out = run(env, "cover", "provider", "list")
    assert code == 0 and "north" in out and admitted["south"]["address"] in out
    assert max(len(line) for line in out.splitlines()) <= 100
    code, out = run(env, "cover", "provider", "list", "--json")
    listed = {p["name"]: p for p in json.loads(out)}
    assert listed["guarantor"]["default"] and listed["north"]["kind"] == "guarantee"


def test_bad_input_exits_2(env: dict[str, str], pool: str) -> None:
    code, out = run(env, "cover", "provider", "add", "west", "--kind", "bond", *KYC)
    assert code == 2 and "--kind" in out and "Traceback" not in out
    code, out = run(env, "cover", "provider", "add", "insurer", "--kind", "insurance", *KYC)
    assert code == 2 and "reserved" in out
    code, out = run(
        env,
        "cover",
        "provider",
        "add",
        "west",
        "--kind",
        "insurance",
        "--kyc-expiry",
        "2100-01-01",
        "--jurisdiction",
        "GB",
        "--address",
        "0x12",
    )
    assert code == 2 and "not an address" in out
    deploy = ("cover", "deploy", "guarantee", "--pool", pool, "--tranche", "B", "--limit", "1")
    code, out = run(env, *deploy, "--premium-bps", "1", "--last-period", "1", "--as", "nobody")
    assert code == 2 and "no cover provider named 'nobody'" in " ".join(out.split())


def test_rotate_and_remove(env: dict[str, str], pool: str) -> None:
    """A rotated key is printed once and replaces the old; a removed provider is listed as
    removed, acts no more, and its name is not admitted again."""
    from ledger.guarantees.providers import ProviderBook
    from ledger.runtime import Runtime
    from ledger.settings import Settings

    code, out = run(env, "cover", "provider", "add", "spare", "--kind", "insurance", *KYC, "--json")
    assert code == 0, out
    first = json.loads(out)
    code, out = run(env, "cover", "provider", "rotate", "spare", "--json")
    assert code == 0, out
    rotated = json.loads(out)
    assert rotated["api_key"].startswith("insurance-") and rotated["api_key"] != first["api_key"]
    code, out = run(env, "cover", "provider", "rotate", "spare")
    assert code == 0 and "shown once" in out
    settings = Settings(data_dir=Path(env["CREDENCE_DATA_DIR"]), rpc_url=env["CREDENCE_RPC_URL"])
    with Runtime.open(settings) as rt:
        book = ProviderBook(rt)
        assert book.for_key(first["api_key"]) is None
        assert book.for_key(rotated["api_key"]) is None  # rotated again since
        assert book.for_key(out.split()[-1]).name == "spare"  # type: ignore[union-attr]

    code, out = run(env, "cover", "provider", "remove", "spare", "--json")
    assert code == 0, out
    removed = json.loads(out)
    assert removed["tx_hash"] and removed["address"] == first["address"]
    code, out = run(env, "cover", "provider", "list")
    assert code == 0 and "removed 20" in out and "in force" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    code, out = run(env, "cover", "provider", "list", "--json")
    assert {p["name"]: p for p in json.loads(out)}["spare"]["removed_at"] == removed["removed_at"]

    deploy = ("cover", "deploy", "insurance", "--pool", pool, "--deductible", "0")
    deploy += ("--coinsurance-bps", "5000", "--limit", "100", "--premium-bps", "40")
    code, out = run(env, *deploy, "--last-period", "1", "--required", "5", "--as", "spare")
    assert code == 2 and "spare was removed" in " ".join(out.split())
    for args in (("remove", "spare"), ("rotate", "spare")):
        code, out = run(env, "cover", "provider", *args)
        assert code == 2 and "removed already" in out and "Traceback" not in out
    code, out = run(env, "cover", "provider", "add", "spare", "--kind", "insurance", *KYC)
    assert code == 2 and "names are not reused" in out
    code, out = run(env, "cover", "provider", "rotate", "guarantor")
    assert code == 2 and "the service's own key" in " ".join(out.split())
    code, out = run(env, "cover", "provider", "remove", "nobody")
    assert code == 2 and "no cover provider named 'nobody'" in " ".join(out.split())
