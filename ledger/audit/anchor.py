"""The audit report's anchor record: what an auditor attests about one export directory.

The record (``audit-anchor.json`` beside the report) lists every file of the export with its
SHA-256 and keccak-256, and names the chain state the report was built from (the rebuilt
index's head block, its hash, and the state digest of docs/audit.md). Its commitment is
the SHA-256 of the record file's bytes exactly as written, so anyone checks it with
``sha256sum`` and asks the registry for ``statusOf(attester_id, 0x<sha256>)``: no
canonical encoding to reproduce. On chain it is an ordinary attestation by the auditor
under the model ``MODEL_ID`` (the audit report format, registered like a scorecard).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger.errors import FieldError
from ledger.merkle import keccak

FORMAT = "credence-audit-anchor/1"
REPORT_VERSION = 1  # the layout of report.html and report.json; bump when it changes
RECORD_NAME = "audit-anchor.json"
SUMMARY_NAME = "report.json"
MODEL_ID = keccak(b"credence-audit-report/1")
MODEL_URI = "credence://audit-report/1"
DEFAULT_VALID_DAYS = 5 * 365
MAX_VALID_DAYS = 100 * 365
REQUIRED = (
    "format",
    "report_version",
    "chain_id",
    "registry",
    "attester_id",
    "model_id",
    "head_block",
    "head_block_hash",
    "state_digest",
    "created_at",
    "expires_at",
    "files",
)


class AnchorError(FieldError):
    """The export directory or its anchor record is unusable."""


@dataclass(frozen=True)
class FileHash:
    path: str  # relative to the export directory, '/'-separated
    size: int
    sha256: str  # 64 hex digits, as sha256sum prints them
    keccak256: str  # 0x and 64 hex digits

    @classmethod
    def of(cls, base: Path, path: Path) -> FileHash:
        data = path.read_bytes()
        return cls(
            path.relative_to(base).as_posix(),
            len(data),
            hashlib.sha256(data).hexdigest(),
            "0x" + keccak(data).hex(),
        )


def export_dir(target: Path) -> Path:
    """The export directory of ``target``: itself, or the folder of a file inside it."""
    directory = target if target.is_dir() else target.parent
    if not (directory / "report.html").is_file():
        raise AnchorError("report", f"{target}: no report.html (run `credence audit export`)")
    return directory


def file_hashes(directory: Path) -> list[FileHash]:
    """Every file under ``directory`` but the anchor record, sorted by path."""
    skip = {RECORD_NAME, f".{RECORD_NAME}.tmp"}
    files = [p for p in directory.rglob("*") if p.is_file() and p.name not in skip]
    return sorted((FileHash.of(directory, p) for p in files), key=lambda f: f.path)


def read_summary(directory: Path) -> dict[str, Any]:
    """``report.json``: the head block, its hash and the state digest of the export."""
    path = directory / SUMMARY_NAME
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError):
        raise AnchorError("report", f"{path}: missing or not JSON; export again") from None
    if summary.get("report_version") != REPORT_VERSION:
        raise AnchorError("report_version", f"{path}: expected report version {REPORT_VERSION}")
    return summary


def build_record(
    directory: Path,
    *,
    chain_id: int,
    registry: str,
    attester_id: int,
    created_at: int,
    expires_at: int,
) -> dict[str, Any]:
    summary = read_summary(directory)
    return {
        "format": FORMAT,
        "report_version": REPORT_VERSION,
        "chain_id": chain_id,
        "registry": registry,
        "attester_id": attester_id,
        "model_id": "0x" + MODEL_ID.hex(),
        "head_block": summary["head_block"],
        "head_block_hash": summary["head_block_hash"],
        "state_digest": summary["state_digest"],
        "reconciled_equal": summary.get("reconciled_equal"),
        "created_at": created_at,
        "created_at_utc": datetime.fromtimestamp(created_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expires_at": expires_at,
        "files": [f.__dict__ for f in file_hashes(directory)],
    }


def record_bytes(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, indent=2) + "\n").encode()


def commitment(data: bytes) -> bytes:
    """The attested key: SHA-256 of the record file's bytes."""
    return hashlib.sha256(data).digest()


def parse_record(data: bytes) -> dict[str, Any]:
    try:
        record = json.loads(data)
    except ValueError:
        raise AnchorError("record", f"{RECORD_NAME} is not JSON") from None
    if not isinstance(record, dict):
        raise AnchorError("record", f"{RECORD_NAME} is not a JSON object")
    for name in REQUIRED:
        if name not in record:
            raise AnchorError(name, "missing from the anchor record")
    if record["format"] != FORMAT:
        raise AnchorError("format", f"must be {FORMAT!r}")
    registry = record["registry"]
    if not (isinstance(registry, str) and re.fullmatch(r"0x[0-9a-fA-F]{40}", registry)):
        raise AnchorError("registry", "must be an address (0x and 40 hex digits)")
    if not isinstance(record["files"], list) or not record["files"]:
        raise AnchorError("files", "must list the report's files")
    for name in ("chain_id", "attester_id", "head_block", "expires_at"):
        value = record[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise AnchorError(name, "must be a non-negative integer")
    if record["attester_id"] >= 2**32:
        raise AnchorError("attester_id", "must fit in uint32")
    if str(record["model_id"]).lower() != "0x" + MODEL_ID.hex():
        raise AnchorError("model_id", "must be keccak256('credence-audit-report/1')")
    if not all(isinstance(f, dict) for f in record["files"]):
        raise AnchorError("files", "each entry must be an object with path, sha256, keccak256")
    return record
