"""One runtime with a populated world per module, on the session's Anvil."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from audit_world import KEYS, World, populate
from fastapi.testclient import TestClient

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.runtime import Runtime
from ledger.settings import Settings


@pytest.fixture(scope="module")
def runtime(anvil: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("audit"), rpc_url=anvil.url, batch_max_wait_s=0.05
    )
    with Runtime.open(settings) as rt:
        yield rt


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, KEYS)) as c:
        yield c


@pytest.fixture(scope="module")
def world(client: TestClient) -> World:
    return populate(client)
