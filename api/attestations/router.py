"""Issue, read, disclose and revoke score attestations."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request

from api.attestations.schemas import (
    AttestationOut,
    DelegatedRequest,
    IssueRequest,
    IssueResponse,
    RevokeManyRequest,
    RevokeRequest,
    RevokeResponse,
)
from api.deps import AnyRole, Role, ServicesDep, require
from api.errors import ApiError
from api.fastjson import FastJsonRoute, bulk
from api.idempotency import Plain, fingerprint, run_once
from api.types import Hex32
from api.writes import TxOut, chain_write
from ledger.attest.anchoring import AnchorPending
from ledger.attest.records import RecordError, ScoreRecord
from ledger.attest.service import IssueError

router = APIRouter(prefix="/v1/attestations", tags=["attestations"], route_class=FastJsonRoute)
IdempotencyKey = Annotated[
    str | None, Header(description="retrying with the same key never issues twice")
]
CanWrite = Depends(require(Role.attester))


def _build(svc: ServicesDep, body: IssueRequest) -> list[ScoreRecord]:
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
    return records


def pending(exc: AnchorPending, key: str | None) -> ApiError:
    """503 for records stored but not yet final: the retry answers with the same ones."""
    retry = "retry with the same Idempotency-Key" if key else "they will be anchored"
    return ApiError(503, f"{exc}: the chain has not confirmed them yet; {retry}")


def issuing(svc: ServicesDep, key: str | None) -> dict[str, Any]:
    """``run_once`` options of a request that issues records under ``key``: the lease, and
    a failure keeps the key when records were stored (the retry resumes them)."""
    return {
        "lease_s": svc.runtime.settings.idempotency_lease_s,
        "kept": lambda: bool(key and svc.attestations.accepted(key)),
    }


def _issue(svc: ServicesDep, body: IssueRequest, key: str | None) -> Plain:
    """Exactly once per key: a retry answers with the records the first attempt stored."""
    attest = svc.attestations
    try:
        sealed = attest.accepted(key) if key else []
        if sealed:
            attest.await_anchored(key, attest.anchor_wait_s)
            roots = attest.roots_of(sealed, key)
        else:
            records = _build(svc, body)
            sealed, roots = attest.issue_with_roots(records, mode=body.mode, request_key=key)
    except IssueError as exc:
        raise ApiError(409, str(exc)) from exc
    except AnchorPending as exc:
        raise pending(exc, key) from exc
    # An IssueResponse built as plain JSON (a model per record would cost more than the
    # rest of the answer); tests/api hold it to the schema.
    out = [
        {
            "commitment": "0x" + s.commitment.hex(),
            "subject": s.record.subject,
            "mode": body.mode,
            "status": "anchored",
            "batch_root": root,
        }
        for s, root in zip(sealed, roots, strict=True)
    ]
    return Plain(count=len(out), records=out)


@router.post("", status_code=201, response_model=IssueResponse, dependencies=[CanWrite])
@bulk
def issue_attestations(
    body: IssueRequest, svc: ServicesDep, request: Request, idempotency_key: IdempotencyKey = None
):
    """Issue one or many score attestations (batched under one Merkle root by default).

    201 means every record is on chain with the configured confirmations. 503 means the
    records were accepted but are not final yet: retrying with the same Idempotency-Key
    answers with the same records once they are, and never issues new ones.
    """
    # Only a keyed request is ever compared with another (10,000 records: no dump without).
    fp = fingerprint("POST", request.url.path, body.model_dump()) if idempotency_key else ""
    return run_once(
        svc.runtime.engine,
        idempotency_key,
        fp,
        201,
        lambda: _issue(svc, body, idempotency_key),
        **issuing(svc, idempotency_key),
    )


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
    chain = attest.chain_status(row)
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
        chain_status=chain.name_snake,
        status=attest.status(row, chain),
        batch_root=row.batch_root,
        issued_at=onchain.issued_at or None,
        expires_at=onchain.expires_at or None,
        revoked_at=(leaf.revoked_at if leaf else onchain.revoked_at) or None,
        revocation_reason=leaf.reason if leaf else onchain.revocation_reason or None,
    )
    if role in (Role.admin, Role.attester):  # the issuer: its own copy of the sealed record
        out.subject, out.mode, out.tx_hash = row.subject, row.mode, row.tx_hash
        out.proof = ["0x" + p.hex() for p in attest.proof_of(row)] if row.batch_root else None
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
