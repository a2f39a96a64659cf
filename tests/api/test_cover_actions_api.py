"""Cover actions over HTTP on a real Anvil: a guarantor and an insurer deploy and fund their
own facilities, the structurer binds them, a period draws on them, they are released;
acting on another provider's facility is a 403, a revert a readable 409, a retry with the
same Idempotency-Key sends nothing twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pool_samples import SCENARIO, SPEC, loans, period_body

from api.deps import Role
from api.main import create_app
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec
from ledger.runtime import Runtime
from tests.api.answers import G_TERMS, I_TERMS, ok, refused

KEYS = {
    "k-admin": Role.admin,
    "k-structurer": Role.structurer,
    "k-servicer": Role.servicer,
    "k-agent": Role.agent,
    "k-guarantor": Role.guarantor,
    "k-insurer": Role.insurer,
    "k-investor": Role.investor,
}
STRUCTURER = {"X-API-Key": "k-structurer"}
SERVICER = {"X-API-Key": "k-servicer"}
AGENT = {"X-API-Key": "k-agent"}
GUARANTOR = {"X-API-Key": "k-guarantor"}
INSURER = {"X-API-Key": "k-insurer"}
KYC_UNTIL = "2100-01-01"


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, KEYS)) as c:
        yield c


@pytest.fixture(scope="module")
def pool(client: TestClient, runtime: Runtime) -> str:
    """A closed pool (alice holds every note) and both providers admitted by the agent."""
    spec = parse_spec(SPEC)
    body = {"spec": SPEC, "loans": loans(spec.units(spec.pool_balance))}
    address = ok(client.post("/v1/pools", json=body, headers=STRUCTURER), 201)["address"]
    alice = {"name": "alice", "kyc_expiry": KYC_UNTIL, "jurisdiction": "GB"}
    key = ok(client.post("/v1/investors", json=alice, headers=AGENT), 201)["api_key"]
    for role in ("guarantor", "insurer"):
        provider = runtime.keystore.signer(role).address
        admit = {**alice, "name": role, "address": provider}
        ok(client.post("/v1/investors", json=admit, headers=AGENT), 201)
    ok(client.post(f"/v1/pools/{address}/open", headers=STRUCTURER))
    for i, t in enumerate(spec.to_terms().tranches):
        sub = {"tranche": spec.tranche_names[i], "amount": t.size}
        headers = {"X-API-Key": key}
        ok(client.post(f"/v1/pools/{address}/subscriptions", json=sub, headers=headers), 201)
    ok(client.post(f"/v1/pools/{address}/close", headers=STRUCTURER))
    return address


def deploy(client: TestClient, pool: str, kind: str, headers: dict, **extra) -> dict:
    terms = G_TERMS if kind == "guarantee" else I_TERMS
    body = {"kind": kind, "pool": pool, "terms": terms, "required": 5_000_000_000, **extra}
    return client.post("/v1/cover/facilities", json=body, headers=headers)


def test_providers_fund_their_own_cover_and_a_period_draws_on_it(
    client: TestClient, pool: str, runtime: Runtime
) -> None:
    g = ok(deploy(client, pool, "guarantee", GUARANTOR), 201)
    i = ok(deploy(client, pool, "insurance", INSURER), 201)
    assert g["provider"] == runtime.keystore.signer("guarantor").address
    assert i["provider"] == runtime.keystore.signer("insurer").address

    # binding an unfunded facility: the contract's refusal, readable
    body = refused(
        client.post(f"/v1/cover/facilities/{g['address']}/bind", headers=STRUCTURER), 409
    )
    assert "below the 5000000000 the cover requires" in body["detail"]

    # the insurer may not touch the guarantor's facility, nor deploy guarantees
    other = client.post(
        f"/v1/cover/facilities/{g['address']}/collateral", json={"amount": 1}, headers=INSURER
    )
    assert "belongs to provider" in refused(other, 403, "address")["detail"]
    refused(deploy(client, pool, "guarantee", INSURER), 403, "kind")
    refused(client.post(f"/v1/cover/facilities/{g['address']}/bind", headers=GUARANTOR), 403)

    for f, headers in ((g, GUARANTOR), (i, INSURER)):
        path = f"/v1/cover/facilities/{f['address']}"
        posted = ok(
            client.post(f"{path}/collateral", json={"amount": 3_000_000_000}, headers=headers)
        )
        topped = ok(
            client.post(f"{path}/collateral", json={"amount": 2_000_000_000}, headers=headers)
        )
        assert posted["position"]["state"] != topped["position"]["state"]
        bound = ok(client.post(f"{path}/bind", headers=STRUCTURER))["position"]
        assert bound["bound"] and not bound["releasable"]
        assert bound["required"] == 5_000_000_000

    # releasing before the term is over is refused before anything is sent
    early = client.post(f"/v1/cover/facilities/{g['address']}/release", headers=GUARANTOR)
    assert "not releasable yet" in refused(early, 409, "address")["detail"]

    record = simulate(parse_spec(SPEC), SCENARIO).periods[0]
    assert record.report.new_defaults > 0
    ok(client.post(f"/v1/pools/{pool}/periods", json=period_body(record), headers=SERVICER), 201)

    claimed = ok(client.post(f"/v1/cover/facilities/{i['address']}/release", headers=STRUCTURER))
    state = claimed["position"]["state"]
    assert state["released"] and state["claims_paid"] == record.report.new_defaults // 2
    released = ok(client.post(f"/v1/cover/facilities/{g['address']}/release", headers=GUARANTOR))
    assert released["position"]["state"]["released"] and released["position"]["required"] == 0
    again = client.post(f"/v1/cover/facilities/{g['address']}/release", headers=GUARANTOR)
    refused(again, 409, "address")


def test_a_retry_with_the_same_key_deploys_and_posts_once(
    client: TestClient, pool: str, runtime: Runtime
) -> None:
    headers = {**GUARANTOR, "Idempotency-Key": "cover-deploy-1"}
    first = ok(deploy(client, pool, "guarantee", headers), 201)
    assert ok(deploy(client, pool, "guarantee", headers), 201) == first
    path = f"/v1/cover/facilities/{first['address']}/collateral"
    post = {**GUARANTOR, "Idempotency-Key": "cover-post-1"}
    one = ok(client.post(path, json={"amount": 7}, headers=post))
    assert ok(client.post(path, json={"amount": 7}, headers=post)) == one
    assert one["position"]["state"]["collateral"] == 7
    # the keys the transactions were recorded under, before broadcast
    store = runtime.sender("guarantor").idempotency
    assert store.get(f"cover:post:{first['address']}:cover-post-1:post") == one["tx_hash"]


def test_bad_input_is_a_4xx_naming_the_field(client: TestClient, pool: str) -> None:
    bad = deploy(client, pool, "guarantee", GUARANTOR, terms={**G_TERMS, "tranche": 2})
    refused(bad, 422, "terms.tranche")
    refused(deploy(client, pool, "guarantee", GUARANTOR, terms={"tranche": 1}), 422, "terms.limit")
    refused(deploy(client, pool, "insurance", INSURER, required=None), 422, "required")
    nowhere = deploy(client, "0x" + "11" * 20, "guarantee", GUARANTOR)
    refused(nowhere, 404, "pool")
    refused(deploy(client, pool, "guarantee", {"X-API-Key": "k-investor"}), 403)
    not_cover = client.post(f"/v1/cover/facilities/{pool}/bind", headers=STRUCTURER)
    refused(not_cover, 404, "address")
    zero = client.post(
        f"/v1/cover/facilities/{pool}/collateral", json={"amount": 0}, headers=GUARANTOR
    )
    refused(zero, 422)


def test_the_service_sends_each_transaction_once_per_key(pool: str, runtime: Runtime) -> None:
    """Below the API's replay: a retried deploy or post (the first one's response lost)
    finds the transactions recorded under its key before broadcast and sends nothing."""
    from ledger.guarantees.service import CoverService

    cover = CoverService(runtime)
    terms = {**I_TERMS, "last_period": 3}
    first = cover.deploy("insurer", "insurance", pool, terms, required=9, idempotency_key="r-1")
    block = runtime.w3.eth.block_number
    again = cover.deploy("insurer", "insurance", pool, terms, required=9, idempotency_key="r-1")
    assert again == first and runtime.w3.eth.block_number == block
    posted = cover.post("insurer", first.address, 4, idempotency_key="p-1")
    assert cover.post("insurer", first.address, 4, idempotency_key="p-1") == posted
    assert cover.show(first.address).state["capital"] == 4
    other = cover.deploy("insurer", "insurance", pool, terms, required=9, idempotency_key="r-2")
    assert other.address != first.address


def test_a_guarantee_deployed_from_its_pricing_record(
    client: TestClient, pool: str, runtime: Runtime
) -> None:
    """A pool whose tape names attested records: the guarantor prices B from the tape, and
    the facility commits that record's hash with its collateral as the requirement; a
    record for another tape or another tranche is refused."""
    from cover_samples import issue_pds
    from pool_samples import tape_csv

    spec = parse_spec(SPEC)
    pds = [300, 800, 1500, 90]
    rows = loans(spec.units(spec.pool_balance))
    for row, uid in zip(rows, issue_pds(runtime, pds), strict=True):
        row["score_uid"] = uid
    body = {"spec": {**SPEC, "name": "Priced 2016-1"}, "loans": rows}
    priced_pool = ok(client.post("/v1/pools", json=body, headers=STRUCTURER), 201)["address"]
    tape = tape_csv([{**row, "pd_bps": pd} for row, pd in zip(rows, pds, strict=True)])
    params = {"tranche": 1, "lgd_bps": 6000, "stress_bps": 40000, "cpr_bps": 0, "margin_bps": 10}
    ask = {"spec": body["spec"], "inputs": params, "tape_csv": tape}
    priced = ok(client.post("/v1/cover/price", json=ask, headers=GUARANTOR))

    record, result = priced["record"], priced["result"]
    terms = {**G_TERMS, "premium_bps": result["premium_bps"], "limit": result["collateral"]}
    with_record = {"required": None, "pricing_record": record, "terms": terms}

    # the price recorded is the price deployed (§14.6): each refusal names the term, the
    # priced and the asked value, and sends nothing
    block = runtime.w3.eth.block_number
    for field, change, priced_value in (
        ("terms.premium_bps", {"terms": {**terms, "premium_bps": 149}}, result["premium_bps"]),
        ("terms.limit", {"terms": {**terms, "limit": result["collateral"] - 1}}, None),
        ("required", {"required": result["collateral"] - 1}, None),
        ("terms.tranche", {"terms": {**terms, "tranche": 0}}, 1),
    ):
        asked = {**with_record, **change}
        answer = refused(deploy(client, priced_pool, "guarantee", GUARANTOR, **asked), 422, field)
        shown = priced_value if priced_value is not None else result["collateral"]
        assert f"priced {shown} (the pricing record's), not" in answer["detail"]
    assert runtime.w3.eth.block_number == block
    deployed = ok(deploy(client, priced_pool, "guarantee", GUARANTOR, **with_record), 201)
    assert deployed["pricing_hash"] == priced["pricing_hash"]
    assert deployed["required"] == result["collateral"]
    # the structurer binds with the record: a facility committing another hash is refused
    unpriced = ok(deploy(client, priced_pool, "guarantee", GUARANTOR, terms=terms), 201)
    path = f"/v1/cover/facilities/{unpriced['address']}/bind"
    answer = refused(client.post(path, json={"pricing_record": record}, headers=STRUCTURER), 422)
    assert (
        answer["errors"][0]["field"] == "pricing_record" and "not this record" in (answer["detail"])
    )
    path = f"/v1/cover/facilities/{deployed['address']}"
    ok(client.post(f"{path}/collateral", json={"amount": result["collateral"]}, headers=GUARANTOR))
    bound = ok(client.post(f"{path}/bind", json={"pricing_record": record}, headers=STRUCTURER))
    assert bound["position"]["bound"]
    # more collateral, and a higher limit, than priced only protect the pool
    more = {**with_record, "required": result["collateral"] + 1}
    more["terms"] = {**terms, "limit": result["collateral"] * 2}
    assert ok(deploy(client, priced_pool, "guarantee", GUARANTOR, **more), 201)["required"] == (
        result["collateral"] + 1
    )
    # the fixture's pool has the same terms and another tape (score uids)
    other = deploy(client, pool, "guarantee", GUARANTOR, pricing_record=record, terms=terms)
    assert "the pool's is" in refused(other, 422, "pricing_record")["detail"]
    edited = record.replace('"margin_bps":10', '"margin_bps":11')
    recomputed = deploy(
        client, priced_pool, "guarantee", GUARANTOR, pricing_record=edited, terms=terms
    )
    assert "does not recompute" in refused(recomputed, 422, "pricing_record")["detail"]


def test_an_insurance_policy_deployed_from_its_pricing_record(
    client: TestClient, pool: str, runtime: Runtime
) -> None:
    """The insurer prices a policy on the pool's tape (kind insurance); the policy commits
    that record's hash with the priced capital as its requirement; a record for other
    terms, or a guarantee's record, is refused."""
    from cover_samples import issue_pds
    from pool_samples import tape_csv

    from ledger.guarantees.service import CoverService

    spec = parse_spec(SPEC)
    pds = [300, 800, 1500, 90]
    rows = loans(spec.units(spec.pool_balance))
    for row, uid in zip(rows, issue_pds(runtime, pds), strict=True):
        row["score_uid"] = uid
    body = {"spec": {**SPEC, "name": "Insured 2016-1"}, "loans": rows}
    insured_pool = ok(client.post("/v1/pools", json=body, headers=STRUCTURER), 201)["address"]
    tape = tape_csv([{**row, "pd_bps": pd} for row, pd in zip(rows, pds, strict=True)])
    terms = {**I_TERMS, "deductible": spec.units(spec.pool_balance) // 100, "last_period": 6}
    params = {"lgd_bps": 6000, "stress_bps": 40000, "cpr_bps": 0, "margin_bps": 10}
    policy = {k: terms[k] for k in ("deductible", "limit", "coinsurance_bps", "last_period")}
    inputs = {**params, "kind": "insurance", **policy}
    ask = {"spec": body["spec"], "inputs": inputs, "tape_csv": tape}
    priced = ok(client.post("/v1/cover/price", json=ask, headers=INSURER))
    assert '"kind":"insurance"' in priced["record"]
    assert 0 < priced["result"]["expected_loss"] <= priced["result"]["stressed_loss"]
    assert priced["result"]["premium_bps"] > 10

    record = priced["record"]
    terms["premium_bps"] = priced["result"]["premium_bps"]
    with_record = {"required": None, "pricing_record": record, "terms": terms}
    cheaper = {**with_record, "terms": {**terms, "premium_bps": terms["premium_bps"] - 1}}
    answer = refused(deploy(client, insured_pool, "insurance", INSURER, **cheaper), 422)
    assert answer["errors"][0]["field"] == "terms.premium_bps"
    capital = priced["result"]["collateral"]
    less = {**with_record, "required": capital - 1}
    answer = refused(deploy(client, insured_pool, "insurance", INSURER, **less), 422, "required")
    assert (
        f"at least the priced {capital} (the pricing record's), not {capital - 1}"
        in (answer["detail"])
    )
    deployed = ok(deploy(client, insured_pool, "insurance", INSURER, **with_record), 201)
    assert deployed["pricing_hash"] == priced["pricing_hash"]
    assert deployed["required"] == priced["result"]["collateral"]
    shown = CoverService(runtime).show(deployed["address"])  # read from the chain
    assert (shown.kind, shown.pricing_hash) == ("insurance", priced["pricing_hash"])
    assert shown.collateral_required == priced["result"]["collateral"]

    other_terms = {**with_record, "terms": {**terms, "coinsurance_bps": 6_000}}
    wrong = deploy(client, insured_pool, "insurance", INSURER, **other_terms)
    answer = refused(wrong, 422, "terms.coinsurance_bps")
    assert "must be the priced 5000 (the pricing record's), not 6000" in answer["detail"]
    as_guarantee = {**ask, "inputs": {**params, "tranche": 1}}
    g_record = ok(client.post("/v1/cover/price", json=as_guarantee, headers=GUARANTOR))["record"]
    mixed = {**with_record, "pricing_record": g_record}
    refusal = refused(deploy(client, insured_pool, "insurance", INSURER, **mixed), 422, "kind")
    assert "prices kind guarantee, not insurance" in refusal["detail"]
    no_tranche = {**ask, "inputs": params}
    refused(
        client.post("/v1/cover/price", json=no_tranche, headers=GUARANTOR), 422, "inputs.tranche"
    )
    no_term = {**ask, "inputs": {**inputs, "last_period": 0}}
    answer = refused(client.post("/v1/cover/price", json=no_term, headers=INSURER), 422)
    assert "inputs.last_period" in {e["field"] for e in answer["errors"]}
