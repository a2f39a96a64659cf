"""A Credence runtime on the session Anvil (fresh deployment and SQLite per module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.chain.node import LocalNode
from ledger.runtime import Runtime
from ledger.settings import Settings


@pytest.fixture(scope="module")
def rt(anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    data_dir: Path = tmp_path_factory.mktemp("ratings")
    settings = Settings(data_dir=data_dir, rpc_url=anvil.url, batch_max_wait_s=0.05)
    with Runtime.open(settings) as runtime:
        yield runtime
