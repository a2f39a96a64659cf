"""Many guarantors and insurers on a real Anvil, each acting only on its own positions: the
agent admits providers by name, each gets an API key bound to its own key; two guarantors
each deploy and fund their own guarantee and get 403 on the other's; an insurer's key
cannot deploy a guarantee; the configured default keys keep working; retries with the same
Idempotency-Key send nothing twice and never replay another provider's answer; an admin
rotates a provider's key and removes a provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from pool_samples import SPEC, loans

from api.deps import Role
from api.main import create_app
from ledger.deals.service import DealConflict
from ledger.deals.spec import parse_spec
from ledger.guarantees.providers import ProviderBook
from ledger.guarantees.service import CoverForbidden, CoverService
from ledger.runtime import Runtime
from tests.api.answers import G_TERMS, I_TERMS, ok, refused

KEYS = {
    "p-admin": Role.admin,
    "p-structurer": Role.structurer,
    "p-agent": Role.agent,
    "p-auditor": Role.auditor,
    "p-guarantor": Role.guarantor,
}
ADMIN = {"X-API-Key": "p-admin"}
STRUCTURER = {"X-API-Key": "p-structurer"}
AGENT = {"X-API-Key": "p-agent"}
DEFAULT_GUARANTOR = {"X-API-Key": "p-guarantor"}
KYC = {"kyc_expiry": "2100-01-01", "jurisdiction": "GB"}


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, KEYS)) as c:
        yield c


@pytest.fixture(scope="module")
def pool(client: TestClient, runtime: Runtime) -> str:
    """A pool being structured (cover deploys and posts before it closes too), and the
    default guarantor admitted the old way (an investor-registry entry for its key)."""
    guarantor = {"name": "guarantor", "address": runtime.keystore.signer("guarantor").address}
    ok(client.post("/v1/investors", json={**guarantor, **KYC}, headers=AGENT), 201)
    spec = parse_spec(SPEC)
    body = {"spec": SPEC, "loans": loans(spec.units(spec.pool_balance))}
    return ok(client.post("/v1/pools", json=body, headers=STRUCTURER), 201)["address"]


@pytest.fixture(scope="module")
def keys(client: TestClient) -> dict[str, dict[str, str]]:
    """Three providers the agent admitted: two guarantors and an insurer."""
    out = {}
    for name, kind in (("north", "guarantee"), ("south", "guarantee"), ("east", "insurance")):
        body = {"name": name, "kind": kind, **KYC}
        made = ok(client.post("/v1/cover/providers", json=body, headers=AGENT), 201)
        assert made["custodial"] and made["kind"] == kind and made["api_key"]
        out[name] = {"X-API-Key": made["api_key"]}
    return out


def deploy(client: TestClient, pool: str, kind: str, headers: dict) -> dict:
    terms = G_TERMS if kind == "guarantee" else I_TERMS
    body = {"kind": kind, "pool": pool, "terms": terms, "required": 5_000_000}
    return client.post("/v1/cover/facilities", json=body, headers=headers)


def post(client: TestClient, address: str, amount: int, headers: dict):
    path = f"/v1/cover/facilities/{address}/collateral"
    return client.post(path, json={"amount": amount}, headers=headers)


def test_two_guarantors_each_fund_only_their_own_guarantee(
    client: TestClient, pool: str, keys: dict, runtime: Runtime
) -> None:
    listed = {p["name"]: p for p in ok(client.get("/v1/cover/providers", headers=AGENT))}
    assert {"guarantor", "insurer", "north", "south", "east"} <= set(listed)
    assert listed["guarantor"]["default"] and not listed["north"]["default"]
    assert len({listed[n]["address"] for n in ("north", "south", "east")}) == 3

    north = ok(deploy(client, pool, "guarantee", keys["north"]), 201)
    south = ok(deploy(client, pool, "guarantee", keys["south"]), 201)
    assert north["provider"] == listed["north"]["address"]
    assert south["provider"] == listed["south"]["address"]

    for mine, theirs, headers in ((north, south, keys["north"]), (south, north, keys["south"])):
        position = ok(post(client, mine["address"], 5_000_000, headers))["position"]
        assert position["state"]["collateral"] == 5_000_000
        other = refused(post(client, theirs["address"], 1, headers), 403, "address")
        assert f"belongs to provider {theirs['provider']}" in other["detail"]
        release = client.post(f"/v1/cover/facilities/{theirs['address']}/release", headers=headers)
        refused(release, 403, "address")
    # the configured guarantor key is the default provider: not north's either
    refused(post(client, north["address"], 1, DEFAULT_GUARANTOR), 403, "address")
    default = ok(deploy(client, pool, "guarantee", DEFAULT_GUARANTOR), 201)
    assert default["provider"] == runtime.keystore.signer("guarantor").address
    refused(post(client, default["address"], 1, keys["north"]), 403, "address")

    # an insurer's key deploys policies only, and never touches a guarantor's facility
    refused(deploy(client, pool, "guarantee", keys["east"]), 403, "kind")
    refused(post(client, north["address"], 1, keys["east"]), 403, "address")
    policy = ok(deploy(client, pool, "insurance", keys["east"]), 201)
    assert policy["provider"] == listed["east"]["address"]
    refused(deploy(client, pool, "insurance", keys["north"]), 403, "kind")

    # nothing moved on the refused calls
    for f, posted in ((north, 5_000_000), (south, 5_000_000), (default, 0)):
        state = CoverService(runtime).show(f["address"]).state
        assert state["collateral"] == posted


def test_providers_read_themselves_and_only_the_agent_admits(
    client: TestClient, keys: dict
) -> None:
    mine = ok(client.get("/v1/cover/providers/north", headers=keys["north"]))
    assert mine["kind"] == "guarantee" and mine["custodial"]
    refused(client.get("/v1/cover/providers/south", headers=keys["north"]), 403)
    refused(client.get("/v1/cover/providers", headers=keys["north"]), 403)
    ok(client.get("/v1/cover/providers/guarantor", headers=DEFAULT_GUARANTOR))
    ok(client.get("/v1/cover/providers/east", headers={"X-API-Key": "p-auditor"}))
    refused(client.get("/v1/cover/providers/nobody", headers=AGENT), 404, "provider")
    body = {"name": "west", "kind": "guarantee", **KYC}
    refused(client.post("/v1/cover/providers", json=body, headers=keys["north"]), 403)
    refused(client.post("/v1/cover/providers", json=body, headers=STRUCTURER), 403)


def test_bad_admissions_name_the_field(client: TestClient, keys: dict) -> None:
    def admit(**body):
        return client.post("/v1/cover/providers", json={**KYC, **body}, headers=AGENT)

    refused(admit(name="guarantor", kind="guarantee"), 422, "name")
    refused(admit(name="structurer", kind="insurance"), 422, "name")
    refused(admit(name="Bad Name", kind="guarantee"), 422)
    refused(admit(name="west", kind="surety"), 422)
    refused(admit(name="north", kind="insurance"), 409, "kind")
    north = ok(client.get("/v1/cover/providers/north", headers=AGENT))["address"]
    refused(admit(name="west", kind="guarantee", address=north), 409, "address")
    # admitting north again renews its KYC: no second key
    again = ok(admit(name="north", kind="guarantee"), 201)
    assert again["api_key"] is None and again["address"] == north


def test_a_provider_with_its_own_address_signs_itself(
    client: TestClient, pool: str, runtime: Runtime
) -> None:
    address = Account.create().address  # a key the provider holds, not the service
    body = {"name": "own-key", "kind": "guarantee", "address": address, **KYC}
    made = ok(client.post("/v1/cover/providers", json=body, headers=AGENT), 201)
    assert not made["custodial"] and made["address"] == address
    headers = {"X-API-Key": made["api_key"]}
    answer = refused(deploy(client, pool, "guarantee", headers), 409, "provider")
    assert "sends its own transactions" in answer["detail"]


def test_retries_send_once_and_never_replay_another_providers_answer(
    client: TestClient, pool: str, keys: dict, runtime: Runtime
) -> None:
    body = {"name": "retry-co", "kind": "insurance", **KYC}
    headers = {**AGENT, "Idempotency-Key": "admit-retry-co"}
    first = ok(client.post("/v1/cover/providers", json=body, headers=headers), 201)
    replay = ok(client.post("/v1/cover/providers", json=body, headers=headers), 201)
    assert first["api_key"] and replay["api_key"] is None
    assert {k: v for k, v in first.items() if k != "api_key"} == {
        k: v for k, v in replay.items() if k != "api_key"
    }
    assert ProviderBook(runtime).for_key(first["api_key"]).name == "retry-co"  # type: ignore[union-attr]

    once = {**keys["north"], "Idempotency-Key": "deploy-shared-key"}
    made = ok(deploy(client, pool, "guarantee", once), 201)
    block = runtime.w3.eth.block_number
    assert ok(deploy(client, pool, "guarantee", once), 201) == made
    assert runtime.w3.eth.block_number == block
    # south reusing north's key with the same body: refused, not north's facility replayed
    theirs = {**keys["south"], "Idempotency-Key": "deploy-shared-key"}
    refused(deploy(client, pool, "guarantee", theirs), 409, "Idempotency-Key")

    posted = {**keys["north"], "Idempotency-Key": "post-north-1"}
    one = ok(post(client, made["address"], 7, posted))
    assert ok(post(client, made["address"], 7, posted)) == one
    assert one["position"]["state"]["collateral"] == 7


def test_the_service_keeps_each_provider_to_its_own(
    pool: str, keys: dict, runtime: Runtime
) -> None:
    """Below the API: a provider's kind and ownership are the service's rules too, and two
    providers' transactions recorded under one caller key stay apart."""
    cover = CoverService(runtime)
    with pytest.raises(CoverForbidden):
        cover.deploy("east", "guarantee", pool, G_TERMS, required=1)
    a = cover.deploy("north", "guarantee", pool, G_TERMS, required=1, idempotency_key="same")
    b = cover.deploy("south", "guarantee", pool, G_TERMS, required=1, idempotency_key="same")
    assert a.address != b.address and a.provider != b.provider
    with pytest.raises(CoverForbidden):
        cover.post("south", a.address, 1)


def test_an_admin_rotates_a_providers_key_and_removes_it(
    client: TestClient, pool: str, runtime: Runtime
) -> None:
    """A rotated key is shown once and the old one refused at once; a removed provider's
    key is refused, its registry entry is gone and it acts no more, while its bound
    facility stays readable and indexed; its name is not given again."""
    body = {"name": "rotor", "kind": "guarantee", **KYC}
    made = ok(client.post("/v1/cover/providers", json=body, headers=AGENT), 201)
    old = {"X-API-Key": made["api_key"]}
    facility = ok(deploy(client, pool, "guarantee", old), 201)["address"]
    rotate, remove = "/v1/cover/providers/rotor/rotate-key", "/v1/cover/providers/rotor"
    for headers in (AGENT, old, STRUCTURER):  # an admin's only
        refused(client.post(rotate, headers=headers), 403)
        refused(client.delete(remove, headers=headers), 403)

    once = {**ADMIN, "Idempotency-Key": "rotate-rotor-1"}
    rotated = ok(client.post(rotate, headers=once), 201)
    replay = ok(client.post(rotate, headers=once), 201)
    assert rotated["api_key"] and rotated["api_key"] != made["api_key"]
    assert replay["api_key"] is None and replay["key_rotated_at"] == rotated["key_rotated_at"]
    new = {"X-API-Key": rotated["api_key"]}
    refused(client.get("/v1/cover/providers/rotor", headers=old), 401, "X-API-Key")
    assert ok(client.get("/v1/cover/providers/rotor", headers=new))["key_rotated_at"]
    assert ok(post(client, facility, 5_000_000, new))["position"]["state"]["collateral"] > 0
    ok(client.post(f"/v1/cover/facilities/{facility}/bind", headers=STRUCTURER))  # indexed

    once = {**ADMIN, "Idempotency-Key": "remove-rotor-1"}
    block = runtime.w3.eth.block_number
    removed = ok(client.delete(remove, headers=once))
    assert ok(client.delete(remove, headers=once)) == removed  # replayed, nothing sent
    assert removed["tx_hash"] and runtime.w3.eth.block_number == block + 1
    assert not CoverService(runtime).deals.registry.investor(made["address"]).listed
    refused(client.get("/v1/cover/providers/rotor", headers=new), 401, "X-API-Key")
    refused(client.delete(remove, headers=ADMIN), 409, "provider")
    refused(client.post(rotate, headers=ADMIN), 409, "provider")
    with pytest.raises(DealConflict, match="rotor was removed"):
        CoverService(runtime).post("rotor", facility, 1)  # as `cover post --as rotor` would
    again = client.post("/v1/cover/providers", json=body, headers=AGENT)
    refused(again, 409, "name")

    read = ok(client.get("/v1/cover/providers/rotor", headers={"X-API-Key": "p-auditor"}))
    assert read["removed_at"] == removed["removed_at"]
    listed = {p["name"]: p for p in ok(client.get("/v1/cover/providers", headers=AGENT))}
    assert listed["rotor"]["removed_at"] and listed["north"]["removed_at"] is None
    runtime.indexer().poll_once()
    position = ok(client.get(f"/v1/cover/facilities/{facility}", headers=STRUCTURER))
    assert position["provider"] == made["address"] and position["collateral"] == 5_000_000
    assert position["bound"] and not position["released"]

    # the service's own providers are rotated in its key configuration, not here
    refused(client.post("/v1/cover/providers/guarantor/rotate-key", headers=ADMIN), 422, "name")
    refused(client.delete("/v1/cover/providers/insurer", headers=ADMIN), 422, "name")
    refused(client.delete("/v1/cover/providers/nobody", headers=ADMIN), 404, "provider")


def test_a_removal_retried_after_a_crash_finds_its_transaction(
    client: TestClient, runtime: Runtime
) -> None:
    """The registry removal went out, then the process died before the row was updated:
    the retry finds the recorded transaction and sends nothing new."""
    body = {"name": "crashy", "kind": "insurance", **KYC}
    made = ok(client.post("/v1/cover/providers", json=body, headers=AGENT), 201)
    book = ProviderBook(runtime)
    registry = book.deals.registry
    first = registry.remove_investor(made["address"], f"cover:provider-remove:{made['address']}")
    block = runtime.w3.eth.block_number
    assert book.get("crashy").removed_at is None  # the "crash": the row not updated yet
    removed = book.remove("crashy")
    assert removed.written is not None
    assert removed.written.tx_hash == first["transactionHash"].to_0x_hex()
    assert runtime.w3.eth.block_number == block
    assert book.for_key(made["api_key"]) is None
