"""Request and response bodies of the cover providers (guarantors and insurers by name)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.investors.schemas import InvestorIn


class ProviderIn(InvestorIn):
    """Admit a guarantor or insurer (or renew its KYC). Without ``address`` the service
    creates and holds its key; with one, the provider signs its own transactions. A new
    provider's API key, bound to it, is in the answer once."""

    kind: Literal["guarantee", "insurance"] = Field(
        description="what it provides: guarantee facilities or insurance policies"
    )


class ProviderOut(BaseModel):
    name: str
    kind: str
    address: str = Field(description="the provider of every facility it deploys")
    custodial: bool = Field(description="the service holds its key and signs for it")
    default: bool = Field(description="one of the service's own guarantor and insurer keys")
    key_rotated_at: int | None = Field(
        default=None, description="unix time its API key was last rotated"
    )
    removed_at: int | None = Field(
        default=None, description="unix time it was removed: its key is refused, it acts no more"
    )


class KeyRotatedOut(BaseModel):
    name: str
    kind: str
    api_key: str | None = Field(
        description="the provider's new API key, shown only once (null in a replay); the "
        "old key is refused from now on"
    )
    key_rotated_at: int


class ProviderRemovedOut(BaseModel):
    name: str
    kind: str
    address: str
    removed_at: int
    tx_hash: str | None = Field(
        description="its investor-registry removal (null when it was no longer listed)"
    )
    block_number: int | None


class ProviderCreatedOut(BaseModel):
    name: str
    kind: str
    address: str
    custodial: bool
    api_key: str | None = Field(description="the provider's API key; shown only once")
    tx_hash: str
    block_number: int
