from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.types import Address, UInt16


class AttesterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Address = Field(
        description="the attester's signing address (an EOA or an ERC-1271 contract)"
    )
    name: str = Field(min_length=1, max_length=200)
    metadata_uri: str = Field(default="", max_length=500)


class SuspendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: UInt16


class RotateKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_key: Address
