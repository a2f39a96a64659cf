"""Examples of the cover providers: the agent admits a second guarantor whose key the
service holds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.cover import provider_schemas as ps
from api.examples.values import ADDR, TX

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    ps.ProviderIn: {"name": "northwind", "kind": "guarantee", "kyc_expiry": "2030-12-31",
                    "jurisdiction": "GB"},
    ps.ProviderOut: {"name": "northwind", "kind": "guarantee", "address": ADDR,
                     "custodial": True, "default": False},
    ps.ProviderCreatedOut: {"name": "northwind", "kind": "guarantee", "address": ADDR,
                            "custodial": True, "api_key": "guarantee-2Jr1…", "tx_hash": TX,
                            "block_number": 158},
}  # fmt: skip
