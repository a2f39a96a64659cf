"""Examples of the cover actions (deploy, collateral, bind, release): a guarantee on B of
the example pool, priced at 81,745 units of collateral."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.cover import action_schemas as act
from api.examples.values import ADDR, H32, POOL, TX

FACILITY = "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318"
TERMS = {"tranche": 1, "limit": 150000, "premium_bps": 150, "last_period": 12}
POSITION = {
    "address": FACILITY,
    "kind": "guarantee",
    "pool": POOL,
    "provider": ADDR,
    "bound": True,
    "releasable": False,
    "required": 81745,
    "collateral_required": 81745,
    "pricing_hash": H32,
    "terms": TERMS,
    "state": {
        "collateral": 81745,
        "drawn": 0,
        "reimbursed": 0,
        "premium_shortfall": 0,
        "unpaid_claims": 0,
        "released": False,
    },
}

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    act.DeployRequest: {"kind": "guarantee", "pool": POOL, "terms": TERMS,
                        "pricing_record": '{"inputs":{…},"result":{…}}'},
    act.DeployedOut: {"address": FACILITY, "kind": "guarantee", "pool": POOL, "provider": ADDR,
                      "required": 81745, "pricing_hash": H32, "tx_hash": TX,
                      "block_number": 160},
    act.CollateralRequest: {"amount": 81745},
    act.BindRequest: {"pricing_record": '{"inputs":{…},"result":{…}}'},
    act.PositionOut: POSITION,
    act.ActionOut: {"tx_hash": TX, "block_number": 161, "position": POSITION},
}  # fmt: skip
