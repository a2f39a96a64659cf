# ruff: noqa: F811 - the fixtures imported from test_pools_api are parameters here
"""Close and period guard rails over HTTP: an unfilled tranche is a 409 naming it until
the structurer resizes or retains it; an inconsistent or future report is a 422 naming
the field, with amounts in whole units and dates as dates; nothing is sent either time."""

from __future__ import annotations

from pool_samples import SCENARIO, period_body

from ledger.deals.simulator import simulate

from .test_pools_api import (  # noqa: F401 - fixtures
    SERVICER,
    STRUCTURER,
    as_investor,
    client,
    create,
    investors,
    ok,
    refused,
    spec,
)


def test_close_and_reports_are_checked_before_anything_is_sent(client, investors, spec):
    address = create(client, spec)["address"]
    ok(client.post(f"/v1/pools/{address}/open", headers=STRUCTURER))
    alice = as_investor(investors, "alice")
    for name, tranche in zip(spec.tranche_names, spec.to_terms().tranches, strict=True):
        amount = 1_500_000 if name == "B" else tranche.size
        body = {"tranche": name, "amount": amount}
        ok(client.post(f"/v1/pools/{address}/subscriptions", json=body, headers=alice), 201)
    block = client.app.state.services.runtime.w3.eth.block_number

    out = refused(client.post(f"/v1/pools/{address}/close", headers=STRUCTURER), 409)
    assert "1.50 of 150,000.00 subscribed" in out["detail"]
    assert out["errors"][0]["field"] == "unsubscribed.B"
    equity_gone = {"unsubscribed": {"B": "resize", "Equity": "maybe"}}
    refused(client.post(f"/v1/pools/{address}/close", json=equity_gone, headers=STRUCTURER), 422)
    assert client.app.state.services.runtime.w3.eth.block_number == block  # nothing sent
    resize = {"unsubscribed": {"B": "resize"}}
    ok(client.post(f"/v1/pools/{address}/close", json=resize, headers=STRUCTURER))

    body = period_body(simulate(spec, SCENARIO).periods[0])
    bad = {
        "pool_balance": body | {"pool_balance": body["pool_balance"] + 5},
        "new_defaults": body | {"new_defaults": 10**13},
        "period_end": body | {"period_end": "2100-01-01"},
    }
    for field, report in bad.items():
        out = refused(
            client.post(f"/v1/pools/{address}/periods", json=report, headers=SERVICER), 422, field
        )
        if field == "period_end":
            assert out["detail"].startswith("2100-01-01 is in the future")
    out = ok(client.post(f"/v1/pools/{address}/periods", json=body, headers=SERVICER), 201)
    assert out["period"] == 1
