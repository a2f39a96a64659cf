"""Chain commands: compile contracts, check deployed code against sources."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def compile_cmd() -> None:
    """Compile contracts/ through py-solc-x (solc-js adapter) and list the artifacts."""
    from ledger.chain.compiler import compile_contracts

    table = Table("contract", "source", "bytecode bytes")
    for name, art in sorted(compile_contracts().items()):
        table.add_row(name, art.source, f"{(len(art.bytecode) - 2) // 2:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("compile")(compile_cmd)
