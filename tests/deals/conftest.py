"""Fixtures of the deal tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deals.rating_chain import RatingDesk
from ledger.deals.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox(w3, dev_accounts, make_sender) -> Sandbox:
    """A deal environment on the test node, deployed once per module."""
    return Sandbox.deploy([make_sender(a) for a in dev_accounts])


@pytest.fixture(scope="module")
def module_desk(sandbox: Sandbox) -> RatingDesk:
    """A rating agency, its registry and a RatingFeed, deployed once per module."""
    return RatingDesk.deploy(sandbox.structurer, sandbox.senders[2])


@pytest.fixture
def desk(module_desk: RatingDesk) -> Iterator[RatingDesk]:
    yield module_desk
    module_desk.current.clear()  # each test rolls the chain back
