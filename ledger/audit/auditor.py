"""Anchoring an audit report: the auditor attests the report's anchor record on the registry.

The auditor signs with its own key (keystore role ``auditor``), registered as an attester by
the registrar on first use, as rating agencies are for ratings. The audit report format is
registered once as a model (``MODEL_ID``). The record file is written only once the chain
has the attestation, so a failed transaction leaves no record claiming an anchor; the
transaction of each anchor is logged in the data directory (``audit/anchors.jsonl``) for
the console.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ledger.attest.registry import Registry
from ledger.audit.anchor import (
    DEFAULT_VALID_DAYS,
    MAX_VALID_DAYS,
    MODEL_ID,
    MODEL_URI,
    RECORD_NAME,
    AnchorError,
    build_record,
    commitment,
    export_dir,
    record_bytes,
)

AUDITOR_ROLE = "auditor"
AUDITOR_NAME = "Credence auditor"


@dataclass(frozen=True)
class Anchored:
    directory: str
    commitment: str
    attester_id: int
    tx_hash: str
    block_number: int
    expires_at: int
    files: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Auditor:
    def __init__(self, runtime) -> None:  # ledger.runtime.Runtime
        self.runtime = runtime
        self.registry: Registry = runtime.registry(AUDITOR_ROLE)
        self.log = runtime.settings.data_dir / "audit" / "anchors.jsonl"

    def attester_id(self) -> int:
        """The auditor's attester id, registering its key with the registrar on first use."""
        address = self.runtime.keystore.signer(AUDITOR_ROLE).address
        attester_id = self.registry.attester_of(address)
        if attester_id == 0:
            if self.runtime.is_dev_chain():
                self.runtime.fund_dev_keys((AUDITOR_ROLE,))
            self.runtime.registry("admin").register_attester(
                address, AUDITOR_NAME, "credence://audit"
            )
            attester_id = self.registry.attester_of(address)
        if self.registry.model(MODEL_ID) is None:
            self.registry.register_model(MODEL_ID, MODEL_URI, (0, 0, 0, 0, 0))
        return attester_id

    def anchor(self, target: Path, valid_days: int = DEFAULT_VALID_DAYS) -> Anchored:
        """Attest the export directory of ``target`` (the directory or its report.html)."""
        if not 1 <= valid_days <= MAX_VALID_DAYS:
            raise AnchorError("valid_days", f"must be 1 to {MAX_VALID_DAYS}")
        directory = export_dir(target)
        attester_id = self.attester_id()
        now = int(self.runtime.w3.eth.get_block("latest")["timestamp"])
        record = build_record(
            directory,
            chain_id=int(self.runtime.w3.eth.chain_id),
            registry=self.registry.address,
            attester_id=attester_id,
            created_at=now,
            expires_at=now + valid_days * 86_400,
        )
        data = record_bytes(record)
        key = commitment(data)
        receipt = self.registry.attest(
            key, MODEL_ID, record["expires_at"], idempotency_key=f"audit-anchor:{key.hex()}"
        )
        staged = directory / f".{RECORD_NAME}.tmp"
        staged.write_bytes(data)
        os.replace(staged, directory / RECORD_NAME)
        anchored = Anchored(
            directory=str(directory),
            commitment="0x" + key.hex(),
            attester_id=attester_id,
            tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
            block_number=int(receipt["blockNumber"]),
            expires_at=record["expires_at"],
            files=len(record["files"]),
        )
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as fh:
            fh.write(json.dumps(anchored.to_json()) + "\n")
        return anchored

    def anchored(self, commitment_hex: str) -> Anchored | None:
        """The logged anchor of ``commitment_hex`` (latest first), if this service made it."""
        if not self.log.exists():
            return None
        for line in reversed(self.log.read_text().splitlines()):
            row = json.loads(line)
            if row["commitment"] == commitment_hex:
                return Anchored(**row)
        return None

    def status(self, attester_id: int, commitment_hex: str) -> str:
        key = bytes.fromhex(commitment_hex.removeprefix("0x"))
        return self.registry.status_of(attester_id, key).name_snake
