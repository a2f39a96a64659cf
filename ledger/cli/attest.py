"""Attestation commands: attest from a CSV, show, disclose, verify, revoke, status."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ledger.cli.common import console, err_console, fail, parse_hex32, runtime

REQUIRED_COLUMNS = ("subject_id", "score", "grade")
CHUNK = 5_000


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        fail(f"{path}: no such file")
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            fail(
                f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(REQUIRED_COLUMNS)})"
            )
        rows = list(reader)
    if not rows:
        fail(f"{path}: no rows")
    return rows


def _int(row: dict[str, str], column: str, line: int, default: int | None = None) -> int | None:
    raw = (row.get(column) or "").strip()
    if not raw:
        if default is None and column in REQUIRED_COLUMNS:
            fail(f"row {line}, column {column}: empty")
        return default
    try:
        return int(raw)
    except ValueError:
        fail(f"row {line}, column {column}: not an integer: {raw!r}")


def attest_cmd(
    csv_path: Annotated[
        Path, typer.Argument(help="CSV with subject_id, score, grade[, pd_bps, reasons]")
    ],
    model: Annotated[str, typer.Option(help="registered model id (0x + 64 hex)")],
    valid_days: Annotated[int, typer.Option(min=1, max=3650)] = 365,
    mode: Annotated[str, typer.Option(help="batch or single")] = "batch",
    out: Annotated[Path | None, typer.Option(help="write sealed records (JSON lines) here")] = None,
) -> None:
    """Attest every row of a CSV of scored subjects (batched under Merkle roots)."""
    from ledger.attest.records import RecordError

    model_hex = "0x" + parse_hex32(model, "--model").hex()
    if mode not in ("batch", "single"):
        fail(f"--mode: must be 'batch' or 'single', got {mode!r}")
    rows = _read_rows(csv_path)
    now = int(time.time())
    with runtime() as rt:
        service = rt.attestation_service()
        if not service.model_known(model_hex):
            fail(f"--model: {model_hex} is not registered on chain")
        try:
            records = [
                service.new_record(
                    subject_id=row["subject_id"],
                    score=_int(row, "score", i + 2),
                    grade=row["grade"],
                    model_id=model_hex,
                    issued_at=now,
                    expires_at=now + valid_days * 86_400,
                    pd_bps=_int(row, "pd_bps", i + 2, default=None) if "pd_bps" in row else None,
                    reasons=[r for r in (row.get("reasons") or "").split(";") if r] or None,
                )
                for i, row in enumerate(rows)
            ]
        except RecordError as exc:
            fail(f"{csv_path}: {exc}")
        from ledger.attest.anchoring import AnchorPending
        from ledger.attest.service import IssueError

        sealed = []
        columns = (TextColumn("attesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("attest", total=len(records))
            for start in range(0, len(records), CHUNK):
                chunk = records[start : start + CHUNK]
                try:
                    sealed += service.issue(chunk, mode=mode)
                except IssueError as exc:
                    fail(str(exc))
                except AnchorPending as exc:
                    service.close()
                    err_console.print(
                        f"[yellow]{len(sealed) + len(chunk):,} records stored, not all anchored "
                        f"yet ({exc}); `credence up` finishes them (its reconciler)[/]"
                    )
                    raise typer.Exit(1) from exc
                progress.advance(task, len(chunk))
        roots = service.roots_of(sealed)
        service.close()
    if out:
        out.write_text("".join(s.to_json() + "\n" for s in sealed))
    table = Table("batch root", "records", title=f"{len(sealed):,} records attested")
    counts: dict[str, int] = {}
    for root in roots:
        counts[root or "(single)"] = counts.get(root or "(single)", 0) + 1
    for root, n in counts.items():
        table.add_row(root, f"{n:,}")
    console.print(table)


def show_cmd(commitment: Annotated[str, typer.Argument(help="record commitment")]) -> None:
    """Show a record issued here: status on chain, batch, proof length."""
    key = "0x" + parse_hex32(commitment, "commitment").hex()
    with runtime() as rt:
        service = rt.attestation_service()
        row = service.get(key)
        if row is None:
            fail(f"commitment: no record {key} was issued by this service")
        status = service.status(row)
        service.close()
    sealed = json.loads(row.sealed)
    table = Table("field", "value", title=f"record {key[:18]}…")
    table.add_row("status", status)
    table.add_row("mode", row.mode)
    table.add_row("batch root", row.batch_root or "-")
    table.add_row("proof length", str(len(json.loads(row.proof or "[]"))))
    table.add_row("tx", row.tx_hash or "-")
    for name, value in sealed.get("fields", {}).items():
        table.add_row(name, str(value))
    console.print(table)


def disclose_cmd(
    commitment: Annotated[str, typer.Argument()],
    fields: Annotated[str, typer.Option(help="comma-separated fields to reveal")] = "score,grade",
    out: Annotated[Path | None, typer.Option(help="write the disclosure JSON here")] = None,
) -> None:
    """Produce the disclosure a customer hands a lender (only the chosen fields)."""
    from ledger.attest.records import RecordError

    key = "0x" + parse_hex32(commitment, "commitment").hex()
    with runtime() as rt:
        service = rt.attestation_service()
        try:
            package = service.disclosure(key, [f.strip() for f in fields.split(",") if f.strip()])
        except KeyError as exc:
            fail(f"commitment: {exc.args[0]}")
        except RecordError as exc:
            fail(f"--fields: {exc}")
        finally:
            service.close()
    text = json.dumps(package, indent=2)
    if out:
        out.write_text(text)
        console.print(f"disclosure written to {out}")
    else:
        console.print_json(text)


def verify_cmd(
    disclosure: Annotated[Path, typer.Argument(help="disclosure JSON (from `credence disclose`)")],
) -> None:
    """Verify a disclosed record against the chain; exit 1 if it is not valid."""
    from ledger.attest.records import Disclosure, DisclosureError
    from ledger.attest.verify import verify

    if not disclosure.exists():
        fail(f"{disclosure}: no such file")
    try:
        package = json.loads(disclosure.read_text())
        parsed = Disclosure.from_dict(package)
    except (ValueError, KeyError, TypeError, DisclosureError) as exc:
        fail(f"{disclosure}: not a disclosure: {exc}")
    batch = package.get("batch")
    with runtime() as rt:
        registry = rt.registry("relayer")
        root = parse_hex32(batch["root"], "batch.root") if batch else None
        proof = [parse_hex32(p, "batch.proof") for p in batch["proof"]] if batch else []
        result = verify(registry, parsed, root, proof)
    table = Table("check", "result", title="verification")
    colour = "green" if result.valid else "red"
    table.add_row("status", f"[{colour}]{result.status}[/]")
    for reason in result.reasons:
        table.add_row("reason", reason)
    for name, value in result.disclosed.items():
        table.add_row(f"disclosed {name}", value)
    table.add_row("attester", str(result.attester_id))
    console.print(table)
    raise typer.Exit(0 if result.valid else 1)


def revoke_cmd(
    commitments: Annotated[list[str], typer.Argument(help="one or more record commitments")],
    reason: Annotated[int, typer.Option(min=0, max=65_535, help="reason code")] = 1,
) -> None:
    """Revoke records issued here (singles together, batch leaves one by one)."""
    from ledger.attest.service import IssueError

    keys = ["0x" + parse_hex32(c, "commitment").hex() for c in commitments]
    with runtime() as rt:
        service = rt.attestation_service()
        try:
            tx = service.revoke(keys, reason)
        except KeyError as exc:
            fail(f"commitment: {exc.args[0]}")
        except IssueError as exc:
            fail(str(exc))
        finally:
            service.close()
    console.print(f"revoked {len(keys)} record(s) in {tx}")


def status_cmd() -> None:
    """Chain, deployment, index and issuance status."""
    from sqlmodel import Session, func, select

    from ledger.store.tables import Attester, Batch, EventLog, IssuedRecord, Model

    with runtime() as rt:
        indexer = rt.indexer()
        indexer.poll_once()
        with Session(rt.engine) as s:
            counts = {
                "attesters": s.exec(select(func.count()).select_from(Attester)).one(),
                "models": s.exec(select(func.count()).select_from(Model)).one(),
                "events indexed": s.exec(select(func.count()).select_from(EventLog)).one(),
                "records issued": s.exec(select(func.count()).select_from(IssuedRecord)).one(),
                "batches": s.exec(select(func.count()).select_from(Batch)).one(),
            }
        table = Table("item", "value", title="Credence status")
        table.add_row("chain id", str(rt.w3.eth.chain_id))
        table.add_row("head block", str(rt.w3.eth.block_number))
        table.add_row("indexed block", str(indexer.checkpoint()[0]))
        for name, dep in rt.manifest.contracts.items() if rt.manifest else []:
            table.add_row(name, dep.address)
        for name, value in counts.items():
            table.add_row(name, f"{value:,}")
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command("attest")(attest_cmd)
    app.command("show")(show_cmd)
    app.command("disclose")(disclose_cmd)
    app.command("verify")(verify_cmd)
    app.command("revoke")(revoke_cmd)
    app.command("status")(status_cmd)
