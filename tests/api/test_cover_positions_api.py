"""GET /v1/cover/facilities[/{address}[/periods]] and the investor report's credit
enhancement, over HTTP against a covered pool on a real node (tests/cover_world.py)."""

from __future__ import annotations

import pytest
from cover_world import GUARANTEE, CoveredDeal, U, covered_deal
from fastapi.testclient import TestClient

from ledger.guarantees.facility import FacilityClient
from ledger.runtime import Runtime

READER = {"X-API-Key": "k-auditor"}


@pytest.fixture(scope="module")
def deal(runtime: Runtime, app_client: TestClient) -> CoveredDeal:
    out = covered_deal(runtime)
    runtime.indexer().poll_once()
    return out


def get(client: TestClient, path: str, status: int = 200, **params: str):
    response = client.get(path, headers=READER, params=params)
    assert response.status_code == status, response.text
    return response.json()


def test_facilities_of_a_pool_with_terms_state_and_totals(app_client, deal, runtime):
    listed = get(app_client, "/v1/cover/facilities", pool=deal.pool)
    assert [f["address"] for f in listed] == [deal.guarantee, deal.insurance]
    g = get(app_client, f"/v1/cover/facilities/{deal.guarantee.lower()}")
    assert g == listed[0]
    assert g["terms"] == {
        "tranche": 1, "limit": GUARANTEE.limit, "premium_bps": 100, "last_period": 12,
        "deductible": None, "coinsurance_bps": None,
    }  # fmt: skip
    assert (g["kind"], g["pool"], g["provider"], g["bound"]) == (
        "guarantee", deal.pool, deal.guarantor, True,
    )  # fmt: skip
    state = FacilityClient.at(runtime.sender("admin"), "guarantee", deal.guarantee).state()
    assert (g["collateral"], g["paid"], g["recovered"], g["unpaid_claims"]) == (
        state.collateral, state.drawn, state.reimbursed, state.unpaid_claims,
    )  # fmt: skip
    assert g["owed"] == g["paid"] - g["recovered"]
    assert [(m["kind"], m["amount"]) for m in g["collateral_moves"]] == [
        ("posted", 70_000 * U), ("withdrawn", 10_000 * U),
    ]  # fmt: skip
    i = listed[1]
    assert i["terms"]["deductible"] == 50_000 * U and i["terms"]["tranche"] is None
    assert get(app_client, "/v1/cover/facilities", pool="0x" + "11" * 20) == []


def test_periods_show_draws_claims_recoveries_and_unpaid_claims(app_client, deal):
    g = get(app_client, f"/v1/cover/facilities/{deal.guarantee}/periods")
    i = get(app_client, f"/v1/cover/facilities/{deal.insurance}/periods")
    assert [p["period"] for p in g] == [p["period"] for p in i] == [1, 2]
    assert g[0]["paid"] > 0 and g[0]["unpaid_claim"] > 0  # the collateral fell short
    assert g[0]["paid"] + g[0]["unpaid_claim"] == g[0]["demand"]
    assert g[1]["recovered"] > 0 and i[0]["paid"] > 0 and i[1]["recovered"] > 0
    pool_periods = {p["period"]: p for p in get(app_client, f"/v1/pools/{deal.pool}/periods")}
    for p in g + i:  # each figure names the period's transaction
        assert p["tx_hash"] == pool_periods[p["period"]]["tx_hash"]
        assert p["block_number"] == pool_periods[p["period"]]["block_number"]


def test_the_investor_report_shows_credit_enhancement(app_client, deal):
    first = get(app_client, f"/v1/pools/{deal.pool}/periods/1/report")
    ce = first["credit_enhancement"]
    periods = get(app_client, f"/v1/cover/facilities/{deal.guarantee}/periods")
    claims = get(app_client, f"/v1/cover/facilities/{deal.insurance}/periods")
    assert ce["guarantee"]["draw"] == periods[0]["paid"]
    assert ce["guarantee"]["unpaid_claim"] == periods[0]["unpaid_claim"] > 0
    assert ce["insurance"]["claim_paid"] == claims[0]["paid"]
    assert ce["unpaid_claims"] == periods[0]["unpaid_claim"] + claims[0]["unpaid_claim"]
    assert ce["deficiency_after"] == sum(c["writedowns_outstanding"] for c in first["classes"])
    assert first["cash_check"]["balanced"] is True  # the cover's cash counted
    second = get(app_client, f"/v1/pools/{deal.pool}/periods/2/report")["credit_enhancement"]
    assert second["guarantee"]["subrogation_from_recoveries"] == periods[1]["recovered"] > 0
    assert second["insurance"]["recoveries_to_insurer"] == claims[1]["recovered"] > 0
    text = app_client.get(
        f"/v1/pools/{deal.pool}/reports", headers=READER, params={"format": "csv"}
    ).text
    header, row = text.splitlines()[0].split(","), text.splitlines()[1].split(",")
    assert int(row[header.index("guarantee_draw")]) == ce["guarantee"]["draw"]


def test_bad_and_unknown_addresses_are_named(app_client, deal):
    bad = get(app_client, "/v1/cover/facilities/0x123", status=422)
    assert "address" in str(bad)
    unknown = get(app_client, f"/v1/cover/facilities/0x{'22' * 20}", status=404)
    assert unknown["errors"][0]["field"] == "address" and "no guarantee" in unknown["detail"]
    assert get(app_client, "/v1/cover/facilities", status=422, pool="nope")
    missing = app_client.get("/v1/cover/facilities")  # no key
    assert missing.status_code == 401
