#!/usr/bin/env python3
"""Time `credence verify FILE --rpc URL` end to end, as a lender runs it: a fresh process
each time (interpreter start, imports, reading the artifact, four JSON-RPC reads), on one
Anvil with the disclosure fixtures' chain. Also the JavaScript verifier's CLI.

    python scripts/bench_verify.py [--runs 10] [--batch 10000] [--json]

Keys: verify_cli_s (median wall seconds of the Python CLI), verify_cli_max_s,
verify_cli_cpu_s (median user+sys CPU seconds of the process), verify_js_cli_s; with
--batch N, verify_many_per_s: N score-and-grade disclosures of one anchored batch of N
records verified in this process by ``verify_many`` (the batch endpoint's work without
HTTP, the guard's scan and the body parse), best of 3, and verify_many_cpu_us (CPU
microseconds per disclosure in that run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from web3 import Web3

from ledger import PROJECT_ROOT
from ledger.chain.node import LocalNode, free_port

sys.path.insert(0, str(PROJECT_ROOT))
from tests.attest.disclosure_fixtures import build

CREDENCE = Path(sys.executable).with_name("credence")
JS_CLI = PROJECT_ROOT / "verifier-js" / "cli.mjs"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the child's user+sys CPU seconds of one run (which must say valid)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0 or json.loads(out.stdout)["status"] != "valid":
        raise SystemExit(f"verify failed: {out.stdout}{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cli_runs(
    rpc_url: str, disclosure: dict, runs: int, js: bool = False
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(wall, cpu) of ``runs`` fresh verify processes on one file: Python CLI, then JS."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "disclosure.json"
        path.write_text(json.dumps(disclosure))
        # No data directory, no configuration: what a lender's machine has.
        env = {"PATH": os.environ["PATH"], "HOME": tmp}
        python = [str(CREDENCE), "verify", str(path), "--rpc", rpc_url, "--json"]
        timed(python, env)  # warm the OS file cache once, as on any second run
        py_runs = [timed(python, env) for _ in range(runs)]
        node_cli = ["node", str(JS_CLI), "verify", str(path), "--rpc", rpc_url, "--json"]
        js_runs = [timed(node_cli, env) for _ in range(runs)] if js else []
    return py_runs, js_runs


def batch_rate(rpc_url: str, count: int) -> dict[str, float]:
    """``verify_many`` over ``count`` disclosures of one freshly anchored batch."""
    import secrets

    import orjson

    from ledger.attest.disclosure import Batch, RecordFile
    from ledger.attest.records import ScoreRecord, seal_many
    from ledger.attest.verify import Web3Reader
    from ledger.attest.verify_many import CachedReader, verify_many
    from ledger.merkle import MerkleTree, bytes32_leaf
    from ledger.runtime import Runtime
    from ledger.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), rpc_url=rpc_url, dev_mode=True)
        with Runtime.open(settings) as rt:
            registry = rt.registry("attester")
            model = secrets.token_bytes(32)
            registry.register_model(model, "bench://verify", (8000, 5000, 6000, 100, 1000))
            now = int(rt.w3.eth.get_block("latest")["timestamp"])  # the fixtures move time on
            expires = now + 365 * 86_400
            attester = registry.attester_of(registry.sender.address)
            sealed = seal_many(
                ScoreRecord(
                    subject="0x" + secrets.token_hex(32),
                    score=300 + i % 550,
                    grade="B",
                    model_id=model,
                    issued_at=now,
                    expires_at=expires,
                    attester=attester,
                    pd_bps=250,
                )
                for i in range(count)
            )
            tree = MerkleTree.build([bytes32_leaf(s.commitment) for s in sealed])
            registry.anchor_batch(tree.root, count, model, expires)
            chain_id, address = rt.w3.eth.chain_id, registry.address.lower()
            body = orjson.dumps(
                [
                    RecordFile(chain_id, address, s, Batch(tree.root, tuple(p)))
                    .disclose(["score", "grade"])
                    .to_dict()
                    for s, p in zip(sealed, tree.proofs(), strict=True)
                ]
            )
            best, cpu = 0.0, 0.0
            for _ in range(3):
                docs = orjson.loads(body)
                wall, started = time.perf_counter(), time.process_time()
                reader = CachedReader(Web3Reader(rt.w3), rt.w3.provider)
                results = verify_many(reader, docs)
                rate = count / (time.perf_counter() - wall)
                if not all(r.valid for r in results):
                    raise SystemExit("a disclosure of the anchored batch did not verify")
                if rate > best:
                    best, cpu = rate, (time.process_time() - started) / count * 1e6
    return {"verify_many_per_s": round(best), "verify_many_cpu_us": round(cpu, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=0, help="verify_many over N disclosures")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with LocalNode(port=free_port()) as node:
        docs = build(Web3(Web3.HTTPProvider(node.url)))
        py_runs, js_runs = cli_runs(node.url, docs["valid_batched"][0], args.runs, js=True)
        batch = batch_rate(node.url, args.batch) if args.batch else {}
    result = {
        "verify_cli_s": round(statistics.median(w for w, _ in py_runs), 3),
        "verify_cli_max_s": round(max(w for w, _ in py_runs), 3),
        "verify_cli_cpu_s": round(statistics.median(c for _, c in py_runs), 3),
        "verify_js_cli_s": round(statistics.median(w for w, _ in js_runs), 3),
        "runs": args.runs,
        **batch,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
