"""The CLI tests' shared runner: each module gets its own data directory on the session's
Anvil node, and ``run`` invokes the app with that environment."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ledger.chain.node import LocalNode
from ledger.cli import _register_subcommands, app

runner = CliRunner()
_register_subcommands()


@pytest.fixture(scope="module")
def env(anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("cli")
    return {"CREDENCE_DATA_DIR": str(data_dir), "CREDENCE_RPC_URL": anvil.url}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Exit code and output of the CLI with ``args``; settings are re-read from ``env``."""
    from ledger.settings import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output
