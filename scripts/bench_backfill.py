"""Index backfill speed: rebuild the index of a chain holding many registry events.

A fresh Anvil (interval mining, a block gas limit that holds thousands of transactions)
gets ``events`` events from the registry: half single attestations (one transaction
each, sent pipelined with hand-encoded calldata), half their revocations (``revokeMany``
of 1,000 keys a transaction). The indexer then reads the whole chain from an empty index
over local JSON-RPC, as ``credence index --rebuild`` does; events per second is what it
applied divided by the time it took.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak

from ledger.chain.node import LocalNode, free_port
from ledger.runtime import Runtime
from ledger.settings import Settings

ATTEST = keccak(text="attest(bytes32,bytes32,uint40)")[:4]
REVOKE_MANY = keccak(text="revokeMany(bytes32[],uint16)")[:4]
REVOKE_CHUNK = 1_000


def _fill(rt: Runtime, events: int) -> None:
    registry = rt.registry("attester")
    model_id = secrets.token_bytes(32)
    registry.register_model(model_id, "bench://backfill", (8000, 5000, 6000, 100, 1000))
    sender, address = registry.sender, registry.address
    expires = int(time.time()) + 365 * 86_400
    tail = model_id + expires.to_bytes(32, "big")
    keys = [secrets.token_bytes(32) for _ in range(events // 2)]
    hashes = [
        sender.send(to=address, data=ATTEST + k + tail, gas=120_000, wait=False) for k in keys
    ]
    for start in range(0, len(keys), REVOKE_CHUNK):
        data = REVOKE_MANY + abi_encode(
            ["bytes32[]", "uint16"], [keys[start : start + REVOKE_CHUNK], 1]
        )
        hashes.append(sender.send(to=address, data=data, gas=15_000_000, wait=False))
    for h in hashes:
        if sender.wait(h)["status"] != 1:
            raise RuntimeError("a backfill setup transaction reverted")


def backfill_rate(events: int) -> dict[str, Any]:
    node = LocalNode(port=free_port(), block_time=1.0, extra_args=("--gas-limit", "1000000000"))
    with (
        tempfile.TemporaryDirectory() as tmp,
        node,
        Runtime.open(Settings(data_dir=Path(tmp), rpc_url=node.url)) as rt,
    ):
        _fill(rt, events)
        indexer = rt.indexer()  # nothing indexed yet: it starts at the deployment block
        start = time.perf_counter()
        applied = indexer.poll_once()
        elapsed = time.perf_counter() - start
    return {
        "backfill_events": applied,
        "backfill_events_per_s": round(applied / elapsed),
        "backfill_chunk_blocks": indexer.chunk_size,
    }
