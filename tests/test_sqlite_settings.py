"""SQLite connection settings: WAL, and the commit durability chosen by the operator."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ledger.store.db import create_db


@pytest.mark.parametrize(("chosen", "pragma"), [("NORMAL", 1), ("FULL", 2)])
def test_every_connection_is_wal_with_the_chosen_synchronous(tmp_path, chosen, pragma):
    engine = create_db(f"sqlite:///{tmp_path / 'db.sqlite'}", chosen)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == pragma


def test_an_unknown_synchronous_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        create_db(f"sqlite:///{tmp_path / 'db.sqlite'}", "OFF")
