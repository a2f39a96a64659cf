"""This package's tests share one runtime per module (``module_runtime``), named ``rt``."""

from __future__ import annotations

import pytest

from ledger.runtime import Runtime


@pytest.fixture(scope="module")
def rt(module_runtime: Runtime) -> Runtime:
    return module_runtime


@pytest.fixture
def suspend(rt: Runtime):
    """Suspend the service's scoring attester on chain and index it; returns its id."""

    def run(reason: int) -> int:
        from sqlmodel import Session, select

        from ledger.store.tables import Attester

        rt.indexer().poll_once()
        with Session(rt.engine) as session:
            attester = session.exec(select(Attester)).first()
        assert attester is not None
        rt.registry("admin").suspend_attester(attester.attester_id, reason)
        rt.indexer().poll_once()
        return attester.attester_id

    return run
