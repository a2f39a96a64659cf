"""Examples of the cover providers: the agent admits a second guarantor whose key the
service holds; an admin rotates its key, then removes it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.cover import provider_schemas as ps
from api.examples.values import ADDR, TX

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    ps.ProviderIn: {"name": "northwind", "kind": "guarantee", "kyc_expiry": "2030-12-31",
                    "jurisdiction": "GB"},
    ps.ProviderOut: {"name": "northwind", "kind": "guarantee", "address": ADDR,
                     "custodial": True, "default": False, "key_rotated_at": 1767225600,
                     "removed_at": None},
    ps.KeyRotatedOut: {"name": "northwind", "kind": "guarantee", "api_key": "guarantee-q8Zt…",
                       "key_rotated_at": 1767225600},
    ps.ProviderRemovedOut: {"name": "northwind", "kind": "guarantee", "address": ADDR,
                            "removed_at": 1767312000, "tx_hash": TX, "block_number": 212},
    ps.ProviderCreatedOut: {"name": "northwind", "kind": "guarantee", "address": ADDR,
                            "custodial": True, "api_key": "guarantee-2Jr1…", "tx_hash": TX,
                            "block_number": 158},
}  # fmt: skip
