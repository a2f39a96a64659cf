"""This package's tests share one runtime per module (``module_runtime``), named ``rt``."""

from __future__ import annotations

import pytest

from ledger.runtime import Runtime


@pytest.fixture(scope="module")
def rt(module_runtime: Runtime) -> Runtime:
    return module_runtime
