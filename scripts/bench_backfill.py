#!/usr/bin/env python3
"""Index backfill speed: rebuild the index of a chain holding many registry events.

A fresh Anvil (interval mining, a block gas limit that holds thousands of transactions)
gets ``events`` events from the registry: half single attestations, half their
revocations (``revokeMany`` of 1,000 keys a transaction). The attester's account is
impersonated on the node and every transaction goes out unsigned in JSON-RPC batches
(``eth_sendTransaction``, the node signs and pools them), so 100,000 events take seconds
to set up rather than most of an hour of signing and waiting one by one. The indexer then
reads the whole chain from an empty index over local JSON-RPC, as
``credence index --rebuild`` does; events per second is what it applied divided by the
time it took.

    python scripts/bench_backfill.py [--events 100000] [--profile FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
import time
import urllib.request
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
RPC_BATCH = 2_000  # transactions per JSON-RPC batch request


def _rpc(url: str, calls: list[tuple[str, list[Any]]]) -> list[Any]:
    """Results of a JSON-RPC batch, in order; any error raises."""
    body = json.dumps(
        [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    ).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        replies = json.loads(response.read())
    if not isinstance(replies, list):
        raise RuntimeError(f"backfill setup: {replies}")
    replies.sort(key=lambda r: r["id"])
    errors = [r["error"] for r in replies if "error" in r]
    if errors:
        raise RuntimeError(f"backfill setup: {errors[0]}")
    return [r["result"] for r in replies]


def _fill(rt: Runtime, url: str, events: int) -> None:
    registry = rt.registry("attester")
    model_id = secrets.token_bytes(32)
    registry.register_model(model_id, "bench://backfill", (8000, 5000, 6000, 100, 1000))
    sender, address = registry.sender.address, registry.address
    _rpc(url, [("anvil_impersonateAccount", [sender])])
    expires = int(time.time()) + 365 * 86_400
    tail = model_id + expires.to_bytes(32, "big")
    keys = [secrets.token_bytes(32) for _ in range(events // 2)]
    txs = [
        {"to": address, "data": "0x" + (ATTEST + k + tail).hex(), "gas": hex(120_000)} for k in keys
    ]
    for start in range(0, len(keys), REVOKE_CHUNK):
        data = REVOKE_MANY + abi_encode(
            ["bytes32[]", "uint16"], [keys[start : start + REVOKE_CHUNK], 1]
        )
        txs.append({"to": address, "data": "0x" + data.hex(), "gas": hex(15_000_000)})
    [first] = _rpc(url, [("eth_getTransactionCount", [sender, "pending"])])
    for i, tx in enumerate(txs):  # the node would hand the same nonce to a whole batch
        tx["nonce"] = hex(int(first, 16) + i)
    hashes: list[str] = []
    batch: list[tuple[str, list[Any]]] = []
    size = 0
    for tx in txs:  # batches under the node's request size limit (revocations are 64 kB)
        batch.append(("eth_sendTransaction", [{"from": sender, **tx}]))
        size += len(tx["data"])
        if len(batch) == RPC_BATCH or size > 1_000_000 or tx is txs[-1]:
            hashes += _rpc(url, batch)
            batch, size = [], 0
    revocations = hashes[len(keys) :]  # mined after every attestation (same sender, nonces)
    while True:
        receipts = _rpc(url, [("eth_getTransactionReceipt", [h]) for h in revocations])
        if all(receipts):
            break
        time.sleep(0.5)
    if any(int(r["status"], 16) != 1 for r in receipts):
        raise RuntimeError("a backfill revocation reverted")


def backfill_rate(events: int, profile: Path | None = None) -> dict[str, Any]:
    node = LocalNode(port=free_port(), block_time=1.0, extra_args=("--gas-limit", "1000000000"))
    with (
        tempfile.TemporaryDirectory() as tmp,
        node,
        Runtime.open(Settings(data_dir=Path(tmp), rpc_url=node.url)) as rt,
    ):
        started = time.perf_counter()
        _fill(rt, node.url, events)
        setup_s = time.perf_counter() - started
        indexer = rt.indexer()  # nothing indexed yet: it starts at the deployment block
        profiler = None
        if profile is not None:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start = time.perf_counter()
        applied = indexer.poll_once()
        elapsed = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
    if applied < events:
        raise RuntimeError(f"indexed {applied} events of the {events} sent")
    return {
        "backfill_events": applied,
        "backfill_events_per_s": round(applied / elapsed),
        "backfill_s": round(elapsed, 2),
        "backfill_setup_s": round(setup_s, 1),
        "backfill_chunk_blocks": indexer.chunk_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="registry events to index")
    parser.add_argument("--profile", type=Path, help="cProfile stats of the backfill to FILE")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = backfill_rate(args.events, args.profile)
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
