"""Record status as the registry reports it (a light module: verifiers import it without web3)."""

from __future__ import annotations

from enum import IntEnum
from functools import cache


class Status(IntEnum):
    """``IAttestationRegistry.Status``, same order and numbers as the Solidity enum."""

    Unknown = 0
    Valid = 1
    Revoked = 2
    Expired = 3
    AttesterSuspended = 4

    @property
    def name_snake(self) -> str:
        """The name in snake case, e.g. ``attester_suspended`` (for JSON and the database)."""
        return _snake(self.name)


@cache  # batch verification asks once per disclosure
def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
