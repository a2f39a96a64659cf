"""Issue, read, disclose and revoke score attestations."""

from __future__ import annotations

import json
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request

from api.attestations.schemas import (
    AttestationOut,
    DelegatedRequest,
    IssuedOut,
    IssueRequest,
    IssueResponse,
    RevokeManyRequest,
    RevokeRequest,
    RevokeResponse,
)
from api.deps import AnyRole, Role, ServicesDep, require
from api.errors import ApiError
from api.idempotency import fingerprint, run_once
from api.types import Hex32
from api.writes import TxOut, chain_write
from ledger.attest.records import RecordError
from ledger.attest.service import IssueError

router = APIRouter(prefix="/v1/attestations", tags=["attestations"])
IdempotencyKey = Annotated[
    str | None, Header(description="retrying with the same key never issues twice")
]
CanWrite = Depends(require(Role.attester))


def _issue(svc: ServicesDep, body: IssueRequest) -> IssueResponse:
    now = int(time.time())
    attest = svc.attestations
    for i, item in enumerate(body.records):
        if not attest.model_known(item.model_id):
            raise ApiError(422, "model is not registered on chain", field=f"records.{i}.model_id")
    records = []
    for i, r in enumerate(body.records):
        try:
            records.append(
                attest.new_record(
                    subject_id=r.subject_id,
                    score=r.score,
                    grade=r.grade,
                    model_id=r.model_id,
                    expires_at=r.expires_at or now + r.valid_days * 86_400,
                    pd_bps=r.pd_bps,
                    reasons=r.reasons,
                    issued_at=now,
                )
            )
        except RecordError as exc:
            raise ApiError(422, exc.reason, field=f"records.{i}.{exc.field}") from exc
    try:
        sealed = attest.issue(records, mode=body.mode)
    except IssueError as exc:
        raise ApiError(409, str(exc)) from exc
    out = [
        IssuedOut(
            commitment="0x" + s.commitment.hex(),
            subject=s.record.subject,
            mode=body.mode,
            status="anchored",
            batch_root=root,
        )
        for s, root in zip(sealed, attest.roots_of(sealed), strict=True)
    ]
    return IssueResponse(count=len(out), records=out)


@router.post("", status_code=201, response_model=IssueResponse, dependencies=[CanWrite])
def issue_attestations(
    body: IssueRequest, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Issue one or many score attestations (batched under one Merkle root by default)."""
    fp = fingerprint("POST", request.url.path, body.model_dump())
    return run_once(svc.runtime.engine, idempotency_key, fp, 201, lambda: _issue(svc, body))


@router.get("/{commitment}", response_model=AttestationOut, response_model_exclude_none=True)
def read_attestation(commitment: Hex32, svc: ServicesDep, role: AnyRole):
    """One attestation. Verifier, investor and auditor keys get only what is public on chain
    (status, attester, batch root, times, revocation); the issuing roles also get the record."""
    attest = svc.attestations
    row = attest.get(commitment)
    if row is None:
        raise ApiError(
            404, "no attestation issued by this service has this commitment", field="commitment"
        )
    key = row.batch_root or row.commitment
    onchain = attest.registry.record(attest.attester_id, bytes.fromhex(key[2:]))
    leaf = None
    if row.batch_root is not None and not onchain.revoked_at:
        leaf = attest.registry.leaf_revocation(
            attest.attester_id, bytes.fromhex(key[2:]), bytes.fromhex(row.commitment[2:])
        )
    out = AttestationOut(
        commitment=row.commitment,
        attester_id=attest.attester_id,
        chain_status=attest.chain_status(row).name_snake,
        batch_root=row.batch_root,
        issued_at=onchain.issued_at or None,
        expires_at=onchain.expires_at or None,
        revoked_at=(leaf.revoked_at if leaf else onchain.revoked_at) or None,
        revocation_reason=leaf.reason if leaf else onchain.revocation_reason or None,
    )
    if role in (Role.admin, Role.attester):  # the issuer: its own copy of the sealed record
        out.subject, out.mode, out.status, out.tx_hash = (
            row.subject,
            row.mode,
            row.status,
            row.tx_hash,
        )
        out.proof = json.loads(row.proof) if row.proof else None
        out.record = json.loads(row.sealed)
    return out


@router.get("/{commitment}/record-file", dependencies=[CanWrite])
def record_file(commitment: Hex32, svc: ServicesDep):
    """The subject's own copy: every field and salt, the chain, registry and batch proof.

    Hand it to the customer; with it they disclose any fields without the institution.
    """
    try:
        return svc.attestations.record_file(commitment).to_dict()
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), field="commitment") from exc


@router.get("/{commitment}/disclosure", dependencies=[CanWrite])
def disclose(
    commitment: Hex32,
    svc: ServicesDep,
    fields: Annotated[
        str, Query(description="comma-separated field names to reveal")
    ] = "score,grade",
):
    """A disclosure package for the record's holder: only the chosen fields, with proofs."""
    names = [f.strip() for f in fields.split(",") if f.strip()]
    try:
        return svc.attestations.disclosure(commitment, names)
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), field="commitment") from exc
    except RecordError as exc:
        raise ApiError(422, str(exc), field="fields") from exc


def _revoke(svc: ServicesDep, commitments: list[str], reason: int) -> RevokeResponse:
    try:
        tx_hash = svc.attestations.revoke(commitments, reason)
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), field="commitments") from exc
    except IssueError as exc:
        raise ApiError(409, str(exc), field="commitments") from exc
    return RevokeResponse(revoked=commitments, tx_hash=tx_hash)


@router.post("/{commitment}/revoke", response_model=RevokeResponse, dependencies=[CanWrite])
def revoke_one(
    commitment: Hex32,
    body: RevokeRequest,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Revoke one record (a single attestation, or one leaf inside a batch)."""
    fp = fingerprint("POST", request.url.path, body.model_dump())
    work = lambda: _revoke(svc, [commitment], body.reason)
    return run_once(svc.runtime.engine, idempotency_key, fp, 200, work)


@router.post("/revocations", response_model=RevokeResponse, dependencies=[CanWrite])
def revoke_many(
    body: RevokeManyRequest,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Revoke many records in one transaction."""
    fp = fingerprint("POST", request.url.path, body.model_dump())
    work = lambda: _revoke(svc, body.commitments, body.reason)
    return run_once(svc.runtime.engine, idempotency_key, fp, 200, work)


@router.post("/delegated", response_model=TxOut, dependencies=[CanWrite])
def relay_delegated(
    body: DelegatedRequest,
    svc: ServicesDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
):
    """Relay an attestation another attester signed with EIP-712; this service pays the gas."""
    call = lambda: svc.runtime.registry("relayer").attest_by_sig(
        bytes.fromhex(body.commitment[2:]),
        bytes.fromhex(body.model_id[2:]),
        body.expires_at,
        body.signer,
        body.deadline,
        bytes.fromhex(body.signature[2:]),
    )
    return chain_write(svc, request, idempotency_key, body.model_dump(), call)
