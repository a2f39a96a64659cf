"""A small three-tranche deal (2016 dates, so every period has ended on any chain), its
loan tape and period reports, shared by the pool contract, API, CLI and indexer tests."""

from __future__ import annotations

from ledger.deals.simulator import Scenario
from ledger.deals.waterfall import REPORT_AMOUNTS

SPEC = {
    "name": "Service 2016-1",
    "settlement_token": {"symbol": "USDC", "decimals": 6},
    "period": {"months": 1, "closing_date": "2016-01-01", "first_payment_date": "2016-02-01"},
    "pool_balance": 1_000_000,
    "tranches": [
        {"name": "A", "size": 800_000, "coupon_bps": 600, "day_count": "30/360", "seniority": 1},
        {"name": "B", "size": 150_000, "coupon_bps": 1200, "day_count": "ACT/360", "seniority": 2},
        {"name": "Equity", "size": 50_000, "coupon_bps": 0, "day_count": "30/360", "seniority": 3},
    ],
    "fees": {"servicer_bps": 120, "trustee_bps": 12, "day_count": "ACT/365"},
    "principal_mode": "sequential",
    "triggers": {"oc_min_bps": 10300, "ic_min_bps": 15000},
    "reserve": {"target": 10_000, "initial": 10_000},
    "cleanup_call_bps": 1000,
    "collateral": {"rate_bps": 1200, "remaining_term_months": 12, "amortization": "linear"},
}
SCENARIO = Scenario(cdr=0.08, cpr=0.10, severity=0.40, recovery_lag=2)
REPORT_FIELDS = REPORT_AMOUNTS


def loans(balance: int, count: int = 4) -> list[dict]:
    each = balance // count
    return [
        {
            "loan_id": f"LN-{i}",
            "original_principal": each + 1_000_000,
            "current_principal": each if i < count - 1 else balance - each * (count - 1),
            "rate_bps": 1200,
            "term_months": 24,
            "origination_date": "2015-06-01",
            "score_uid": "0x" + f"{i + 1:064x}",
            "score": 650 + i,
        }
        for i in range(count)
    ]


def tape_csv(rows: list[dict]) -> str:
    header = ",".join(rows[0])
    return "\n".join([header, *(",".join(str(v) for v in r.values()) for r in rows)]) + "\n"


def period_body(record) -> dict:
    r = record.report
    body = {name: getattr(r, name) for name in REPORT_FIELDS}
    return {**body, "period_end": r.period_end, "tape_root": "0x" + r.tape_root.hex()}
