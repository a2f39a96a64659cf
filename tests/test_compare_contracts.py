"""scripts/compare_contracts.py: the proof that a Solidity refactor changed no code.

Its comparisons on hand-made compiler outputs (the script's own run compiles two trees,
about a minute): the metadata trailer is ignored, everything before it is not, and
storage layouts compare by shape, not by AST ids.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

import pytest

from ledger import PROJECT_ROOT


@pytest.fixture(scope="module")
def cmp() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "compare_contracts.py"
    spec = importlib.util.spec_from_file_location("compare_contracts", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CODE = "6080604052"
# CBOR {"ipfs": <34-byte multihash>, "solc": 0.8.30}, then its length in two bytes.
TRAILER_A = "a264697066735822" + "1220" + "11" * 32 + "64736f6c6343" + "00081e" + "0033"
TRAILER_B = TRAILER_A.replace("11" * 32, "22" * 32)


def output(runtime: str, slot_of_b: str = "1", type_id: str = "t_uint256") -> dict[str, Any]:
    return {
        "abi": [{"type": "function", "name": "f"}],
        "evm": {
            "bytecode": {"object": "60806040" + runtime},
            "deployedBytecode": {"object": runtime},
        },
        "storageLayout": {
            "storage": [
                {"label": "a", "slot": "0", "offset": 0, "type": type_id, "astId": 7},
                {"label": "b", "slot": slot_of_b, "offset": 0, "type": type_id, "astId": 9},
            ],
            "types": {type_id: {"label": "uint256", "encoding": "inplace", "numberOfBytes": "32"}},
        },
    }


def test_strip_metadata_removes_exactly_the_trailer(cmp: ModuleType):
    assert len(TRAILER_A) // 2 == int(TRAILER_A[-4:], 16) + 2
    assert cmp.strip_metadata(CODE + TRAILER_A) == CODE
    assert cmp.strip_metadata("") == ""


def test_only_the_metadata_may_differ(cmp: ModuleType):
    same = cmp.differences(output(CODE + TRAILER_A), output(CODE + TRAILER_B))
    assert same == []
    changed = cmp.differences(output(CODE + TRAILER_A), output("6080604053" + TRAILER_B))
    assert changed == ["runtime code", "creation code"]


def test_storage_layout_compares_shape_not_ast_ids(cmp: ModuleType):
    before = output(CODE + TRAILER_A)
    assert cmp.differences(before, output(CODE + TRAILER_A, type_id="t_uint256_x")) == []
    assert cmp.differences(before, output(CODE + TRAILER_A, slot_of_b="2")) == ["storage layout"]
