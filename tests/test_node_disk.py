"""The managed Anvil leaves no history on disk: by default it writes states older than
its in-memory window to a cache folder it never removes (about 15 GB over one test suite,
which once filled the disk under CI)."""

from __future__ import annotations

from pathlib import Path

import httpx

from ledger.chain.node import LocalNode
from tests.conftest import free_port


def test_a_long_chain_writes_no_state_to_disk(tmp_path: Path):
    cache = tmp_path / "cache"
    cache.mkdir()
    with LocalNode(port=free_port(), extra_args=("--cache-path", str(cache))) as node:
        for _ in range(7):  # 700 blocks: past the window Anvil keeps in memory
            body = {"jsonrpc": "2.0", "id": 1, "method": "anvil_mine", "params": ["0x64"]}
            assert "error" not in httpx.post(node.url, json=body, timeout=30).json()
        head = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
        assert int(httpx.post(node.url, json=head, timeout=30).json()["result"], 16) == 700
    assert [p for p in cache.rglob("*") if p.is_file()] == []
