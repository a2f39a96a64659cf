"""Contract reverts read as sentences, with the raw custom error kept."""

from __future__ import annotations

import re

import pytest

from api.reverts import MESSAGES, explain
from ledger import PROJECT_ROOT


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ("WrongState(0)", "the pool is structuring, which does not allow this (WrongState(0))"),
        ("CapExceeded(1, 250)", "tranche 1 has only 250 left to subscribe (CapExceeded(1, 250))"),
        ("ZeroAmount()", "the amount must not be zero (ZeroAmount())"),
        ("Unheard(7)", "Unheard(7)"),  # unknown errors pass through unchanged
        ("revert()", "revert()"),
        ("CapExceeded(1)", "CapExceeded(1)"),  # too few arguments: raw, never a crash
    ],
)
def test_explain(raw: str, sentence: str) -> None:
    assert explain(raw) == sentence


def test_every_custom_error_of_the_contracts_has_a_sentence() -> None:
    sources = (PROJECT_ROOT / "contracts").glob("*.sol")
    names = {m for path in sources for m in re.findall(r"\berror (\w+)\(", path.read_text())}
    assert "CapExceeded" in names
    assert names - set(MESSAGES) - {"WrongState"} == set()
