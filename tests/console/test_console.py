"""The web console in a real headless Chromium against the live app on a real node: log in
with each role, browse and filter records, verify a good and a tampered disclosure (pasted
and uploaded), open a pool and a period, follow a figure to its transaction, download an
export, see a reconcile difference; /docs, /redoc and the console load with no network."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
from pathlib import Path

from audit_world import World, headers, ok
from fastapi.testclient import TestClient

from ledger.runtime import Runtime

SHOTS = os.environ.get("CREDENCE_SCREENSHOTS")  # a folder: also save the main pages as PNGs


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def login(offline, key: str):
    page = offline.context.new_page()
    page.goto("/console/login")
    page.fill("input[name=api_key]", key)
    page.click("button[type=submit]")
    return page


def disclosure(client: TestClient, commitment: str) -> dict:
    path = f"/v1/attestations/{commitment}/disclosure"
    return ok(client.get(path, params={"fields": "score,grade"}, headers=headers("attester")))


def test_api_docs_load_with_no_network(offline):
    page = offline.context.new_page()
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Credence" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag-section")
    assert page.locator("button.authorize").count() == 1  # the API key scheme is declared
    shot(page, "docs")
    assert offline.refused == []
    page.goto("/redoc")
    page.wait_for_selector("h1")
    assert "Credence" in page.inner_text("h1")
    # ReDoc's sidebar logo comes from the app too (its bundle would ask a CDN for it).
    page.wait_for_selector("img[alt='redocly logo']")
    assert page.eval_on_selector("img[alt='redocly logo']", "img => img.naturalWidth") > 0
    assert offline.refused == []


def test_a_wrong_key_is_refused_and_roles_see_their_pages(offline, world: World):
    page = login(offline, "not-a-key")
    assert "unknown API key" in page.inner_text("[role=alert]")
    page = login(offline, "k-verifier")
    nav = page.inner_text("header nav")
    assert "Records" in nav and "Reconcile" not in nav and "Pools" not in nav
    page.goto("/console/reconcile")
    assert "may not open this page" in page.inner_text("[role=alert]")
    alice = login(offline, world.investor_keys["alice"])
    assert alice.url.endswith("/console/pools")
    assert "investor (alice)" in alice.inner_text("header")
    assert offline.refused == []


def test_auditor_browses_records_and_verifies_disclosures(
    offline, world: World, client: TestClient, tmp_path
):
    page = login(offline, "k-auditor")
    assert page.url.endswith("/console/records")
    rows = page.locator("#records tr")
    assert rows.count() == 1 + 3  # header, one batch root, two singles
    assert str(len(world.batch)) in page.inner_text("#records")
    shot(page, "records")
    page.select_option("select[name=status]", "revoked")
    page.click("form.filters button")
    assert page.locator("#records tr").count() == 2 and "revoked (4)" in page.inner_text("#records")
    page.click("#records a.revocation")  # the transaction that revoked it
    assert "Revoked" in page.inner_text("main") and world.revoked in page.inner_text("main")
    page.go_back()
    page.click("#records td:last-child a")  # the transaction that issued it
    assert "Attested" in page.inner_text("main") and world.revoked in page.inner_text("main")

    page.goto("/console/models")
    assert "78.00%" in page.inner_text("#models")  # AUC 7800 bps, from the chain's event

    good = disclosure(client, world.batch[3])
    page.goto("/console/verify")
    page.fill("#disclosure", json.dumps(good))
    page.click("#verify-form button")
    assert page.inner_text("#result h2").startswith("VALID")
    shot(page, "verify")
    forged = copy.deepcopy(good)
    next(f for f in forged["fields"] if f["name"] == "score")["value"] = "999"
    page.fill("#disclosure", json.dumps(forged))
    page.click("#verify-form button")
    assert page.inner_text("#result h2").startswith("NOT VALID")
    upload = tmp_path / "disclosure.json"
    upload.write_text(json.dumps(disclosure(client, world.singles[0])))
    page.goto("/console/verify")
    page.set_input_files("#upload", str(upload))
    page.click("#verify-form button")
    assert page.inner_text("#result h2").startswith("VALID")
    wrong = page.goto("/console/records?since=yesterday")
    assert wrong.status == 422 and "since: not a YYYY-MM-DD date" in page.inner_text("[role=alert]")
    page.goto("/console/verify")
    page.fill("#disclosure", "{not json")
    page.click("#verify-form button")
    assert page.inner_text("#result h2") == "NOT VALID: invalid_disclosure"
    assert offline.refused == []


def test_structurer_follows_a_figure_to_its_transaction(offline, world: World):
    page = login(offline, "k-structurer")
    page.click(f"#pools a[href='/console/pools/{world.pool}']")
    assert page.locator("svg.chart rect").count() >= 4 * 3  # close + 3 periods, 3 tranches
    triggers = page.inner_text("#triggers")
    assert "over-collateralisation" in triggers and "headroom" in triggers
    assert "credit enhancement" in page.inner_text("#tranches")
    shot(page, "pool")
    page.click("#periods a:has-text('period 2')")
    assert "Waterfall" in page.inner_text("main")
    assert page.locator("#waterfall tr").count() > 8
    shot(page, "period")
    figure = page.locator("#waterfall td.n a").first
    tx = page.inner_text("#period-tx code")
    figure.click()
    assert page.inner_text("#tx-hash") == tx
    assert "PeriodReported" in page.inner_text("main") and "cashIn" in page.inner_text("main")
    page.goto(f"/console/pools/{world.pool}/report")
    assert page.locator("section.report").count() == 3
    missing = page.goto(f"/console/pools/0x{'de' * 20}")  # a page, not JSON, naming why
    assert missing.status == 404 and "no pool" in page.inner_text("[role=alert]")
    bad = page.goto(f"/console/pools/{world.pool}/periods/99")
    assert bad.status == 404 and "period 99" in page.inner_text("[role=alert]")
    assert offline.refused == []


def test_investor_sees_own_holdings_and_claims(offline, world: World):
    page = login(offline, world.investor_keys["alice"])
    page.goto(f"/console/pools/{world.pool}")
    holdings = page.inner_text("#holdings")
    rows = page.locator("#holdings tr")
    assert rows.count() == 1 + 3
    first = rows.nth(1).locator("td")
    assert first.nth(0).inner_text() == "A" and first.nth(2).inner_text() != "0"  # claimed
    assert "You hold no tokens" not in holdings
    bob_rows = page.inner_text("#subscriptions")
    assert bob_rows.count("subscribe") == 3  # only her own subscriptions
    assert offline.refused == []


def test_auditor_downloads_an_export_and_sees_a_reconcile_difference(
    offline, world: World, runtime: Runtime, tmp_path
):
    page = login(offline, "k-auditor")
    page.goto("/console/exports")
    page.click("#export-form button")
    digest = page.inner_text("#digest")
    with page.expect_download() as info:
        page.click("#files a:has-text('report.html')")
    saved = tmp_path / "report.html"
    info.value.save_as(saved)
    import hashlib

    assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest
    assert "not anchored" in page.inner_text("#anchor-none")
    page.click("#anchor-form button")  # the auditor attests the report on chain
    assert page.inner_text("#anchor-verdict") == "valid"
    with page.expect_download() as info:
        page.click("#files a:has-text('audit-anchor.json')")
    record = Path(info.value.path()).read_bytes()
    assert "0x" + hashlib.sha256(record).hexdigest() in page.inner_text("#anchor")
    shot(page, "exports")
    page.goto("/console/reconcile")
    page.click("#reconcile-form button")
    assert page.inner_text("#verdict").startswith("Equal")

    db = runtime.settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:  # the service's database drifts from the chain
        conn.execute(
            "UPDATE dealperiod SET residual_to_equity = '7' WHERE pool = ? AND period = 1",
            (world.pool,),
        )
    page.click("#reconcile-form button")
    assert page.inner_text("#verdict").startswith("Differences found")
    table = page.inner_text("#differences")
    assert "value_differs" in table and "residual_to_equity" in table
    shot(page, "reconcile")
    page.click("#differences a")
    assert "PeriodReported" in page.inner_text("main")
    assert offline.refused == []


def test_the_pool_page_shows_guarantees_and_insurance_by_period(offline, runtime: Runtime):
    from cover_world import covered_deal

    deal = covered_deal(runtime, "Covered console 2016-1")
    runtime.indexer().poll_once()
    page = login(offline, "k-structurer")
    page.goto(f"/console/pools/{deal.pool}")
    cover = page.locator("#cover tr")
    assert cover.count() == 1 + 2
    assert "guarantee" in cover.nth(1).inner_text() and "insurance" in cover.nth(2).inner_text()
    assert "B" in cover.nth(1).inner_text()  # the covered note, by name
    periods = page.locator("#cover-periods tr")
    assert periods.count() == 1 + 2
    draw = periods.nth(1).locator("td.n a").nth(1)  # period 1's guarantee draw
    assert draw.inner_text() != "0"
    page.locator("#cover").scroll_into_view_if_needed()
    shot(page, "pool-cover")
    draw.click()
    main = page.inner_text("main")
    assert "GuaranteeSettled" in main and "InsuranceSettled" in main and "PeriodReported" in main
    page.goto(f"/console/pools/{deal.pool}/periods/1")
    waterfall = page.inner_text("#waterfall")
    assert "guarantee draw (cash in)" in waterfall and "insurance claim (cash in)" in waterfall
    page.goto(f"/console/pools/{deal.pool}/report")
    assert page.locator("table.credit-enhancement").count() == 2
    assert "guarantee draw" in page.inner_text("section.report >> nth=0")
    assert offline.refused == []


def test_an_export_path_no_file_can_have_is_a_404(client: TestClient):
    # A NUL byte made Path.resolve raise ValueError, which escaped as a reset connection.
    client.post("/console/login", data={"api_key": "k-auditor"})
    for path in ("%00", "a%00b", "..%2f..%2fkeys", "x" * 5000):
        response = client.get(f"/console/exports/file/{path}")
        assert response.status_code == 404, (path, response.text[:200])
