"""Pools and investors over HTTP on a real Anvil: a deal's whole life (create, subscribe,
close, three periods with a default and a recovery, claims), investor reports equal to the
simulator's, roles, frozen investors, bad input and idempotent retries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from fastapi.testclient import TestClient
from hexbytes import HexBytes
from pool_samples import REPORT_FIELDS, SCENARIO, SPEC, loans, period_body, tape_csv

from api.deps import Role
from api.main import create_app
from ledger.deals.reports import simulation_reports, to_csv
from ledger.deals.simulator import simulate
from ledger.deals.spec import parse_spec
from ledger.runtime import Runtime
from ledger.tx import Sender, TxError
from tests.api.answers import ok, refused

KEYS = {
    "k-admin": Role.admin,
    "k-structurer": Role.structurer,
    "k-servicer": Role.servicer,
    "k-agent": Role.agent,
    "k-auditor": Role.auditor,
    "k-verifier": Role.verifier,
    "k-investor-unbound": Role.investor,
}
STRUCTURER = {"X-API-Key": "k-structurer"}
SERVICER = {"X-API-Key": "k-servicer"}
AGENT = {"X-API-Key": "k-agent"}
AUDITOR = {"X-API-Key": "k-auditor"}
VERIFIER = {"X-API-Key": "k-verifier"}
KYC_UNTIL = "2100-01-01"


def wait_indexed(client: TestClient, block: int) -> None:
    deadline = time.monotonic() + 30
    while ok(client.get("/v1/health"))["indexed_block"] < block:
        assert time.monotonic() < deadline, "the indexer did not catch up"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, KEYS)) as c:
        yield c


@pytest.fixture(scope="module")
def investors(client: TestClient) -> dict[str, dict]:
    """alice, bob and carol admitted by the agent, each with a custodial key and API key."""
    out = {}
    for name, code in (("alice", "GB"), ("bob", "DE"), ("carol", "FR")):
        body = {"name": name, "kyc_expiry": KYC_UNTIL, "jurisdiction": code}
        out[name] = ok(client.post("/v1/investors", json=body, headers=AGENT), 201)
        assert out[name]["custodial"] and out[name]["api_key"]
    return out


def as_investor(investors: dict, name: str) -> dict[str, str]:
    return {"X-API-Key": investors[name]["api_key"]}


@pytest.fixture(scope="module")
def spec():
    return parse_spec(SPEC)


def create(client: TestClient, spec, **extra) -> dict:
    body = {"spec": SPEC, "loans": loans(spec.units(spec.pool_balance)), **extra}
    return ok(client.post("/v1/pools", json=body, headers=STRUCTURER), 201)


@pytest.fixture(scope="module")
def deal(client: TestClient, investors: dict, spec) -> dict:
    """A closed deal: every tranche filled half by alice (the odd unit) and half by bob."""
    pool = create(client, spec)
    address = pool["address"]
    ok(client.post(f"/v1/pools/{address}/open", headers=STRUCTURER))
    for i, t in enumerate(spec.to_terms().tranches):
        for name, amount in (("alice", t.size - t.size // 2), ("bob", t.size // 2)):
            body = {"tranche": spec.tranche_names[i], "amount": amount}
            headers = as_investor(investors, name)
            ok(client.post(f"/v1/pools/{address}/subscriptions", json=body, headers=headers), 201)
    closed = ok(client.post(f"/v1/pools/{address}/close", headers=STRUCTURER))
    wait_indexed(client, closed["block_number"])
    return pool


def test_a_deal_runs_its_life_through_the_api(client, investors, deal, spec):
    address = deal["address"]
    read = ok(client.get(f"/v1/pools/{address}", headers=VERIFIER))
    assert read["name"] == "Service 2016-1" and read["pool"]["state"] == "active"
    assert read["pool"]["terms"]["periodMonths"] == 1  # terms are an object, not JSON text
    assert [t["name"] for t in read["tranches"]] == ["A", "B", "Equity"]
    assert [t["face"] for t in read["tranches"]] == [t.size for t in spec.to_terms().tranches]
    subs = ok(client.get(f"/v1/pools/{address}/subscriptions", headers=AUDITOR))
    assert len(subs) == 6 and {s["kind"] for s in subs} == {"subscribe"}
    listed = ok(client.get("/v1/pools", headers=VERIFIER))
    assert address in [p["address"] for p in listed]

    sim = simulate(spec, SCENARIO)
    records = sim.periods[:3]
    assert any(r.report.new_defaults for r in records) and records[2].report.recoveries > 0
    for record in records:
        body = period_body(record)
        out = ok(client.post(f"/v1/pools/{address}/periods", json=body, headers=SERVICER), 201)
        assert out["period"] == record.period
        assert out["tranches"][0]["balance"] == record.result.tranches[0].balance
        assert out["residual_to_equity"] == record.result.residual_to_equity
        res = record.result
        assert (out["cd_ratio_bps"], out["cd_threshold_bps"], out["cd_pass"]) == (
            res.cd_ratio_bps,
            res.cd_threshold_bps,
            res.cd_pass,
        )
        assert out["cumulative_defaults"] == res.cumulative_defaults
        assert out["sequential"] == res.sequential
        assert [t["cured"] for t in out["tranches"]] == [t.cured for t in res.tranches]
    wait_indexed(client, out["block_number"])

    periods = ok(client.get(f"/v1/pools/{address}/periods", headers=AUDITOR))
    assert [p["period"] for p in periods] == [1, 2, 3]
    third = ok(client.get(f"/v1/pools/{address}/periods/3", headers=AUDITOR))
    assert third["recoveries"] == records[2].report.recoveries
    assert [t["writeup"] for t in third["tranches"]] == [
        t.writeup for t in records[2].result.tranches
    ]

    expected = simulation_reports(sim)[:3]
    # every period read from the index carries its tests, as the investor report shows them
    assert [p["triggers"] for p in periods] == [r["triggers"] for r in expected]
    assert out["triggers"] == expected[2]["triggers"]
    for p, record in zip(periods, records, strict=True):
        assert [t["cured"] for t in p["tranches"]] == [t.cured for t in record.result.tranches]
        assert (p["cd_pass"], p["sequential"]) == (record.result.cd_pass, record.result.sequential)
    assert ok(client.get(f"/v1/pools/{address}/reports", headers=VERIFIER)) == expected
    one = client.get(f"/v1/pools/{address}/periods/2/report", headers=AUDITOR)
    assert ok(one) == expected[1]
    csv = client.get(f"/v1/pools/{address}/periods/2/report?format=csv", headers=AUDITOR)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text == to_csv([expected[1]])
    every = client.get(f"/v1/pools/{address}/reports", params={"format": "csv"}, headers=AUDITOR)
    assert every.text == to_csv(expected)

    alice = as_investor(investors, "alice")
    due = ok(client.get(f"/v1/pools/{address}/claims", headers=alice))["claimable"]
    assert due[0]["amount"] > 0
    paid = ok(client.post(f"/v1/pools/{address}/claims", json={"tranche": "A"}, headers=alice))
    assert paid == {"tranche": 0, "amount": due[0]["amount"]}
    again = ok(client.post(f"/v1/pools/{address}/claims", json={"tranche": 0}, headers=alice))
    assert again["amount"] == 0
    seen_by_agent = client.get(f"/v1/pools/{address}/claims?holder=alice", headers=AGENT)
    assert ok(seen_by_agent)["claimable"][0]["amount"] == 0


def test_roles_decide_who_may_do_what(client, investors, deal):
    address = deal["address"]
    bob = as_investor(investors, "bob")
    body = {name: 0 for name in REPORT_FIELDS} | {"period_end": "2016-06-01"}
    refused(client.post(f"/v1/pools/{address}/periods", json=body, headers=bob), 403)
    refused(client.post(f"/v1/pools/{address}/open", headers=VERIFIER), 403)
    refused(client.post(f"/v1/pools/{address}/close", headers=SERVICER), 403)
    refused(client.post("/v1/investors/bob/freeze", json={"reason": 1}, headers=STRUCTURER), 403)
    refused(client.get("/v1/investors", headers=bob), 403)
    assert ok(client.get("/v1/investors/bob", headers=bob))["jurisdiction"] == "DE"
    refused(client.get("/v1/investors/alice", headers=bob), 403)
    # an investor key acts for its own investor only; an unbound one for nobody
    body = {"tranche": 0, "investor": "alice"}
    refused(client.post(f"/v1/pools/{address}/claims", json=body, headers=bob), 403, "investor")
    unbound = {"X-API-Key": "k-investor-unbound"}
    refused(client.post(f"/v1/pools/{address}/claims", json={"tranche": 0}, headers=unbound), 403)
    refused(client.get("/v1/pools", headers={"X-API-Key": "nope"}), 401, "X-API-Key")
    # a revert is a 409 naming the contract's custom error
    again = refused(client.post(f"/v1/pools/{address}/open", headers=STRUCTURER), 409)
    assert "WrongState(" in again["detail"]
    assert "the pool is amortising, which does not allow this" in again["detail"]


def test_a_frozen_investor_can_neither_subscribe_nor_claim_nor_transfer(
    client, investors, deal, spec
):
    text = yaml.safe_dump(SPEC)
    rows = loans(spec.units(spec.pool_balance))
    body = {"spec_yaml": text, "tape_csv": tape_csv(rows), "tape_as_of": "2016-01-01"}
    fresh = ok(client.post("/v1/pools", json=body, headers=STRUCTURER), 201)["address"]
    ok(client.post(f"/v1/pools/{fresh}/open", headers=STRUCTURER))
    carol = as_investor(investors, "carol")
    order = {"tranche": "B", "amount": 1_000}
    ok(client.post(f"/v1/pools/{fresh}/subscriptions", json=order, headers=carol), 201)

    ok(client.post("/v1/investors/carol/freeze", json={"reason": 7}, headers=AGENT))
    address = deal["address"]
    for path, body in (
        (f"/v1/pools/{fresh}/subscriptions", order),
        (f"/v1/pools/{address}/claims", {"tranche": "A"}),
        (f"/v1/pools/{fresh}/transfers", {"tranche": "B", "to": "alice", "amount": 10}),
    ):
        refusal = refused(client.post(path, json=body, headers=carol), 409)
        assert "NotAllowed" in refusal["detail"] or "InvestorNotAllowed" in refusal["detail"]
    # nor receive: bob cannot send to carol
    give = {"tranche": "A", "to": "carol", "amount": 10}
    bob = as_investor(investors, "bob")
    assert (
        "InvestorNotAllowed"
        in refused(client.post(f"/v1/pools/{address}/transfers", json=give, headers=bob), 409)[
            "detail"
        ]
    )
    frozen = ok(client.post("/v1/investors/carol/unfreeze", headers=AGENT))
    wait_indexed(client, frozen["block_number"])
    record = ok(client.get("/v1/investors/carol", headers=AUDITOR))
    assert record["listed"] and not record["frozen"]
    ok(client.post(f"/v1/pools/{fresh}/transfers", json=give | {"tranche": "B"}, headers=carol))


def test_bad_input_is_a_4xx_naming_the_field(client, investors, deal, spec):
    address = deal["address"]
    bad_spec = {
        **SPEC,
        "tranches": [{**SPEC["tranches"][0], "coupon_bps": -1}, *SPEC["tranches"][1:]],
    }
    rows = loans(spec.units(spec.pool_balance))
    cases = [
        ("/v1/pools", {"spec": bad_spec, "loans": rows}, "spec.tranches.0.coupon_bps"),
        ("/v1/pools", {"spec": SPEC, "tape_csv": "loan_id,score\nx,1\n"}, "tape_csv"),
        ("/v1/pools", {"spec_yaml": "name: [", "loans": rows}, "spec_yaml"),
        ("/v1/pools", {"spec": SPEC, "loans": rows[:3]}, "tape.aggregates.balance"),
        ("/v1/pools", {"spec": SPEC}, "body"),
        # a field past csv's size limit was a csv.Error, not a tape error: a 500
        ("/v1/pools", {"spec": SPEC, "tape_csv": "loan_id\n" + "x" * 200_000}, "tape_csv"),
    ]
    for path, body, field in cases:
        refused(client.post(path, json=body, headers=STRUCTURER), 422, field)
    alice = as_investor(investors, "alice")
    url = f"/v1/pools/{address}/subscriptions"
    refused(client.post(url, json={"tranche": 0, "amount": 0}, headers=alice), 422, "amount")
    refused(client.post(url, json={"tranche": "Z", "amount": 5}, headers=alice), 422, "tranche")
    # uint128, so valid, but past 64 bits: the request's fingerprint failed to encode (a 500)
    beyond = client.post(url, json={"tranche": "A", "amount": 2**100}, headers=alice)
    assert 400 <= beyond.status_code < 500, beyond.text
    claims = f"/v1/pools/{address}/claims"
    refused(client.post(claims, json={"tranche": 7}, headers=alice), 422, "tranche")
    period = {name: 0 for name in REPORT_FIELDS}
    refused(
        client.post(f"/v1/pools/{address}/periods", json=period, headers=SERVICER),
        422,
        "period_end",
    )
    refused(client.get("/v1/pools/0x1234", headers=AUDITOR), 422, "address")
    unknown = "0x" + "12" * 20
    refused(client.get(f"/v1/pools/{unknown}", headers=AUDITOR), 404, "pool")
    refused(client.post(f"/v1/pools/{unknown}/open", headers=STRUCTURER), 404, "pool")
    refused(client.get(f"/v1/pools/{address}/periods/99", headers=AUDITOR), 404, "period")
    refused(client.post("/v1/investors/nobody/freeze", json={"reason": 1}, headers=AGENT), 404)
    body = {"name": "Dave", "kyc_expiry": KYC_UNTIL, "jurisdiction": "GB"}
    refused(client.post("/v1/investors", json=body, headers=AGENT), 422, "name")
    body = {"name": "dave", "kyc_expiry": KYC_UNTIL, "jurisdiction": "gb"}
    refused(client.post("/v1/investors", json=body, headers=AGENT), 422, "jurisdiction")


def test_retries_with_the_same_idempotency_key_send_once(client, investors, spec):
    pool = create(client, spec)["address"]
    ok(client.post(f"/v1/pools/{pool}/open", headers=STRUCTURER))
    headers = as_investor(investors, "alice") | {"Idempotency-Key": "sub-1"}
    order = {"tranche": "A", "amount": 5_000}
    first = ok(client.post(f"/v1/pools/{pool}/subscriptions", json=order, headers=headers), 201)
    second = ok(client.post(f"/v1/pools/{pool}/subscriptions", json=order, headers=headers), 201)
    assert first == second
    bob = as_investor(investors, "bob") | {"Idempotency-Key": "sub-1"}
    refused(
        client.post(f"/v1/pools/{pool}/subscriptions", json=order, headers=bob),
        409,
        "Idempotency-Key",
    )
    other = {"tranche": "A", "amount": 6_000}
    refused(
        client.post(f"/v1/pools/{pool}/subscriptions", json=other, headers=headers),
        409,
        "Idempotency-Key",
    )
    wait_indexed(client, first["block_number"])
    subs = ok(client.get(f"/v1/pools/{pool}/subscriptions", headers=AUDITOR))
    assert [s["amount"] for s in subs] == [5_000]
    # a refused write leaves its key free: the retry after a fix goes through
    key = {"Idempotency-Key": "close-1"}
    ok(client.post(f"/v1/pools/{pool}/cancel", headers=STRUCTURER | key))
    again = refused(
        client.post(f"/v1/pools/{pool}/close", headers=STRUCTURER | {"Idempotency-Key": "c2"}), 409
    )
    assert "is cancelled, not open for subscription" in again["detail"]


def test_one_investor_admitted_concurrently_is_admitted_once(client):
    # Both requests saw no account, both inserted: the loser's IntegrityError was a 500.
    body = {"name": "twin", "kyc_expiry": KYC_UNTIL, "jurisdiction": "GB"}
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: client.post("/v1/investors", json=body, headers=AGENT), range(6))
        )
    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers]
    assert sum(1 for a in answers if a.status_code == 201 and a.json()["api_key"]) == 1
    for conflict in (a for a in answers if a.status_code == 409):
        assert conflict.json()["errors"][0]["field"] == "name"


def test_a_lost_receipt_then_a_retry_subscribes_once(client, investors, spec, monkeypatch):
    # The node mined the subscription but its receipt never reached the service (a timeout,
    # a crash): the retry under the same key must find that transaction, not send another.
    pool = create(client, spec)["address"]
    ok(client.post(f"/v1/pools/{pool}/open", headers=STRUCTURER))
    real_wait, lost = Sender.wait, []

    def wait_then_lose(self: Sender, tx_hash: HexBytes):
        receipt = real_wait(self, tx_hash)
        if not lost and receipt["to"].lower() == pool.lower():
            lost.append(tx_hash.to_0x_hex())
            raise TxError(f"no receipt for {lost[0]} after 120s")
        return receipt

    monkeypatch.setattr(Sender, "wait", wait_then_lose)
    url, order = f"/v1/pools/{pool}/subscriptions", {"tranche": "A", "amount": 7_000}
    headers = as_investor(investors, "carol") | {"Idempotency-Key": "sub-lost"}
    refused(client.post(url, json=order, headers=headers), 503, "node")
    retried = ok(client.post(url, json=order, headers=headers), 201)
    assert retried["tx_hash"] == lost[0]
    wait_indexed(client, retried["block_number"])
    subs = ok(client.get(url, headers=AUDITOR))
    assert [(s["amount"], s["tx_hash"]) for s in subs] == [(7_000, lost[0])]
