"""Auditor pages: attestation explorer, disclosure verification, model registry,
reconcile result, exports; and the transaction page every figure links to."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from hexbytes import HexBytes
from sqlmodel import Session, col, select

from api.audit.anchor import auditor as anchor_auditor
from api.audit.anchor import current_anchor
from api.audit.router import workbench as shared_workbench
from api.console.auth import allow, console_caller
from api.console.render import AUDIT, READ_RECORDS, PageError, render
from api.deps import Caller, services
from api.reverts import explain
from ledger.attest.verify import INVALID, Web3Reader, verify_text
from ledger.audit.report_check import verify_report
from ledger.audit.workbench import Workbench
from ledger.store.tables import Attester, EventLog, Model, OnchainRecord
from ledger.tx import ContractRevert

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Caller, Depends(allow(READ_RECORDS))]
Auditor = Annotated[Caller, Depends(allow(AUDIT))]
PAGE = 200
MAX_UPLOAD = 256 * 1024  # a disclosure is a few kilobytes


def _day(text: str | None, field: str) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())
    except ValueError as exc:
        raise PageError(422, f"{field}: not a YYYY-MM-DD date: {text!r}", field=field) from exc


@router.get("/records", response_class=HTMLResponse)
def records(
    request: Request,
    caller: Reader,
    attester: Annotated[str | None, Query(max_length=20)] = None,  # '' from the form: any
    model: Annotated[str | None, Query(max_length=66)] = None,
    status: Annotated[str | None, Query(pattern="^(|active|revoked|expired)$")] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    now = int(time.time())
    query = select(OnchainRecord)
    if attester:
        if not attester.isdigit():
            raise PageError(422, f"attester: not an attester id: {attester!r}", field="attester")
        query = query.where(OnchainRecord.attester_id == int(attester))
    if model:
        query = query.where(OnchainRecord.model_id == model.lower())
    if status == "revoked":
        query = query.where(col(OnchainRecord.revoked_at).is_not(None))
    elif status == "expired":
        query = query.where(
            col(OnchainRecord.revoked_at).is_(None), OnchainRecord.expires_at <= now
        )
    elif status == "active":
        query = query.where(col(OnchainRecord.revoked_at).is_(None), OnchainRecord.expires_at > now)
    if (start := _day(since, "since")) is not None:
        query = query.where(OnchainRecord.issued_at >= start)
    if (end := _day(until, "until")) is not None:
        query = query.where(OnchainRecord.issued_at < end + 86_400)
    with Session(services(request).runtime.engine) as s:
        rows = s.exec(query.order_by(col(OnchainRecord.block_number).desc()).limit(PAGE)).all()
        attesters = s.exec(select(Attester).order_by(Attester.attester_id)).all()
        models = s.exec(select(Model).order_by(Model.model_index)).all()
        revocations = {r.key: _revocation_tx(s, r.key) for r in rows if r.revoked_at}
    filters = {
        "attester": attester,
        "model": model,
        "status": status,
        "since": since,
        "until": until,
    }
    return render(
        request, caller, "records.html", rows=rows, attesters=attesters, models=models,
        filters=filters, now=now, limit=PAGE, revocations=revocations,
    )  # fmt: skip


def _revocation_tx(session: Session, key: str) -> str | None:
    """The transaction that revoked ``key`` (the record's row keeps only when and why)."""
    row = session.exec(
        select(EventLog).where(EventLog.event == "Revoked", col(EventLog.args).contains(key))
    ).first()
    return row.tx_hash if row else None


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, caller: Reader) -> Response:
    return render(request, caller, "verify.html", text="", result=None, errors=[])


@router.post("/verify", response_class=HTMLResponse)
async def verify_submit(
    request: Request,
    caller: Reader,
    disclosure: Annotated[str, Form(max_length=MAX_UPLOAD)] = "",
    upload: UploadFile | None = None,
) -> Response:
    """The same check as ``POST /v1/verify``, on pasted or uploaded text."""
    text = disclosure
    if upload is not None and upload.filename:
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            return _verify_error(request, caller, "", ["upload: larger than 256 KiB"])
        text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return _verify_error(request, caller, "", ["disclosure: paste it or choose a file"])
    result = verify_text(Web3Reader(services(request).runtime.w3), text)
    status = 422 if result.status == INVALID else 200
    return render(
        request, caller, "verify.html", status_code=status, text=text, result=result, errors=[]
    )


def _verify_error(request: Request, caller: Caller, text: str, errors: list[str]) -> Response:
    return render(
        request, caller, "verify.html", status_code=422, text=text, result=None, errors=errors
    )


@router.get("/models", response_class=HTMLResponse)
def models(request: Request, caller: Reader) -> Response:
    with Session(services(request).runtime.engine) as s:
        rows = s.exec(select(Model).order_by(Model.model_index)).all()
        names = {a.attester_id: a.name for a in s.exec(select(Attester)).all()}
        registered = {
            json.loads(r.args)["modelId"]: r.tx_hash
            for r in s.exec(select(EventLog).where(EventLog.event == "ModelRegistered")).all()
        }
    return render(request, caller, "models.html", rows=rows, names=names, txs=registered)


def workbench(request: Request) -> Workbench:
    return shared_workbench(services(request))


@router.get("/reconcile", response_class=HTMLResponse)
def reconcile_page(request: Request, caller: Auditor) -> Response:
    result = workbench(request).last_reconciliation()
    return render(request, caller, "reconcile.html", result=result)


@router.post("/reconcile")
def reconcile_run(request: Request, _: Auditor) -> Response:
    workbench(request).reconcile()
    return RedirectResponse("/console/reconcile", status_code=303)


def _export_dir(request: Request) -> Path:
    return workbench(request).export_dir


@router.get("/exports", response_class=HTMLResponse)
def exports(request: Request, caller: Auditor) -> Response:
    base = _export_dir(request)
    files = sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()) if base.exists() else []  # fmt: skip
    digest = (base / "report.html.sha256").read_text().split()[0] if files else None
    svc = services(request)
    anchor = current_anchor(svc)
    check = verify_report(Web3Reader(svc.runtime.w3), base) if anchor else None
    return render(
        request, caller, "exports.html", files=files, digest=digest, anchor=anchor, check=check
    )


@router.post("/exports")
def exports_run(request: Request, _: Auditor) -> Response:
    wb = workbench(request)
    wb.export(_export_dir(request), wb.reconcile())
    return RedirectResponse("/console/exports", status_code=303)


@router.post("/exports/anchor")
def exports_anchor(request: Request, _: Auditor) -> Response:
    """Anchor the last export as it stands (build one first if there is none)."""
    svc = services(request)
    wb = workbench(request)
    try:
        with wb.lock:  # no other export rewrites the files while they are anchored
            if not (wb.export_dir / "report.html").is_file():
                wb.export(wb.export_dir, wb.reconcile())
            anchor_auditor(svc).anchor(wb.export_dir)
    except ContractRevert as exc:
        raise PageError(409, f"the registry refused: {explain(exc.error)}") from exc
    return RedirectResponse("/console/exports", status_code=303)


@router.get("/exports/file/{path:path}")
def export_file(request: Request, path: str, _: Auditor) -> Response:
    base = _export_dir(request).resolve()
    try:
        target = (base / path).resolve()
        found = target.is_relative_to(base) and target.is_file()
    except (ValueError, OSError):  # a NUL byte or a name too long: no such file either
        found = False
    if not found:
        raise PageError(404, "no such export file", field="path")
    return FileResponse(target, filename=target.name)


@router.get("/tx", response_class=HTMLResponse)
def tx_search(
    request: Request,
    caller: Annotated[Caller, Depends(console_caller)],
    hash: Annotated[str | None, Query(max_length=66)] = None,
) -> Response:
    if hash:
        return RedirectResponse(f"/console/tx/{hash.strip()}", status_code=303)
    return render(request, caller, "tx.html", tx=None, events=[], block=None)


@router.get("/tx/{tx_hash}", response_class=HTMLResponse)
def transaction(
    request: Request, tx_hash: str, caller: Annotated[Caller, Depends(console_caller)]
) -> Response:
    """A transaction's events as indexed, with its block and time from the chain."""
    tx_hash = tx_hash.lower()
    if len(tx_hash) != 66 or not tx_hash.startswith("0x"):
        raise PageError(422, "tx_hash: expected 0x followed by 64 hex digits", field="tx_hash")
    svc = services(request)
    with Session(svc.runtime.engine) as s:
        events = s.exec(
            select(EventLog).where(EventLog.tx_hash == tx_hash).order_by(EventLog.log_index)
        ).all()
    if not events:
        raise PageError(404, "no indexed events in this transaction", field="tx_hash")
    block = svc.runtime.w3.eth.get_block(events[0].block_number)
    on_chain = HexBytes(block["hash"]).to_0x_hex() == events[0].block_hash
    shown = [(e, json.dumps(json.loads(e.args), indent=1)) for e in events]
    return render(
        request, caller, "tx.html", tx=tx_hash, events=shown, on_chain=on_chain,
        block={"number": block["number"], "time": datetime.fromtimestamp(block["timestamp"], UTC)},
    )  # fmt: skip
