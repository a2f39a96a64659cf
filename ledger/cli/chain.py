"""Chain commands: compile contracts, check deployed code against sources."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from ledger.cli.common import JsonOpt, print_json

console = Console()


def compile_cmd(as_json: JsonOpt = False) -> None:
    """Compile contracts/ through py-solc-x (solc-js adapter) and list the artifacts."""
    from ledger.chain.compiler import compile_contracts

    artifacts = sorted(compile_contracts().items())
    if as_json:
        sizes = {
            n: {"source": a.source, "bytecode_bytes": (len(a.bytecode) - 2) // 2}
            for n, a in artifacts
        }
        print_json({"contracts": sizes})
        return
    table = Table("contract", "source", "bytecode bytes")
    for name, art in artifacts:
        table.add_row(name, art.source, f"{(len(art.bytecode) - 2) // 2:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("compile")(compile_cmd)
