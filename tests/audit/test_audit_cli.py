"""``credence audit`` and ``credence status`` from the command line on a real node: exit 0
when equal, 1 with differences (each listed), 2 for bad input; status counts records on
chain on a database rebuilt from the chain alone."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from audit_world import World
from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.runtime import Runtime

runner = CliRunner()
_register_subcommands()


@pytest.fixture(scope="module")
def env(runtime: Runtime, world: World) -> dict[str, str]:
    return {
        "CREDENCE_DATA_DIR": str(runtime.settings.data_dir),
        "CREDENCE_RPC_URL": str(runtime.settings.rpc_url),
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    from ledger.settings import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def _row(table: str, name: str) -> str:
    found = re.search(rf"{name}\s*│\s*([\d,]+)", table)
    assert found, table
    return found.group(1)


def test_rebuild_then_status_counts_records_on_chain(env, world: World, tmp_path):
    url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    code, out = run(env, "audit", "rebuild", "--into", url, "--json")
    assert code == 0, out
    body = json.loads(out)
    assert body["resumed_from_block"] is None and body["events_total"] > 0
    code, out = run(env, "audit", "rebuild", "--into", url, "--json")  # resumes: nothing new
    assert code == 0 and json.loads(out)["resumed_from_block"] == body["indexed_block"]
    code, out = run({**env, "CREDENCE_DATABASE_URL": url}, "status")
    assert code == 0, out
    on_chain = len(world.batch) + len(world.singles)
    assert _row(out, "records on chain") == str(on_chain)
    assert _row(out, "records issued here") == "0"  # issued by another database


def test_reconcile_exit_codes_and_export(env, runtime: Runtime, world: World, tmp_path):
    code, out = run(env, "audit", "reconcile", "--json")
    assert code == 0, out
    assert json.loads(out)["equal"] is True
    code, out = run(env, "audit", "export", "--out", str(tmp_path / "x"), "--json")
    assert code == 0, out
    assert (tmp_path / "x" / "report.html").exists() and json.loads(out)["reconciled_equal"]

    db = runtime.settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE model SET auc_bps = 1 WHERE model_id = ?", (world.model_id,))
    code, out = run(env, "audit", "reconcile")
    assert code == 1, out
    assert "value_differs" in out and "auc_bps" in out and "first divergent block" in out


def test_bad_database_url_exits_2(env):
    code, out = run(env, "audit", "rebuild", "--into", "nonsense://")
    assert code == 2, out
    assert "--into" in out
