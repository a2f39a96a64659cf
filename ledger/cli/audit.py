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

from ledger.cli.common import console, err_console, fail, runtime

if TYPE_CHECKING:
    from ledger.audit.workbench import Workbench

audit_app = typer.Typer(
    help="Auditors' workbench: rebuild, reconcile, export.", no_args_is_help=True
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


def export_cmd(
    out: Annotated[Path, typer.Option("--out", help="directory to write into")] = Path(
        "audit-export"
    ),
    into: IntoOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write CSV and JSON per pool, period and attester, each pool's double-entry journal,
    and an HTML audit report with its SHA-256 (reconciled first)."""
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} exists and is not a directory")
    with workbench(into) as wb, progress_bar(not as_json) as progress:
        reconciliation = wb.reconcile(progress)
        result = wb.export(out, reconciliation)
    body = {
        "directory": str(out),
        "files": len(result.files),
        "report": str(out / "report.html"),
        "report_sha256": result.report_sha256,
        "reconciled_equal": reconciliation.equal,
    }
    if as_json:
        print(json.dumps(body))
        return
    console.print(f"wrote {len(result.files)} files under {out}")
    console.print(f"audit report {out / 'report.html'} sha256 {result.report_sha256}")


def register(app: typer.Typer) -> None:
    audit_app.command("rebuild")(rebuild_cmd)
    audit_app.command("reconcile")(reconcile_cmd)
    audit_app.command("export")(export_cmd)
    app.add_typer(audit_app, name="audit")
