"""Audit commands: rebuild the index from the chain alone, reconcile it with the service's
database (exit 0 equal, 1 differences), and export CSV, JSON, journals and the HTML report."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ledger.audit.anchor import DEFAULT_VALID_DAYS, MAX_VALID_DAYS, RECORD_NAME, AnchorError
from ledger.cli.common import console, err_console, fail, runtime

if TYPE_CHECKING:
    from ledger.audit.auditor import Anchored
    from ledger.audit.workbench import Workbench
    from ledger.runtime import Runtime

audit_app = typer.Typer(
    help="Auditors' workbench: rebuild, reconcile, export, anchor and verify the report.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]
IntoOpt = Annotated[
    str | None,
    typer.Option(
        "--into",
        help="database URL of the rebuilt index (default: audit/rebuilt.db in the data dir)",
    ),
]


@contextmanager
def workbench(into: str | None) -> Iterator[Workbench]:
    from sqlalchemy.exc import ArgumentError, OperationalError

    from ledger.audit.workbench import Workbench

    with runtime() as rt:
        try:
            yield Workbench(rt, into)
        except (ArgumentError, OperationalError) as exc:
            fail(f"--into: cannot use database {into!r}: {str(exc).splitlines()[0]}")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over blocks on stderr (none with --json, so stdout stays JSON)."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("indexing blocks"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("rebuild", total=None)

        def update(block: int, head: int) -> None:
            bar.update(task, completed=block, total=head)

        yield update


def rebuild_cmd(into: IntoOpt = None, as_json: JsonOpt = False) -> None:
    """Build (or resume building) a fresh index from chain events alone into --into."""
    with workbench(into) as wb, progress_bar(not as_json) as progress:
        result = wb.rebuild(progress)
    body = {
        "database": wb.rebuilt_url,
        "resumed_from_block": result.resumed_from,
        "indexed_block": result.indexed_block,
        "events_applied": result.events_applied,
        "events_total": result.events_total,
    }
    if as_json:
        print(json.dumps(body))
        return
    table = Table("item", "value", title="audit rebuild")
    for name, value in body.items():
        shown = "fresh" if value is None else f"{value:,}" if isinstance(value, int) else value
        table.add_row(name.replace("_", " "), shown)
    console.print(table)


def reconcile_cmd(
    into: IntoOpt = None,
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option(min=1, help="differences to list (all in --json)")] = 50,
) -> None:
    """Compare the rebuilt index with the service's database, entity by entity."""
    with workbench(into) as wb, progress_bar(not as_json) as progress:
        result = wb.reconcile(progress)
    if as_json:
        print(json.dumps(result.to_json()))
    else:
        _print_reconciliation(result.to_json(), limit)
    raise typer.Exit(0 if result.equal else 1)


def _print_reconciliation(body: dict, limit: int) -> None:
    state = "[green]equal[/]" if body["equal"] else "[red]differences[/]"
    console.print(f"reconcile: {state}; {body['entities_compared']:,} entities compared")
    first = body["first_divergent_block"]
    console.print(f"first divergent block: {first if first is not None else 'none'}")
    console.print(f"state digest chain {body['chain_digest'][:16]}… db {body['db_digest'][:16]}…")
    if body["equal"]:
        return
    table = Table("kind", "entity", "key", "block", "field", "chain", "db")
    for d in body["differences"][:limit]:
        table.add_row(
            d["kind"],
            d["entity"],
            _short(d["key"]),
            "" if d["block"] is None else str(d["block"]),
            d["field"] or "",
            _short(d["chain"] or ""),
            _short(d["db"] or ""),
        )
    console.print(table)
    more = len(body["differences"]) - limit
    if more > 0:
        console.print(f"… and {more:,} more (--json lists every one)")


def _short(text: str, width: int = 14) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


ValidDaysOpt = Annotated[
    int,
    typer.Option("--valid-days", min=1, max=MAX_VALID_DAYS, help="days the anchor stays valid"),
]


def export_cmd(
    out: Annotated[Path, typer.Option("--out", help="directory to write into")] = Path(
        "audit-export"
    ),
    into: IntoOpt = None,
    anchor: Annotated[
        bool, typer.Option("--anchor", help="anchor the report on chain at once")
    ] = False,
    valid_days: ValidDaysOpt = DEFAULT_VALID_DAYS,
    as_json: JsonOpt = False,
) -> None:
    """Write CSV/JSON, journals and the HTML audit report (reconciled first).

    CSV and JSON per pool, period and attester, each pool's double-entry journal, and the
    report with its SHA-256; --anchor attests the report on chain at once."""
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} exists and is not a directory")
    with workbench(into) as wb, progress_bar(not as_json) as progress:
        reconciliation = wb.reconcile(progress)
        result = wb.export(out, reconciliation)
        anchored = _anchor(wb.runtime, out, valid_days) if anchor else None
    body = {
        "directory": str(out),
        "files": len(result.files),
        "report": str(out / "report.html"),
        "report_sha256": result.report_sha256,
        "reconciled_equal": reconciliation.equal,
        "head_block": result.summary["head_block"],
        "state_digest": result.summary["state_digest"],
        "anchor": anchored.to_json() if anchored else None,
    }
    if as_json:
        print(json.dumps(body))
        return
    console.print(f"wrote {len(result.files)} files under {out}")
    console.print(f"audit report {out / 'report.html'} sha256 {result.report_sha256}")
    if anchored:
        _print_anchored(anchored)


def _anchor(rt: Runtime, target: Path, valid_days: int) -> Anchored:
    from ledger.audit.auditor import Auditor
    from ledger.tx import ContractRevert

    try:
        return Auditor(rt).anchor(target, valid_days)
    except AnchorError as exc:
        fail(f"{exc.field}: {exc.reason}")
    except ContractRevert as exc:
        fail(f"the registry refused: {exc.error}")


def _print_anchored(a: Anchored) -> None:
    console.print(f"anchored {RECORD_NAME}: {a.files} files, commitment {a.commitment}")
    console.print(f"attester {a.attester_id}, tx {a.tx_hash} (block {a.block_number})")


def anchor_cmd(
    report: Annotated[Path, typer.Argument(help="the export directory or its report.html")],
    valid_days: ValidDaysOpt = DEFAULT_VALID_DAYS,
    as_json: JsonOpt = False,
) -> None:
    """Attest the audit report on chain as the auditor.

    Writes audit-anchor.json beside the report (every file's SHA-256 and keccak-256, the
    head block and the state digest) and attests its SHA-256 on the registry."""
    if not report.exists():
        fail(f"REPORT: {report}: no such file or directory")
    with runtime() as rt:
        anchored = _anchor(rt, report, valid_days)
    if as_json:
        print(json.dumps(anchored.to_json()))
    else:
        _print_anchored(anchored)


def verify_report_cmd(
    report: Annotated[
        Path, typer.Argument(help="the export directory, its report.html or audit-anchor.json")
    ],
    rpc: Annotated[str | None, typer.Option(help="JSON-RPC URL of a node of the chain")] = None,
    registry: Annotated[
        str | None, typer.Option(help="the registry address you trust (default: the record's)")
    ] = None,
    attester: Annotated[
        int | None, typer.Option(min=1, help="the auditor's attester id you expect")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check an anchored audit report against the chain (exit 0 valid, 1 not, 2 bad input).

    Every file's hashes, the attestation (registered auditor, not revoked, not expired,
    unaltered) and the head block. Reads only; no data directory."""
    from ledger.attest.verify import ChainUnavailable, RpcReader
    from ledger.audit.report_check import record_path, verify_report
    from ledger.cli.attest import _default_rpc

    if not report.exists():
        fail(f"REPORT: {report}: no such file or directory")
    if not record_path(report).is_file():
        fail(f"REPORT: no {RECORD_NAME} at {report} (anchor it with `credence audit anchor`)")
    try:
        result = verify_report(RpcReader(rpc or _default_rpc()), report, registry, attester)
    except ChainUnavailable as exc:
        fail(f"--rpc: {exc}")
    if as_json:
        print(json.dumps(result.to_json()))
    else:
        _print_report_check(result)
    raise typer.Exit(0 if result.valid else 1)


def _print_report_check(result) -> None:
    colour = "green" if result.valid else "red"
    table = Table("check", "result", title="audit report verification")
    table.add_row("status", f"[{colour}]{result.status}[/]")
    table.add_row("files checked", f"{result.files_checked} ({len(result.files_altered)} altered)")
    for name in ("commitment", "chain_id", "registry", "attester_id", "head_block"):
        table.add_row(name.replace("_", " "), str(getattr(result, name)))
    table.add_row("state digest", _short(result.state_digest or "", 34))
    for reason in result.reasons:
        table.add_row("reason", reason)
    console.print(table)


def register(app: typer.Typer) -> None:
    audit_app.command("rebuild")(rebuild_cmd)
    audit_app.command("reconcile")(reconcile_cmd)
    audit_app.command("export")(export_cmd)
    audit_app.command("anchor")(anchor_cmd)
    audit_app.command("verify-report")(verify_report_cmd)
    app.add_typer(audit_app, name="audit")
