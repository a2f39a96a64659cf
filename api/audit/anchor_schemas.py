"""Schemas of the audit report's anchor over HTTP (docs/audit.md, "Anchoring the report")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ledger.audit.anchor import DEFAULT_VALID_DAYS, MAX_VALID_DAYS

TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
COMMITMENT = "0x7df6e13deb95e3102cdbb508e8a6ffd10b3dc182f4694859632e7a5e3507e22f"
DIGEST = "3f1d6c0e2b9a4f7d8e5c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5"


class AnchorRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"export": True, "valid_days": 1825}]}
    )

    export: bool = Field(
        default=True, description="reconcile and export again first (false: anchor the last export)"
    )
    valid_days: int = Field(
        default=DEFAULT_VALID_DAYS,
        ge=1,
        le=MAX_VALID_DAYS,
        description="days the anchor stays valid",
    )


class AnchorOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"commitment": COMMITMENT, "attester_id": 2, "tx_hash": TX, "block_number": 61,
                 "expires_at": 1922000000, "files": 23, "head_block": 58,
                 "state_digest": DIGEST, "status": "valid"}
            ]
        }
    )  # fmt: skip

    commitment: str = Field(description="SHA-256 of audit-anchor.json, the attested key")
    attester_id: int = Field(description="the auditor's attester id on the registry")
    tx_hash: str | None = Field(description="the attestation's transaction (if made here)")
    block_number: int | None
    expires_at: int
    files: int = Field(description="files listed with their SHA-256 and keccak-256")
    head_block: int = Field(description="the block the report was built from")
    state_digest: str = Field(description="the rebuilt index's state digest at that block")
    status: str = Field(description="the registry's status now: valid, revoked, expired, …")


class ReportVerificationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "files_altered", "valid": False,
                 "reasons": ["pools/0xa944…/journal.csv: its hash differs from the anchored one"],
                 "record": "audit-anchor.json", "commitment": COMMITMENT, "chain_id": 31337,
                 "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "attester_id": 2,
                 "head_block": 58, "state_digest": DIGEST, "issued_at": 1765000000,
                 "expires_at": 1922000000, "files_checked": 23,
                 "files_altered": ["pools/0xa94400c28F5401E438855a87b2a96B62fB16d2c7/journal.csv"]}
            ]
        }
    )  # fmt: skip

    status: str = Field(
        description="valid, files_altered, invalid_record, wrong_chain, not_registry, mismatch, "
        "unknown, revoked, expired or attester_suspended"
    )
    valid: bool
    reasons: list[str]
    record: str | None = Field(description="the record file (its name within the export)")
    commitment: str | None
    chain_id: int | None
    registry: str | None
    attester_id: int | None
    head_block: int | None
    state_digest: str | None
    issued_at: int | None
    expires_at: int | None
    files_checked: int
    files_altered: list[str]
