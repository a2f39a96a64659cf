"""Examples of the deal side: pools, periods, ratings, alerts and cover pricing. Figures
come from the worked example (docs/deals-worked-example.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.alerts import schemas as alr
from api.cover import schemas as cov
from api.examples.values import ADDR, H32, POOL, ROOT, TX
from api.pools import schemas as pools
from api.ratings import schemas as rat
from api.triggers import schemas as trg
from ledger.deals.service import PeriodInput
from ledger.store.deal_tables import DealSubscription

SPEC_YAML = """name: Worked Example 1
settlement_token: {symbol: DEMO, decimals: 0}
period: {months: 1, closing_date: 2026-01-01, first_payment_date: 2026-02-01}
pool_balance: 1000000
tranches:
  - {name: A, size: 800000, coupon_bps: 600, day_count: 30/360, seniority: 1}
  - {name: B, size: 150000, coupon_bps: 1200, day_count: 30/360, seniority: 2}
  - {name: Equity, size: 50000, coupon_bps: 0, day_count: 30/360, seniority: 3}
fees: {servicer_bps: 120, trustee_bps: 12, day_count: 30/360}
principal_mode: sequential
triggers: {oc_min_bps: 10300, ic_min_bps: 15000}
reserve: {target: 10000, initial: 10000}
cleanup_call_bps: 1000
collateral: {rate_bps: 1200, remaining_term_months: 4, amortization: linear}
"""
TAPE_CSV = (
    "loan_id,original_principal,current_principal,rate_bps,term_months,origination_date,"
    "score_uid,score\n"
    f"LN-1,600000,500000,1200,24,2025-06-01,{H32},676\n"
    f"LN-2,600000,500000,1200,24,2025-06-01,{ROOT},708\n"
)

# The worked example's first period (docs/deals-worked-example.md's deal, 0-decimal token).
# A disclosure (docs/disclosure.md): the attester is always among the fields shown.
PERIOD_TRANCHES = [
    {
        "tranche": 0,
        "name": "A",
        "interest_due": 4000,
        "interest_paid": 4000,
        "interest_shortfall": 0,
        "principal_paid": 250000,
        "writedown": 0,
        "writeup": 0,
        "balance": 550000,
        "writedowns_outstanding": 0,
        "cured": 0,
    },
    {
        "tranche": 1,
        "name": "B",
        "interest_due": 1500,
        "interest_paid": 1500,
        "interest_shortfall": 0,
        "principal_paid": 0,
        "writedown": 0,
        "writeup": 0,
        "balance": 150000,
        "writedowns_outstanding": 0,
        "cured": 0,
    },
    {
        "tranche": 2,
        "name": "Equity",
        "interest_due": 0,
        "interest_paid": 0,
        "interest_shortfall": 0,
        "principal_paid": 0,
        "writedown": 0,
        "writeup": 0,
        "balance": 50000,
        "writedowns_outstanding": 0,
        "cured": 0,
    },
]
PERIOD = {
    "period": 1,
    "block_number": 152,
    "tx_hash": TX,
    "period_end": 1769904000,
    "interest": 10000,
    "scheduled_principal": 250000,
    "prepayments": 0,
    "recoveries": 0,
    "new_defaults": 0,
    "delinquent_30": 0,
    "delinquent_60": 0,
    "delinquent_90": 0,
    "pool_balance": 750000,
    "tape_root": ROOT,
    "tape_count": 2,
    "tape_wa_rate_bps": 1200,
    "tape_wa_score": 692,
    "tape_wa_remaining_term_months": 3,
    "accrual_days": 30,
    "servicer_fee_due": 1000,
    "servicer_fee_paid": 1000,
    "trustee_fee_due": 100,
    "trustee_fee_paid": 100,
    "principal_due": 250000,
    "reserve_before": 10000,
    "reserve_target": 10000,
    "reserve_trapped": 0,
    "reserve_after": 10000,
    "residual_to_equity": 3400,
    "oc_ratio_bps": 10857,
    "ic_ratio_bps": 15151,
    "oc_pass": True,
    "ic_pass": True,
    "trigger_breached": False,
    "cleanup_eligible": False,
    "cumulative_defaults": 0,
    "cd_threshold_bps": 0,
    "cd_ratio_bps": 0,
    "cd_pass": True,
    "sequential": True,
    "cash_in": 260000,
    "rating_pass": True,
    "tranches": PERIOD_TRANCHES,
}
# The period's own tests as trigger_tests reports them (OC >= 10300, IC >= 15000, no CD test).
PERIOD["triggers"] = {
    "oc": {"ratio_bps": 10857, "min_bps": 10300, "pass": True, "headroom_bps": 557},
    "ic": {"ratio_bps": 15151, "min_bps": 15000, "pass": True, "headroom_bps": 151},
    "cumulative_default": {
        "cumulative_defaults": 0,
        "ratio_bps": 0,
        "max_bps": 0,
        "pass": True,
        "headroom_bps": None,
    },
    "rating": {"pass": True},
    "breached": False,
    "principal": "sequential",
}
REPORTED_FIELDS = (
    "period",
    "cash_in",
    "residual_to_equity",
    "reserve_after",
    "cumulative_defaults",
    "oc_ratio_bps",
    "ic_ratio_bps",
    "cd_ratio_bps",
    "cd_threshold_bps",
    "oc_pass",
    "ic_pass",
    "cd_pass",
    "rating_pass",
    "trigger_breached",
    "sequential",
    "triggers",
)
REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
PD_DISCLOSURE = {  # docs/disclosure.md: the record's pd_bps (and, always, its attester)
    "version": 1,
    "chain_id": 31337,
    "registry": REGISTRY,
    "commitment": H32,
    "fields": [
        {"name": "pd_bps", "value": "2500", "salt": H32, "proof": [ROOT]},
        {"name": "attester", "value": "1", "salt": H32, "proof": [ROOT]},
    ],
    "batch": {"root": ROOT, "proof": [H32]},
}
COVER_INPUTS = {
    "tape_root": ROOT, "model_ids": [H32],
    "loans": [{"loan": H32, "balance": 500000, "pd_bps": 2500, "score_uid": H32,
               "disclosure": PD_DISCLOSURE}],
    "tranche": 1, "lgd_bps": 6000, "stress_bps": 30000, "cpr_bps": 800, "margin_bps": 25,
    "registry": REGISTRY,
}  # fmt: skip
POOL_ROW = {
    "address": POOL,
    "deal_id": H32,
    "creator": ADDR,
    "created_block": 140,
    "tx_hash": TX,
    "state": "amortising",
    "admin": ADDR,
    "structurer": ADDR,
    "servicer": ADDR,
    "originator": ADDR,
    "servicer_fee_recipient": ADDR,
    "trustee_fee_recipient": ADDR,
    "settlement_token": ADDR,
    "investor_registry": ADDR,
    "closing_time": 1767225600,
    "tranche_count": 3,
    "period_months": 1,
    "principal_mode": "sequential",
    "initial_pool_balance": 1000000,
    "servicer_fee_bps": 120,
    "trustee_fee_bps": 12,
    "oc_trigger_bps": 10300,
    "ic_trigger_bps": 15000,
    "reserve_target": 10000,
    "cleanup_call_bps": 1000,
    "initial_reserve": 10000,
    "terms": {
        "periodMonths": 1,
        "initialPoolBalance": 1000000,
        "servicerFeeBps": 120,
        "trusteeFeeBps": 12,
        "ocTriggerBps": 10300,
        "icTriggerBps": 15000,
        "reserveTarget": 10000,
        "cleanupCallBps": 1000,
        "principalMode": 0,
        "tranches": [{"size": 800000, "couponBps": 600, "dayCount": 0}, "…"],
    },
    "tape_root": ROOT,
    "tape_count": 2,
    "tape_balance": 1000000,
    "tape_wa_rate_bps": 1200,
    "tape_wa_score": 692,
    "tape_wa_remaining_term_months": 4,
    "proceeds": 990000,
    "periods": 1,
    "pool_balance": 750000,
    "reserve": 10000,
    "trigger_breached": False,
    "released_to_equity": 0,
}

# Senior notes downgraded to BB under a "below BBB" trigger: the next period is sequential.
RATING_TRIGGER = {
    "tranche": 0,
    "name": "A",
    "floor": "BBB",
    "agency": 2,
    "feed": ADDR,
    "grade": "BB",
    "commitment": H32,
    "passes": False,
}
EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    # pools
    pools.CreatePoolRequest: {"spec_yaml": SPEC_YAML, "tape_csv": TAPE_CSV, "tape_as_of": "2026-01-01"},
    pools.PoolCreatedOut: {
        "address": POOL, "deal_id": H32, "tokens": [ADDR, ADDR, ADDR],
        "tranches": ["A", "B", "Equity"], "block_number": 140,
    },
    pools.WrittenOut: {"tx_hash": TX, "block_number": 141},
    pools.PoolSummary: {
        "address": POOL, "name": "Worked Example 1", "state": "active", "periods": 2,
        "tranche_count": 3, "pool_balance": 500000, "settlement_token": ADDR, "created_block": 140,
    },
    pools.CloseRequest: {"unsubscribed": {"B": "resize"}},
    pools.SubscribeRequest: {"tranche": "A", "amount": 400000},
    pools.TrancheRequest: {"tranche": "A"},
    pools.TransferRequest: {"tranche": "A", "to": "bob", "amount": 1000},
    PeriodInput: {
        "period_end": "2026-02-01", "interest": 10000, "scheduled_principal": 250000,
        "prepayments": 0, "recoveries": 0, "new_defaults": 0, "delinquent_30": 0,
        "delinquent_60": 0, "delinquent_90": 0, "pool_balance": 750000, "tape_root": ROOT,
    },
    pools.ReportedOut: {
        "tx_hash": TX, "block_number": 152, **{k: PERIOD[k] for k in REPORTED_FIELDS},
        "tranches": [{"interest_paid": 4000, "principal_paid": 250000, "cured": 0, "balance": 550000}],
    },
    pools.TrancheOut: {
        "tranche": 0, "name": "A", "token": ADDR, "size": 800000, "coupon_bps": 600,
        "day_count": 0, "subscribed": 800000, "face": 800000, "balance": 550000,
        "factor_bps": 6875, "interest_shortfall": 0, "writedowns": 0, "supply": 800000,
        "distributed": 254000, "claimed": 2000,
    },
    DealSubscription: {
        "pool": POOL, "tranche": 0, "investor": ADDR, "kind": "subscribe", "amount": 400000,
        "block_number": 133, "tx_hash": TX,
    },
    pools.PeriodOut: PERIOD,
    pools.PoolOut: {
        "name": "Worked Example 1",
        "pool": POOL_ROW,
        "tranches": [{
            "tranche": 0, "name": "A", "token": ADDR, "size": 800000, "coupon_bps": 600,
            "day_count": 0, "subscribed": 800000, "face": 800000, "balance": 550000,
            "factor_bps": 6875, "interest_shortfall": 0, "writedowns": 0, "supply": 800000,
            "distributed": 254000, "claimed": 2000,
        }],
    },
    pools.ClaimOut: {"tranche": 0, "amount": 2000},
    # ratings and alerts
    rat.PublishRequest: {
        "pool": POOL, "tranche": 1, "spec": {"name": "Worked Example 1", "…": "as in a spec file"},
        "tape_csv": "loan_id,original_principal,current_principal,rate_bps,term_months,"
        "origination_date,pd_bps\nLN-1,600000,500000,1200,24,2025-06-01,310\n",
        "methodology": {"paths": 1000}, "outlook": "stable", "watch": "none", "valid_days": 365,
    },
    rat.PublishedOut: {
        "commitment": H32, "tx_hash": TX, "superseded": None, "feed_tx": None,
        "pending": None,
        "record": {"pool": POOL, "tranche": 1, "grade": "A", "…": "the public record"},
        "figures": {"paths": 1000, "tranches": [{"name": "B", "grade": "A", "…": "…"}]},
    },
    trg.TriggersOut: {
        "oc_min_bps": 10300, "ic_min_bps": 15000,
        "cumulative_default": [{"from_period": 1, "max_bps": 150}],
        "rating": RATING_TRIGGER,
    },
    trg.RatingTriggerOut: RATING_TRIGGER,
    trg.StepOut: {"from_period": 1, "max_bps": 150},
    rat.RatingOut: {
        "commitment": H32, "status": "valid", "tx_hash": TX, "block_number": 210,
        "superseded_by": None, "record": {"pool": POOL, "tranche": 1, "grade": "A"},
    },
    rat.RevokeRequest: {"reason": 3},
    alr.AlertsOut: {
        "alerts": [{
            "id": 4, "key": f"trigger_headroom:{POOL}", "kind": "trigger_headroom",
            "subject": POOL, "figure": "oc_headroom_bps", "value": 120, "threshold": 200,
            "comparison": "below", "severity": "warning",
            "message": "OC headroom 1.20% is below 2.00%",
            "events": [{"event": "PeriodReported", "tx_hash": TX, "block_number": 152}],
            "raised_at": 1769904000, "updated_at": 1769904000, "cleared_at": None,
            "state": "open",
        }],
        "evaluated_at": 1769904000, "raised": 1, "cleared": 0,
    },
    pools.ClaimableOut: {"holder": ADDR, "claimable": [{"tranche": 0, "amount": 2000}]},
    # cover (docs/waterfall.md §14): a guarantee on B priced from one loan's PD
    cov.LoanPdIn: COVER_INPUTS["loans"][0],
    cov.PricingInputsIn: COVER_INPUTS,
    cov.PriceRequest: {"spec": {"name": "Worked Example 1", "…": "as in a spec file"},
                       "inputs": COVER_INPUTS},
    cov.PriceOut: {
        # COVER_INPUTS on examples/deals/worked-example.yaml, computed by the endpoint
        "pricing_hash": "0x0b4970543e3b916313380612fcb8d72041c4c4d5413f0ee265f93a7d7393bb71",
        "record": '{"inputs":{…},"result":{…}}',
        "result": {"pool_pd_bps": 2500, "expected_loss": 0, "stressed_loss": 81745,
                   "periods": 4, "premium_bps": 25, "collateral": 81745},
    },
}  # fmt: skip
