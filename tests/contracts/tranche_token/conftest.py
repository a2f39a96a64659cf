"""A TrancheToken deal for the tests in this folder, rolled back after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contracts.tranche_token.helpers import Deal, rolled_back, setup_deal


@pytest.fixture(scope="module")
def module_deal(w3, dev_accounts, make_sender) -> Deal:
    return setup_deal(w3, dev_accounts, make_sender)


@pytest.fixture
def deal(module_deal: Deal) -> Iterator[Deal]:
    with rolled_back(module_deal.w3, list(module_deal.senders.values())):
        yield module_deal
