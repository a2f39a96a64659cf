"""The ``credence`` command line: one Typer sub-app per domain, Rich tables for people."""

from __future__ import annotations

import os
import sys

import typer

from ledger.cli.common import JsonOpt, print_json

app = typer.Typer(
    name="credence",
    help="Credence: blockchain-anchored credit records and securitization ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register_subcommands() -> None:
    # Each domain adds its own commands; importing here keeps start-up cheap to read.
    from ledger.cli import alerts as alerts_cli
    from ledger.cli import attest as attest_cli
    from ledger.cli import audit as audit_cli
    from ledger.cli import chain as chain_cli
    from ledger.cli import cover as cover_cli
    from ledger.cli import db as db_cli
    from ledger.cli import deal as deal_cli
    from ledger.cli import investor as investor_cli
    from ledger.cli import node as node_cli
    from ledger.cli import pool as pool_cli
    from ledger.cli import rating as rating_cli
    from ledger.cli import score as score_cli

    node_cli.register(app)
    attest_cli.register(app)
    chain_cli.register(app)
    score_cli.register(app)
    deal_cli.register(app)
    cover_cli.register(app)
    pool_cli.register(app)
    investor_cli.register(app)
    audit_cli.register(app)
    db_cli.register(app)
    rating_cli.register(app)
    alerts_cli.register(app)
    app.command("demo")(demo_cmd)


def demo_cmd(as_json: JsonOpt = False) -> None:
    """Run the main job end to end on a fresh managed Anvil and SQLite (nothing to configure)."""
    from ledger import demo

    if as_json:  # the narrative goes to stderr; stdout holds one JSON document
        demo.console.file = sys.stderr
    data_dir = demo.run()
    if as_json:
        print_json({"complete": True, "data_dir": str(data_dir)})


def main() -> None:
    os.umask(0o077)  # what Credence writes (database, keys, node state) is private
    if sys.argv[1:2] == ["verify"]:
        # A lender's one-shot check must start fast: the other domains import web3,
        # pandas and the scoring stack, which `verify` never uses.
        from ledger.cli import attest as attest_cli

        attest_cli.register(app)
    else:
        _register_subcommands()
    app()


@app.callback()
def _root() -> None:
    """Credence: blockchain-anchored credit records and securitization ledger."""
