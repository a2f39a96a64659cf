"""Attestation commands: attest from a CSV, show, disclose, verify, revoke, status."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ledger.cli.common import (
    JsonOpt,
    console,
    err_console,
    fail,
    parse_hex32,
    print_json,
    runtime,
)
from ledger.inputfiles import read_dict_rows

REQUIRED_COLUMNS = ("subject_id", "score", "grade")
CHUNK = 5_000


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        fail(f"{path}: no such file")
    try:
        rows = [row for _, row in read_dict_rows(path, REQUIRED_COLUMNS, ValueError)]
    except ValueError as exc:
        fail(f"{exc} (need {', '.join(REQUIRED_COLUMNS)})")
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
    out: Annotated[
        Path | None, typer.Option(help="write sealed records (JSON lines) here", dir_okay=False)
    ] = None,
    holder_dir: Annotated[
        Path | None,
        typer.Option(
            help="write each subject's record file here (<commitment>.json), to hand over",
            file_okay=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
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
        with Progress(*columns, console=console, disable=as_json) as progress:
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
        if holder_dir:
            holder_dir.mkdir(parents=True, exist_ok=True)
            for s in sealed:
                key = "0x" + s.commitment.hex()
                (holder_dir / f"{key}.json").write_text(service.record_file(key).to_json())
        service.close()
    if out:
        out.write_text("".join(s.to_json() + "\n" for s in sealed))
    counts: dict[str, int] = {}
    for root in roots:
        counts[root or "(single)"] = counts.get(root or "(single)", 0) + 1
    if as_json:
        commitments = ["0x" + s.commitment.hex() for s in sealed]
        batches = [
            {"root": r if r != "(single)" else None, "records": n} for r, n in counts.items()
        ]
        print_json({"records": len(sealed), "batches": batches, "commitments": commitments})
        return
    table = Table("batch root", "records", title=f"{len(sealed):,} records attested")
    for root, n in counts.items():
        table.add_row(root, f"{n:,}")
    console.print(table)


def show_cmd(
    commitment: Annotated[str, typer.Argument(help="record commitment")],
    as_json: JsonOpt = False,
) -> None:
    """Show a record issued here: status on chain, batch, proof length."""
    key = "0x" + parse_hex32(commitment, "commitment").hex()
    with runtime() as rt:
        service = rt.attestation_service()
        row = service.get(key)
        if row is None:
            fail(f"commitment: no record {key} was issued by this service")
        status = service.status(row)
        proof = service.proof_of(row)
        service.close()
    sealed = json.loads(row.sealed)
    if as_json:
        print_json(
            {
                "commitment": key,
                "status": status,
                "mode": row.mode,
                "batch_root": row.batch_root,
                "proof_length": len(proof),
                "tx_hash": row.tx_hash,
                "fields": sealed.get("fields", {}),
            }
        )
        return
    table = Table("field", "value", title=f"record {key[:18]}…")
    table.add_row("status", status)
    table.add_row("mode", row.mode)
    table.add_row("batch root", row.batch_root or "-")
    table.add_row("proof length", str(len(proof)))
    table.add_row("tx", row.tx_hash or "-")
    for name, value in sealed.get("fields", {}).items():
        table.add_row(name, str(value))
    console.print(table)


def record_file_cmd(
    commitment: Annotated[str, typer.Argument(help="a record commitment issued here")],
    out: Annotated[Path, typer.Option(help="write the subject's record file here", dir_okay=False)],
    as_json: JsonOpt = False,
) -> None:
    """Export the record file handed to the subject: every field, salt and proof."""
    key = "0x" + parse_hex32(commitment, "commitment").hex()
    with runtime() as rt:
        service = rt.attestation_service()
        try:
            out.write_text(service.record_file(key).to_json() + "\n")
        except KeyError as exc:
            fail(f"commitment: {exc.args[0]}")
        finally:
            service.close()
    if as_json:
        print_json({"commitment": key, "out": str(out)})
    else:
        console.print(f"record file written to {out}; the subject can now disclose without us")


def disclose_cmd(
    record: Annotated[
        str, typer.Argument(help="a record file (the subject's copy) or a commitment issued here")
    ],
    fields: Annotated[str, typer.Option(help="comma-separated fields to reveal")] = "score,grade",
    out: Annotated[
        Path | None, typer.Option(help="write the disclosure JSON here", dir_okay=False)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make the disclosure a customer hands a lender (chosen fields; the attester always shows).

    From a record file this needs no data directory and no chain: the customer's own copy.
    """
    from ledger.attest.disclosure import RecordFile
    from ledger.attest.records import RecordError

    names = [f.strip() for f in fields.split(",") if f.strip()]
    path = Path(record)
    if path.exists():
        if not path.is_file():
            fail(f"record: {path} is not a file")
        try:
            text = RecordFile.from_json(path.read_bytes()).disclose(names).to_json()
        except RecordError as exc:
            fail(f"{path.name}: {exc}")
    else:
        key = "0x" + parse_hex32(record, "record (no such file, nor a commitment)").hex()
        with runtime() as rt:
            service = rt.attestation_service()
            try:
                text = json.dumps(service.disclosure(key, names), indent=2)
            except KeyError as exc:
                fail(f"commitment: {exc.args[0]}")
            except RecordError as exc:
                fail(f"--fields: {exc}")
            finally:
                service.close()
    if out:
        out.write_text(text + "\n")
    if as_json:  # the disclosure itself, or where it went
        print(json.dumps({"out": str(out)}) if out else text)
    elif out:
        console.print(f"disclosure written to {out}")
    else:
        console.print_json(text)


def verify_cmd(
    disclosure: Annotated[Path, typer.Argument(help="disclosure JSON (docs/disclosure.md)")],
    rpc: Annotated[
        str | None,
        typer.Option(help="JSON-RPC URL of a node of the disclosure's chain [default: configured]"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the verdict as JSON")] = False,
) -> None:
    """Verify a disclosure against the chain: exit 0 valid, 1 not valid, 2 refused as bad input.

    Reads only: no data directory, no deployment, no transaction. The registry address
    comes from the disclosure and its code must be the Credence registry.
    """
    from dataclasses import asdict

    from ledger.attest.verify import INVALID, ChainUnavailable, RpcReader, verify_text

    if not disclosure.is_file():
        fail(f"{disclosure}: no such file")
    try:
        result = verify_text(RpcReader(rpc or _default_rpc()), disclosure.read_bytes())
    except ChainUnavailable as exc:
        fail(f"--rpc: {exc}")
    if as_json:
        console.print_json(json.dumps(asdict(result)))
    else:
        _print_verification(result)
    raise typer.Exit(2 if result.status == INVALID else 0 if result.valid else 1)


def _default_rpc() -> str:
    from ledger.settings import Settings

    settings = Settings()
    return settings.rpc_url or f"http://127.0.0.1:{settings.node_port}"


def _print_verification(result: Any) -> None:
    table = Table("check", "result", title="verification")
    colour = "green" if result.valid else "red"
    table.add_row("status", f"[{colour}]{result.status}[/]")
    for reason in result.reasons:
        table.add_row("reason", reason)
    if result.field:
        table.add_row("field", result.field)
    for name, value in result.disclosed.items():
        table.add_row(f"disclosed {name}", value)
    for name in ("chain_id", "registry", "batch_root", "issued_at", "expires_at", "revoked_at"):
        if getattr(result, name) is not None:
            table.add_row(name, str(getattr(result, name)))
    console.print(table)


def revoke_cmd(
    commitments: Annotated[list[str], typer.Argument(help="one or more record commitments")],
    reason: Annotated[int, typer.Option(min=0, max=65_535, help="reason code")] = 1,
    as_json: JsonOpt = False,
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
    if as_json:
        print_json({"revoked": keys, "reason": reason, "tx_hash": tx})
    else:
        console.print(f"revoked {len(keys)} record(s) in {tx}")


def register(app: typer.Typer) -> None:
    app.command("attest")(attest_cmd)
    app.command("show")(show_cmd)
    app.command("record-file")(record_file_cmd)
    app.command("disclose")(disclose_cmd)
    app.command("verify")(verify_cmd)
    app.command("revoke")(revoke_cmd)
