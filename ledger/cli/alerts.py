"""``credence alerts``: sync the index, evaluate the early-warning rules, list the alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.common import console, fail, runtime

STATES = ("open", "cleared", "all")


def alerts_cmd(
    state: Annotated[str, typer.Option(help="open, cleared or all")] = "open",
    kind: Annotated[str | None, typer.Option(help="only this kind, e.g. trigger_headroom")] = None,
    evaluate: Annotated[
        bool, typer.Option("--evaluate/--no-evaluate", help="judge the index now first")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Early-warning alerts: expiring records, suspensions, drift, pool triggers, defaults."""
    from ledger.monitor.alerts import history
    from ledger.monitor.engine import Monitor, evaluation_json

    if state not in STATES:
        fail(f"--state: must be one of {', '.join(STATES)}, got {state!r}")
    with runtime() as rt:
        monitor = Monitor.for_runtime(rt)
        evaluation = None
        if evaluate:
            rt.indexer().poll_once()
            evaluation = monitor.evaluate()
        rows = history(rt.engine, state=state, kind=kind)
    if as_json:
        body = {
            "evaluation": evaluation_json(evaluation) if evaluation else None,
            "alerts": [r.as_json() for r in rows],
        }
        print(json.dumps(body))
        return
    title = f"{state} alerts" + (
        f" (raised {len(evaluation.changes.raised)}, cleared {len(evaluation.changes.cleared)})"
        if evaluation
        else ""
    )
    table = Table("kind", "subject", "figure", "value", "limit", "raised (UTC)", "state")
    table.title = title
    for r in rows:
        subject = r.subject if len(r.subject) <= 12 else r.subject[:10] + "…"
        table.add_row(
            r.kind,
            subject,
            r.figure,
            f"{r.value:,}",
            f"{r.comparison} {r.threshold:,}",
            datetime.fromtimestamp(r.raised_at, UTC).strftime("%Y-%m-%d %H:%M"),
            "open" if r.cleared_at is None else "cleared",
        )
    console.print(table, width=min(console.width, 100))
    for r in rows[:20]:
        console.print(f"- {r.message}", overflow="fold", width=min(console.width, 100))


def register(app: typer.Typer) -> None:
    app.command("alerts")(alerts_cmd)
