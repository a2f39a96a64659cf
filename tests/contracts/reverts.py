"""Asserting a contract's custom errors as ``ContractRevert.error`` decodes them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.tx import ContractRevert


def err(name: str, *args: object) -> str:
    """A decoded custom error as ``ContractRevert.error`` shows it."""
    shown = [a.lower() if isinstance(a, str) and a.startswith("0x") else str(a) for a in args]
    return f"{name}({', '.join(shown)})"


def reverts(call: Callable[[], object], expected: str) -> None:
    with pytest.raises(ContractRevert) as exc:
        call()
    assert exc.value.error == expected
