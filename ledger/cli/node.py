"""Node and service commands: up (node, deploy, API), deploy, check-code, index."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.common import console, fail, runtime


def up_cmd(
    host: Annotated[str | None, typer.Option(help="API host (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="API port (default from settings)")] = None,
) -> None:
    """Start the chain node (if managed), deploy if needed, index events and serve the API."""
    import uvicorn

    from api.keys import load_api_keys
    from api.main import create_app

    with runtime() as rt:
        keys = load_api_keys(rt.settings.data_dir)
        table = Table("role", "API key", title="Credence is up")
        for key, role in sorted(keys.items(), key=lambda kv: kv[1].value):
            table.add_row(role.value, key)
        console.print(table)
        assert rt.manifest is not None
        for name, dep in rt.manifest.contracts.items():
            console.print(f"{name}: {dep.address} (chain {rt.manifest.chain_id})")
        app = create_app(rt, keys)
        uvicorn.run(
            app,
            host=host or rt.settings.api_host,
            port=port or rt.settings.api_port,
            log_level="warning",
        )


def deploy_cmd() -> None:
    """Deploy the contracts if the configured chain has none yet, and print the manifest."""
    with runtime() as rt:
        assert rt.manifest is not None
        table = Table(
            "contract", "address", "block", "code hash", title=f"chain {rt.manifest.chain_id}"
        )
        for name, dep in rt.manifest.contracts.items():
            table.add_row(name, dep.address, str(dep.block), dep.code_hash[:18] + "…")
        console.print(table)


def check_code_cmd() -> None:
    """Check that the code at each deployed address is what the sources compile to."""
    from ledger.chain.deploy import verify_deployment

    with runtime() as rt:
        if rt.manifest is None:
            fail("no deployment manifest on this chain")
        checks = verify_deployment(rt.w3, rt.manifest)
    table = Table("contract", "address", "result")
    for check in checks:
        colour = "green" if check.matches else "red"
        table.add_row(check.name, check.address, f"[{colour}]{check.reason}[/]")
    console.print(table)
    if not all(c.matches for c in checks):
        raise typer.Exit(1)


def index_cmd(
    follow: Annotated[bool, typer.Option(help="keep following new blocks")] = False,
    rebuild: Annotated[
        bool, typer.Option(help="drop projections and replay the event log")
    ] = False,
) -> None:
    """Index chain events into the database (once, or following the chain)."""
    import threading

    with runtime() as rt:
        indexer = rt.indexer()
        if rebuild:
            console.print(f"replayed {indexer.rebuild():,} events")
        applied = indexer.poll_once()
        console.print(f"indexed {applied:,} new events up to block {indexer.checkpoint()[0]}")
        if follow:
            stop = threading.Event()
            try:
                indexer.run(stop)
            except KeyboardInterrupt:
                stop.set()


def register(app: typer.Typer) -> None:
    app.command("up")(up_cmd)
    app.command("deploy")(deploy_cmd)
    app.command("check-code")(check_code_cmd)
    app.command("index")(index_cmd)
