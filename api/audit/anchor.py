"""Anchoring the audit report over HTTP (auditors and admins): attest the console's export
on chain as the auditor, read its anchor with the registry's status, and verify it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from api.audit.anchor_schemas import AnchorOut, AnchorRequest, ReportVerificationOut
from api.audit.router import workbench
from api.deps import Role, Services, ServicesDep, require
from api.errors import ApiError
from api.idempotency import fingerprint, run_once
from api.reverts import explain
from ledger.attest.verify import Web3Reader
from ledger.audit.anchor import RECORD_NAME, AnchorError, commitment, parse_record
from ledger.audit.auditor import Auditor
from ledger.audit.report_check import verify_report
from ledger.tx import ContractRevert

router = APIRouter(
    prefix="/v1/audit", tags=["audit"], dependencies=[Depends(require(Role.auditor))]
)
IdempotencyKey = Annotated[
    str | None, Header(description="retrying with the same key never anchors twice")
]


def auditor(svc: Services) -> Auditor:
    if "auditor" not in svc.extras:
        svc.extras["auditor"] = Auditor(svc.runtime)
    return svc.extras["auditor"]


def current_anchor(svc: Services) -> dict | None:
    """The anchor of the console's export with the registry's status now, or None."""
    path = workbench(svc).export_dir / RECORD_NAME
    if not path.is_file():
        return None
    data = path.read_bytes()
    try:
        record = parse_record(data)
    except AnchorError:
        return None
    key = "0x" + commitment(data).hex()
    made = auditor(svc).anchored(key)
    return {
        "commitment": key,
        "attester_id": record["attester_id"],
        "tx_hash": made.tx_hash if made else None,
        "block_number": made.block_number if made else None,
        "expires_at": record["expires_at"],
        "files": len(record["files"]),
        "head_block": record["head_block"],
        "state_digest": record["state_digest"],
        "status": auditor(svc).status(record["attester_id"], key),
    }


@router.post("/anchor", response_model=AnchorOut)
def anchor(
    body: AnchorRequest,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Export again (unless ``export`` is false) and attest the report's anchor record
    (every file's SHA-256 and keccak-256, the head block, the state digest) on chain."""

    def work() -> dict:
        wb = workbench(svc)
        try:
            with wb.lock:  # the files anchored are the ones this request exported
                if body.export:
                    wb.export(wb.export_dir, wb.reconcile())
                made = auditor(svc).anchor(wb.export_dir, body.valid_days)
        except AnchorError as exc:
            status = 409 if exc.field == "report" else 422
            raise ApiError(status, exc.reason, field=exc.field) from exc
        except ContractRevert as exc:
            raise ApiError(409, f"the registry refused: {explain(exc.error)}") from exc
        return current_anchor(svc) or made.to_json()  # the record was just written

    fp = fingerprint("POST", request.url.path, body.model_dump())
    return run_once(svc.runtime.engine, idempotency_key, fp, 200, work)


@router.get("/anchor", response_model=AnchorOut)
def read_anchor(svc: ServicesDep):
    """The anchor of the last export, with the registry's status now."""
    found = current_anchor(svc)
    if found is None:
        raise ApiError(404, "the last export is not anchored (POST /v1/audit/anchor)")
    return found


@router.post("/verify-report", response_model=ReportVerificationOut)
def verify(svc: ServicesDep):
    """Recompute every file's hashes of the last anchored export and check its attestation
    on chain, as ``credence audit verify-report`` does for anyone holding the files."""
    directory = workbench(svc).export_dir
    if not (directory / RECORD_NAME).is_file():
        raise ApiError(404, "the last export is not anchored (POST /v1/audit/anchor)")
    result = verify_report(Web3Reader(svc.runtime.w3), directory).to_json()
    return {**result, "record": RECORD_NAME}
