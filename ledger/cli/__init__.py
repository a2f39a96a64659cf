"""The ``credence`` command line: one Typer sub-app per domain, Rich tables for people."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="credence",
    help="Credence: blockchain-anchored credit records and securitization ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register_subcommands() -> None:
    # Each domain adds its own commands; importing here keeps start-up cheap to read.
    from ledger.cli import chain as chain_cli

    chain_cli.register(app)


def main() -> None:
    _register_subcommands()
    app()


@app.callback()
def _root() -> None:
    """Credence: blockchain-anchored credit records and securitization ledger."""
