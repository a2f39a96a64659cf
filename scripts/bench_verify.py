#!/usr/bin/env python3
"""Time `credence verify FILE --rpc URL` end to end, as a lender runs it: a fresh process
each time (interpreter start, imports, reading the artifact, four JSON-RPC reads), on one
Anvil with the disclosure fixtures' chain. Also the JavaScript verifier's CLI.

    python scripts/bench_verify.py [--runs 10] [--json]

Keys: verify_cli_s (median wall seconds of the Python CLI), verify_cli_max_s,
verify_cli_cpu_s (median user+sys CPU seconds of the process), verify_js_cli_s.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LocalNode(port=free_port()) as node:
        docs = build(Web3(Web3.HTTPProvider(node.url)))
        path = Path(tmp) / "disclosure.json"
        path.write_text(json.dumps(docs["valid_batched"][0]))
        # No data directory, no configuration: what a lender's machine has.
        env = {"PATH": os.environ["PATH"], "HOME": tmp}
        python = [str(CREDENCE), "verify", str(path), "--rpc", node.url, "--json"]
        js = ["node", str(JS_CLI), "verify", str(path), "--rpc", node.url, "--json"]
        timed(python, env)  # warm the OS file cache once, as on any second run
        py_runs = [timed(python, env) for _ in range(args.runs)]
        js_runs = [timed(js, env) for _ in range(args.runs)]
    result = {
        "verify_cli_s": round(statistics.median(w for w, _ in py_runs), 3),
        "verify_cli_max_s": round(max(w for w, _ in py_runs), 3),
        "verify_cli_cpu_s": round(statistics.median(c for _, c in py_runs), 3),
        "verify_js_cli_s": round(statistics.median(w for w, _ in js_runs), 3),
        "runs": args.runs,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
