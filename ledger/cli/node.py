"""Node and service commands: up (node, deploy, API), deploy, check-code, index."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.common import console, fail, runtime


class _Stopped(Exception):
    """SIGTERM or SIGINT after the API shut down: unwind so the managed node stops too."""


def _raise_stopped(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def up_cmd(
    host: Annotated[str | None, typer.Option(help="API host (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="API port (default from settings)")] = None,
) -> None:
    """Start the chain node (if managed), deploy if needed, index events and serve the API.

    SIGTERM and SIGINT stop the API (draining requests), the indexer and the managed node."""
    import signal

    import uvicorn

    from api.keys import load_api_keys
    from api.main import create_app
    from ledger.logs import configure_json_logging

    # uvicorn handles the first signal (graceful shutdown) and then re-raises it; these
    # handlers turn that re-raise into an unwind through ``runtime()``, which stops the node.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _raise_stopped)
    try:
        with runtime() as rt:
            ring, created = load_api_keys(rt.settings.data_dir)
            if created:
                table = Table("role", "API key", title="API keys (shown once: store them now)")
                for key, role in sorted(created.items(), key=lambda kv: kv[1].value):
                    table.add_row(role.value, key)
                console.print(table)
            else:
                console.print(
                    f"{len(ring.roles)} API keys configured (stored hashed; shown only when "
                    "created; `credence api-key-add ROLE` issues another)"
                )
            assert rt.manifest is not None
            for name, dep in rt.manifest.contracts.items():
                console.print(f"{name}: {dep.address} (chain {rt.manifest.chain_id})")
            configure_json_logging()
            uvicorn.run(
                create_app(
                    rt,
                    ring,
                    max_body_bytes=rt.settings.api_max_body_bytes,
                    max_depth=rt.settings.api_max_json_depth,
                ),
                host=host or rt.settings.api_host,
                port=port or rt.settings.api_port,
                log_config=None,
                access_log=False,  # the API logs each request itself, as JSON
            )
    except _Stopped:
        pass
    console.print("stopped: API, indexer and node")


def api_key_add_cmd(
    role: Annotated[str, typer.Argument(help="admin, attester, verifier, auditor, ...")],
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Issue a new API key for ROLE; it is printed once and stored only as a hash."""
    import json

    from api.deps import Role
    from api.keys import key_file
    from ledger.settings import get_settings

    if role not in Role.__members__:
        fail(f"role: {role!r} is not one of {', '.join(Role.__members__)}")
    key = key_file(get_settings().data_dir).add(role)
    if json_out:
        console.print_json(json.dumps({"role": role, "api_key": key}))
    else:
        console.print(f"{role} API key (shown once): {key}")


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
    app.command("api-key-add")(api_key_add_cmd)
    app.command("deploy")(deploy_cmd)
    app.command("check-code")(check_code_cmd)
    app.command("index")(index_cmd)
