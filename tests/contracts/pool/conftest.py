"""A deal sandbox (rolled back after each test), the sample spec and its tape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pool_samples import SPEC

from ledger.deals.sandbox import Sandbox
from ledger.deals.spec import DealSpec, parse_spec
from ledger.deals.tape import LoanTape
from tests.contracts.pool.helpers import small_tape


@pytest.fixture(scope="module")
def module_env(w3, dev_accounts, make_sender) -> Sandbox:
    return Sandbox.deploy([make_sender(a) for a in dev_accounts])


@pytest.fixture
def env(module_env: Sandbox) -> Iterator[Sandbox]:
    snap = module_env.snapshot()
    yield module_env
    module_env.rollback(snap)


@pytest.fixture(scope="module")
def spec() -> DealSpec:
    return parse_spec(SPEC)


@pytest.fixture(scope="module")
def tape(spec: DealSpec) -> LoanTape:
    return small_tape(spec.units(spec.pool_balance))
