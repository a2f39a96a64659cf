"""Node and service commands: up (node, deploy, API), deploy, check-code, index, status."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ledger.cli.common import JsonOpt, console, fail, print_json, runtime


class _Stopped(Exception):
    """SIGTERM or SIGINT after the API shut down: unwind so the managed node stops too."""


def _raise_stopped(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def up_cmd(
    host: Annotated[str | None, typer.Option(help="API host (default from settings)")] = None,
    port: Annotated[
        int | None, typer.Option(help="API port (default from settings)", min=1, max=65_535)
    ] = None,
    as_json: JsonOpt = False,
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
            host, port = host or rt.settings.api_host, port or rt.settings.api_port
            _check_listen(host, port)  # before keys are made and printed
            ring, created = load_api_keys(rt.settings.data_dir)
            assert rt.manifest is not None
            if as_json:  # what a script needs before the API answers: keys and addresses
                keys = {role.value: key for key, role in created.items()}
                contracts = {name: dep.address for name, dep in rt.manifest.contracts.items()}
                print_json(
                    {"chain_id": rt.manifest.chain_id, "contracts": contracts, "new_api_keys": keys}
                )
            elif created:
                table = Table("role", "API key", title="API keys (shown once: store them now)")
                for key, role in sorted(created.items(), key=lambda kv: kv[1].value):
                    table.add_row(role.value, key)
                console.print(table)
            else:
                console.print(
                    f"{len(ring.roles)} API keys configured (stored hashed; shown only when "
                    "created; `credence api-key-add ROLE` issues another)"
                )
            for name, dep in rt.manifest.contracts.items() if not as_json else ():
                console.print(f"{name}: {dep.address} (chain {rt.manifest.chain_id})")
            configure_json_logging()
            uvicorn.run(
                create_app(
                    rt,
                    ring,
                    max_body_bytes=rt.settings.api_max_body_bytes,
                    max_depth=rt.settings.api_max_json_depth,
                ),
                host=host,
                port=port,
                log_config=None,
                access_log=False,  # the API logs each request itself, as JSON
            )
    except _Stopped:
        pass
    if not as_json:
        console.print("stopped: API, indexer and node")


def _check_listen(host: str, port: int) -> None:
    """Fail (exit 2) unless the API could listen on ``host:port``: uvicorn would log the
    error and exit 1 or 3 after the node started, or overflow on a port past 65535."""
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        fail(f"--host/--port (CREDENCE_API_HOST/PORT): cannot listen on {host}:{port} ({reason})")


def api_key_add_cmd(
    role: Annotated[str, typer.Argument(help="admin, attester, verifier, auditor, ...")],
    json_out: JsonOpt = False,
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


def deploy_cmd(as_json: JsonOpt = False) -> None:
    """Deploy the contracts if the configured chain has none yet, and print the manifest."""
    with runtime() as rt:
        assert rt.manifest is not None
        if as_json:
            contracts = {
                name: {"address": dep.address, "block": dep.block, "code_hash": dep.code_hash}
                for name, dep in rt.manifest.contracts.items()
            }
            print_json({"chain_id": rt.manifest.chain_id, "contracts": contracts})
            return
        table = Table(
            "contract", "address", "block", "code hash", title=f"chain {rt.manifest.chain_id}"
        )
        for name, dep in rt.manifest.contracts.items():
            table.add_row(name, dep.address, str(dep.block), dep.code_hash[:18] + "…")
        console.print(table)


def check_code_cmd(as_json: JsonOpt = False) -> None:
    """Check that the code at each deployed address is what the sources compile to."""
    from ledger.chain.deploy import verify_deployment

    with runtime() as rt:
        if rt.manifest is None:
            fail("no deployment manifest on this chain")
        checks = verify_deployment(rt.w3, rt.manifest)
    matches = all(c.matches for c in checks)
    if as_json:
        rows = [
            {"contract": c.name, "address": c.address, "matches": c.matches, "reason": c.reason}
            for c in checks
        ]
        print_json({"matches": matches, "contracts": rows})
        raise typer.Exit(0 if matches else 1)
    table = Table("contract", "address", "result")
    for check in checks:
        colour = "green" if check.matches else "red"
        table.add_row(check.name, check.address, f"[{colour}]{check.reason}[/]")
    console.print(table)
    if not matches:
        raise typer.Exit(1)


def index_cmd(
    follow: Annotated[bool, typer.Option(help="keep following new blocks")] = False,
    rebuild: Annotated[
        bool, typer.Option(help="drop projections and replay the event log")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Index chain events into the database (once, or following the chain)."""
    import threading

    with runtime() as rt:
        indexer = rt.indexer()
        replayed = indexer.rebuild() if rebuild else None
        applied = indexer.poll_once()
        block = indexer.checkpoint()[0]
        if as_json:  # before following: one document, then the indexer runs quietly
            print_json({"replayed": replayed, "indexed": applied, "block": block})
        else:
            if replayed is not None:
                console.print(f"replayed {replayed:,} events")
            console.print(f"indexed {applied:,} new events up to block {block}")
        if follow:
            stop = threading.Event()
            try:
                indexer.run(stop)
            except KeyboardInterrupt:
                stop.set()


def _records_on_chain(session: Any) -> int:
    """Single attestations plus the leaves under every batch root."""
    from sqlmodel import case, func, select

    from ledger.store.tables import OnchainRecord

    leaves = case((OnchainRecord.kind == "batch", OnchainRecord.count), else_=1)
    return int(session.exec(select(func.coalesce(func.sum(leaves), 0))).one())


def status_cmd(as_json: JsonOpt = False) -> None:
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
                # From chain events: a rebuilt index (no service tables) counts them too.
                "records on chain": _records_on_chain(s),
                "records issued here": s.exec(select(func.count()).select_from(IssuedRecord)).one(),
                "batches": s.exec(select(func.count()).select_from(Batch)).one(),
            }
        if as_json:
            contracts = rt.manifest.contracts.items() if rt.manifest else []
            print_json(
                {
                    "chain_id": rt.w3.eth.chain_id,
                    "head_block": rt.w3.eth.block_number,
                    "indexed_block": indexer.checkpoint()[0],
                    "contracts": {name: dep.address for name, dep in contracts},
                    **{name.replace(" ", "_"): value for name, value in counts.items()},
                }
            )
            return
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
    app.command("up")(up_cmd)
    app.command("api-key-add")(api_key_add_cmd)
    app.command("deploy")(deploy_cmd)
    app.command("check-code")(check_code_cmd)
    app.command("index")(index_cmd)
    app.command("status")(status_cmd)
