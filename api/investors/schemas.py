"""Request and response bodies of the investor resources."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.types import Address, UInt16, UInt32, UInt40, UInt128


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvestorIn(_Body):
    """Admit or update an investor. Without ``address`` the service holds the investor's key
    (custodial) and returns an API key bound to it, once."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    address: Address | None = None
    kyc_expiry: date | UInt40 = Field(description="KYC valid until this date (UTC) or unix time")
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")

    def expiry_time(self) -> int:
        end = self.kyc_expiry
        if isinstance(end, date):
            return int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp())
        return end


class InvestorCreatedOut(BaseModel):
    name: str
    address: str
    custodial: bool
    api_key: str | None = Field(description="the investor's API key; shown only once")
    tx_hash: str
    block_number: int


class InvestorOut(BaseModel):
    """The registry's record of an address, as indexed."""

    name: str | None
    address: str
    listed: bool
    kyc_expiry: int
    jurisdiction: str
    frozen: bool
    freeze_reason: int


class FreezeIn(_Body):
    reason: UInt16 = Field(description="the agent's reason code")


class ForcedTransferIn(_Body):
    """Move tranche tokens from this investor (lost keys, a court order) to another."""

    pool: Address
    tranche: UInt32 | str
    to: str = Field(description="investor name or address")
    amount: Annotated[UInt128, Field(gt=0)]
    reason_code: str = Field(min_length=1, description="up to 32 ASCII characters, or 0x + 64 hex")
