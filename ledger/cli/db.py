"""Database commands: show and apply schema migrations, write a new one."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ledger.cli.common import console, fail

db_app = typer.Typer(help="Database schema migrations (applied on every start).")
JsonOut = Annotated[bool, typer.Option("--json", help="print JSON")]


@db_app.command("upgrade")
def upgrade_cmd(json_out: JsonOut = False) -> None:
    """Apply every migration the configured database lacks."""
    from ledger.files import private_dir
    from ledger.settings import get_settings
    from ledger.store import create_db
    from ledger.store.migrate import current

    settings = get_settings()
    private_dir(settings.data_dir)
    revision = current(create_db(settings.db_url))
    _show({"revision": revision}, json_out, f"database at revision {revision}")


@db_app.command("current")
def current_cmd(json_out: JsonOut = False) -> None:
    """The configured database's revision and the newest one."""
    from sqlalchemy import create_engine

    from ledger.settings import get_settings
    from ledger.store.migrate import current, head

    settings = get_settings()
    if settings.database_url is None and not (settings.data_dir / "credence.db").exists():
        fail("no database yet: `credence db upgrade` (or any command) creates it")
    revision = current(create_engine(settings.db_url))
    newest = head()
    text = f"database at revision {revision}; newest {newest}"
    _show({"revision": revision, "head": newest}, json_out, text)


@db_app.command("revision")
def revision_cmd(
    message: Annotated[str, typer.Argument(help="what changed, e.g. 'add guarantee tables'")],
    json_out: JsonOut = False,
) -> None:
    """Write a migration with what the models have and the migrations lack (review it)."""
    from ledger.store.migrate import autogenerate, pending_changes

    if not pending_changes():
        fail("the models match the migrations: nothing to write")
    path = autogenerate(message)
    _show({"path": path.name}, json_out, f"wrote {path.name}: review it, then commit it")


def _show(data: dict[str, object], json_out: bool, text: str) -> None:
    if json_out:
        console.print_json(json.dumps(data))
    else:
        console.print(text)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
