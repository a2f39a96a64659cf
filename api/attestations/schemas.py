from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.types import Address, Hex32

MAX_RECORDS_PER_REQUEST = 50_000


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: str = Field(
        min_length=1,
        max_length=256,
        description="the subject's identifier at the institution; pseudonymised with the "
        "institution's HMAC key on arrival and never stored",
    )
    score: int = Field(ge=0, le=1000)
    grade: str = Field(min_length=1, max_length=16)
    model_id: Hex32 = Field(description="a model registered on chain (keccak-256 of its artifact)")
    expires_at: int | None = Field(
        default=None, gt=0, description="unix seconds; default now + valid_days"
    )
    valid_days: int = Field(default=365, ge=1, le=3650)
    pd_bps: int | None = Field(default=None, ge=0, le=10_000)
    reasons: list[str] | None = Field(default=None, max_length=8)


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[RecordIn] = Field(min_length=1, max_length=MAX_RECORDS_PER_REQUEST)
    mode: Literal["batch", "single"] = Field(
        default="batch",
        description="batch: grouped under one Merkle root; single: one transaction each",
    )


class IssuedOut(BaseModel):
    commitment: str
    subject: str
    mode: str
    status: str
    batch_root: str | None = None


class IssueResponse(BaseModel):
    count: int
    records: list[IssuedOut]


class AttestationOut(BaseModel):
    """Public on chain: the first block of fields. Issuer only (admin, attester): the rest."""

    commitment: str
    attester_id: int
    chain_status: str
    status: str = Field(
        description="one status, the chain's: pending (not on chain, or not final yet), valid, "
        "revoked, expired, attester_suspended; failed (the chain refused it)"
    )
    batch_root: str | None = None
    issued_at: int | None = Field(default=None, description="block time of anchoring")
    expires_at: int | None = None
    revoked_at: int | None = None
    revocation_reason: int | None = None
    subject: str | None = Field(default=None, description="keyed pseudonym (issuer only)")
    mode: str | None = None
    proof: list[str] | None = None
    tx_hash: str | None = None
    record: dict | None = Field(
        default=None, description="the sealed record with salts (admin and attester only)"
    )


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: int = Field(ge=0, le=65_535, description="reason code")


class RevokeManyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commitments: list[Hex32] = Field(min_length=1, max_length=500)
    reason: int = Field(ge=0, le=65_535)


class RevokeResponse(BaseModel):
    revoked: list[str]
    tx_hash: str


class DelegatedRequest(BaseModel):
    """An attestation signed (EIP-712) by an attester's key; the service relays it and pays gas."""

    model_config = ConfigDict(extra="forbid")

    commitment: Hex32
    model_id: Hex32
    expires_at: int = Field(gt=0, lt=2**40)
    signer: Address = Field(description="the attester key that signed (EOA or ERC-1271 wallet)")
    deadline: int = Field(gt=0, description="unix seconds after which the signature is void")
    signature: str = Field(pattern=r"^0x([0-9a-fA-F]{2})+$", max_length=2 + 2 * 1024)
