"""Verify an anchored audit report against the chain: no data directory, no writes.

The steps of docs/audit.md ("Checking an anchored report"): read ``audit-anchor.json``,
recompute the SHA-256 and keccak-256 of every file it lists, take the SHA-256 of the record
file as the commitment, check the node's chain id and that the code at the named registry
is the Credence registry, then ask the registry for the record's status under the
auditor's attester id and compare its expiry and model with the record; finally check that
the block the report was built from is still canonical.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ledger.attest.status import Status
from ledger.attest.verify import (
    EXPLANATIONS,
    GET_MODEL,
    GET_RECORD,
    NOT_REGISTRY,
    STATUS_OF,
    WRONG_CHAIN,
    _call,
    _code_hash,
    _selector,
    _word,
    registry_code_hash,
)
from ledger.audit.anchor import RECORD_NAME, AnchorError, commitment, parse_record
from ledger.merkle import keccak

GET_ATTESTER = _selector("getAttester(uint32)")
INVALID_RECORD, FILES_ALTERED, MISMATCH = "invalid_record", "files_altered", "mismatch"


class ReportChain(Protocol):
    def chain_id(self) -> int: ...
    def code(self, address: str) -> bytes: ...
    def call(self, address: str, data: bytes) -> bytes: ...
    def block_hash(self, number: int) -> str | None: ...


@dataclass
class ReportVerification:
    status: str
    valid: bool
    reasons: list[str] = field(default_factory=list)
    record: str | None = None
    commitment: str | None = None
    chain_id: int | None = None
    registry: str | None = None
    attester_id: int | None = None
    head_block: int | None = None
    state_digest: str | None = None
    issued_at: int | None = None
    expires_at: int | None = None
    files_checked: int = 0
    files_altered: list[str] = field(default_factory=list)

    def fail(self, status: str, reason: str) -> None:
        """The first failure names the status; every reason is kept."""
        if self.valid or self.status == "pending":
            self.status = status
        self.valid = False
        self.reasons.append(reason)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def record_path(target: Path) -> Path:
    """``audit-anchor.json`` of a directory, or beside a file of the export."""
    if target.is_dir():
        return target / RECORD_NAME
    return target if target.name == RECORD_NAME else target.parent / RECORD_NAME


def check_files(record: dict[str, Any], directory: Path, out: ReportVerification) -> None:
    for entry in record["files"]:
        path = str(entry.get("path", ""))
        target = (directory / path).resolve()
        if not path or not target.is_relative_to(directory.resolve()):
            out.fail(INVALID_RECORD, f"files: {path!r} is outside the report's directory")
            continue
        out.files_checked += 1
        if not target.is_file():
            out.files_altered.append(path)
            out.fail(FILES_ALTERED, f"{path}: missing")
            continue
        data = target.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.get("sha256") or (
            "0x" + keccak(data).hex() != entry.get("keccak256")
        ):
            out.files_altered.append(path)
            out.fail(FILES_ALTERED, f"{path}: its hash differs from the anchored one")


def verify_report(
    chain: ReportChain,
    target: Path,
    registry: str | None = None,
    attester_id: int | None = None,
) -> ReportVerification:
    """Verify the anchored report at ``target``; ``registry`` and ``attester_id`` pin what
    the verifier trusts (without them, the record's own are checked and shown)."""
    path = record_path(target)
    data = path.read_bytes()  # the caller checks that it exists
    out = ReportVerification("pending", True, record=str(path))
    out.commitment = "0x" + commitment(data).hex()
    try:
        record = parse_record(data)
    except AnchorError as exc:
        out.fail(INVALID_RECORD, str(exc))
        return out
    out.chain_id, out.registry, out.attester_id = (
        record["chain_id"],
        record["registry"],
        record["attester_id"],
    )
    out.head_block, out.state_digest = record["head_block"], record["state_digest"]
    if registry is not None and registry.lower() != str(record["registry"]).lower():
        out.fail(MISMATCH, f"registry: the record names {record['registry']}, not {registry}")
    if attester_id is not None and attester_id != record["attester_id"]:
        out.fail(MISMATCH, f"attester_id: the record names {record['attester_id']}")
    check_files(record, path.parent, out)
    if chain.chain_id() != record["chain_id"]:
        out.fail(WRONG_CHAIN, f"chain_id: the record names {record['chain_id']}, not this node's")
        return out
    if _code_hash(chain.code(record["registry"])) != registry_code_hash():
        out.fail(NOT_REGISTRY, f"registry: the code at {record['registry']} is not the registry")
        return out
    _check_chain(chain, record, data, out)
    if out.valid:
        out.status = Status.Valid.name_snake
        out.reasons.append(EXPLANATIONS[Status.Valid])
    return out


def _check_chain(
    chain: ReportChain, record: dict[str, Any], data: bytes, out: ReportVerification
) -> None:
    address, attester = record["registry"], _word(record["attester_id"])
    key = commitment(data)
    if _call(chain, address, GET_ATTESTER, attester)[0] == 0:  # no key: never registered
        out.fail(
            Status.Unknown.name_snake, f"attester_id: {record['attester_id']} is not registered"
        )
        return
    status = Status(_call(chain, address, STATUS_OF, attester + key)[0])
    if status is not Status.Valid:
        out.fail(status.name_snake, EXPLANATIONS[status])
    if status is Status.Unknown:
        return
    _, model_index, out.issued_at, out.expires_at = _call(chain, address, GET_RECORD, attester + key)[:4]  # fmt: skip
    if out.expires_at != record["expires_at"]:
        out.fail(MISMATCH, f"expires_at: the record says {record['expires_at']}, on chain {out.expires_at}")  # fmt: skip
    try:
        model_id = bytes.fromhex(str(record["model_id"]).removeprefix("0x"))
    except ValueError:
        model_id = b""
    if len(model_id) != 32 or _call(chain, address, GET_MODEL, model_id)[0] != model_index:
        out.fail(MISMATCH, f"model_id: {record['model_id']} is not the attestation's model")
    canonical = chain.block_hash(record["head_block"])
    if canonical is None or canonical.lower() != str(record["head_block_hash"]).lower():
        out.fail(MISMATCH, f"head_block_hash: block {record['head_block']} is no longer canonical")
