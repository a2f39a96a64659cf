"""Fixtures of the deal tests."""

from __future__ import annotations

import pytest

from ledger.deals.pool import Sandbox


@pytest.fixture(scope="module")
def sandbox(w3, dev_accounts, make_sender) -> Sandbox:
    """A deal environment on the test node, deployed once per module."""
    return Sandbox.deploy([make_sender(a) for a in dev_accounts])
