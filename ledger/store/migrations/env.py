"""Alembic environment: run on the connection ``ledger.store.migrate`` hands over."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

from ledger.store.db import register_tables


def _render_item(kind: str, item: Any, autogen: Any) -> str | bool:
    """The project's own column types, by the module every revision imports."""
    if kind == "type" and type(item).__module__ == "ledger.store.deal_tables":
        return f"deal_tables.{item!r}"
    return False  # everything else as Alembic renders it


register_tables()
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters a table by copying it; batch mode does that
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
