"""Shared by the HTTP tests: checks of an answer (a success with its status, or a
problem+json refusal naming its field) and the cover terms the write tests deploy."""

from __future__ import annotations

# Terms of a guarantee on B and of a pool insurance policy, for the cover write tests.
G_TERMS = {"tranche": 1, "limit": 60_000_000_000, "premium_bps": 150, "last_period": 1}
I_TERMS = {
    "deductible": 0,
    "limit": 100_000_000_000,
    "coinsurance_bps": 5_000,
    "premium_bps": 40,
    "last_period": 1,
}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def refused(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    if field is not None:
        assert field in {e["field"] for e in body.get("errors", [])}, body
    return body
