"""Examples of the cover positions (the read side), from the worked example
(docs/guarantees-worked-example.md): a guarantee on B after its stressed period and its
recovery period, in the worked example's 0-decimal token."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.cover import positions_schemas as pos
from api.examples.values import ADDR, H32, POOL, TX

GUARANTEE = "0x8D23e864055cB5ab5Ad58D7335f07080118F7200"
TERMS = {
    "tranche": 1,
    "limit": 100000,
    "premium_bps": 100,
    "last_period": 12,
    "deductible": None,
    "coinsurance_bps": None,
}
MOVE = {
    "kind": "posted",
    "amount": 60000,
    "collateral_after": 60000,
    "block_number": 140,
    "tx_hash": TX,
}
FACILITY = {
    "address": GUARANTEE,
    "kind": "guarantee",
    "pool": POOL,
    "provider": ADDR,
    "terms": TERMS,
    "required": 60000,
    "pricing_hash": H32,
    "block_number": 139,
    "tx_hash": TX,
    "bound": True,
    "bound_block": 141,
    "bound_tx": TX,
    "released": False,
    "released_amount": 0,
    "released_tx": "",
    "collateral": 7543,
    "posted": 60000,
    "withdrawn": 0,
    "premium_paid": 332,
    "premium_shortfall": 0,
    "paid": 52457,
    "recovered": 51166,
    "owed": 1291,
    "unpaid_claims": 0,
    "losses": 0,
    "periods": 2,
    "collateral_moves": [MOVE],
}
PERIOD = {
    "period": 1,
    "premium_due": 166,
    "premium_paid": 166,
    "demand": 51166,
    "paid": 51166,
    "draw_interest": 0,
    "draw_cure": 51166,
    "recovered": 0,
    "recovered_from_revenue": 0,
    "unpaid_claim": 0,
    "collateral_after": 8834,
    "owed_after": 51166,
    "unpaid_claims_total": 0,
    "block_number": 152,
    "tx_hash": TX,
}

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    pos.CoverTermsOut: TERMS,
    pos.CollateralMoveOut: MOVE,
    pos.FacilityOut: FACILITY,
    pos.FacilityPeriodOut: PERIOD,
}  # fmt: skip
