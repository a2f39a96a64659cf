#!/usr/bin/env python3
"""Benchmark Credence attestations against the Ethereum Attestation Service.

Gas: single attestation, batch anchor, revocation (Credence) and attest / multiAttest
per record (EAS, from the npm package's compiled artifacts). Throughput: records issued
end to end through the HTTP API (sealed, batched, anchored, indexed, proof stored) with
the API's peak RSS; 10,000 of their disclosures verified through POST /v1/verify/batch
(a JSON body, then the same as NDJSON); a fresh `credence verify` process on one of them;
EAS at its best (bench_eas.py); and, with --backfill-events, the indexer rebuilding a
chain of that many events.

    python scripts/bench_attest.py [--records 100000] [--eas-records 20000]
        [--backfill-events 0] [--profile stacks.txt] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from bench_backfill import backfill_rate
from bench_eas import eas_best
from bench_verify import cli_runs

from ledger.chain.node import LocalNode, free_port
from ledger.merkle import MerkleTree, bytes32_leaf
from ledger.runtime import Runtime
from ledger.settings import Settings

BATCH_SIZE = 10_000
VERIFY_MODE = (
    "one POST /v1/verify/batch of 10,000 score-and-grade disclosures of issued records, "
    "one client on the same machine, wall time from the first byte sent to the whole answer "
    "read; verify_per_s with the JSON body (verify_api_cpu_us: the API process's CPU per "
    "disclosure in that request), verify_ndjson_per_s one disclosure a line"
)


def rand32() -> bytes:
    return secrets.token_bytes(32)


# -- gas -----------------------------------------------------------------------------


def credence_gas(rt: Runtime, model_id: bytes) -> dict[str, int]:
    registry = rt.registry("attester")
    expires = int(time.time()) + 365 * 86_400
    single = registry.attest(rand32(), model_id, expires)["gasUsed"]
    commitments = [rand32() for _ in range(BATCH_SIZE)]
    tree = MerkleTree.build([bytes32_leaf(c) for c in commitments])
    batch = registry.anchor_batch(tree.root, BATCH_SIZE, model_id, expires)["gasUsed"]
    target = rand32()
    registry.attest(target, model_id, expires)
    revoke = registry.revoke(target, 1)["gasUsed"]
    return {
        "single_attest_gas": single,
        "batch_anchor_gas": batch,
        "batch_size": BATCH_SIZE,
        "batch_anchor_gas_per_record": batch // BATCH_SIZE,
        "revoke_gas": revoke,
    }


# -- throughput through the API -------------------------------------------------------


def start_api(
    data_dir: Path, rpc_url: str, port: int, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CREDENCE_DATA_DIR": str(data_dir),
        "CREDENCE_RPC_URL": rpc_url,
        "CREDENCE_API_KEYS": json.dumps({"bench-attester": "attester", "bench-auditor": "auditor"}),
        "CREDENCE_BATCH_MAX_SIZE": str(BATCH_SIZE),
    }
    cmd = [sys.executable, "-m", "ledger.cli", "up", "--port", str(port)]
    if profile is not None:  # sampled stacks of every thread, collapsed (flamegraph input)
        spy = Path(sys.executable).with_name("py-spy")
        cmd = [
            str(spy),
            "record",
            "--format",
            "raw",
            "--rate",
            "200",
            "-o",
            str(profile),
            "--",
            *cmd,
        ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(
                f"http://127.0.0.1:{port}/v1/health", headers={"X-API-Key": "bench-auditor"}
            ).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "api exited")
    raise RuntimeError("API did not start")


def api_throughput(url: str, model_id: str, records: int, indexed_roots: Any) -> float:
    expires = int(time.time()) + 365 * 86_400
    bodies = [
        json.dumps(
            {
                "records": [
                    {
                        "subject_id": f"subject-{n}-{i}",
                        "score": 300 + (i * 7) % 550,
                        "grade": "B",
                        "model_id": model_id,
                        "expires_at": expires,
                        "pd_bps": 250,
                    }
                    for i in range(BATCH_SIZE)
                ]
            }
        ).encode()
        for n in range(records // BATCH_SIZE)
    ]
    client = httpx.Client(
        base_url=url,
        headers={"X-API-Key": "bench-attester", "content-type": "application/json"},
        timeout=600,
    )
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda b: client.post("/v1/attestations", content=b), bodies))
    roots = set()
    for r in responses:
        r.raise_for_status()
        roots |= {rec["batch_root"] for rec in r.json()["records"]}
    while not roots <= indexed_roots():  # polled often: the run is about a second long
        time.sleep(0.01)
    return len(bodies) * BATCH_SIZE / (time.perf_counter() - start)


def disclosures(rt: Runtime, count: int) -> list[dict[str, Any]]:
    """Score-and-grade disclosures of ``count`` records the API issued (read from its DB)."""
    from sqlmodel import Session, select

    from ledger.attest.disclosure import Batch, RecordFile
    from ledger.attest.proofs import ProofReader
    from ledger.attest.records import SealedRecord
    from ledger.store.tables import IssuedRecord

    registry = rt.registry("attester").address.lower()
    chain_id = rt.w3.eth.chain_id
    query = select(
        IssuedRecord.sealed, IssuedRecord.batch_root, IssuedRecord.leaf, IssuedRecord.proof
    )
    with Session(rt.engine) as s:
        rows = s.exec(query.where(IssuedRecord.batch_root.is_not(None)).limit(count)).all()
    proofs = ProofReader(rt.engine)
    out = []
    for sealed, root, leaf, proof in rows:
        batch = Batch(bytes.fromhex(root[2:]), tuple(proofs.proof(root, leaf, proof)))
        record = RecordFile(chain_id, registry, SealedRecord.from_json(sealed), batch)
        out.append(record.disclose(["score", "grade"]).to_dict())
    return out


def verify_throughput(url: str, docs: list[dict[str, Any]], ndjson: bool = False) -> float:
    """Disclosures per second through one POST /v1/verify/batch of all ``docs`` (encoded
    before the clock starts; the clock covers upload, parse, verification and the answer),
    all valid or the run fails. The body is ``{"disclosures": [...]}`` as JSON, or with
    ``ndjson`` one disclosure a line (application/x-ndjson)."""
    client = httpx.Client(base_url=url, headers={"X-API-Key": "bench-auditor"}, timeout=600)
    if ndjson:
        body = b"\n".join(json.dumps(d).encode() for d in docs)
        content_type = "application/x-ndjson"
    else:
        body = json.dumps({"disclosures": docs}).encode()
        content_type = "application/json"
    start = time.perf_counter()
    response = client.post("/v1/verify/batch", content=body, headers={"content-type": content_type})
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    if not all(r["valid"] for r in response.json()["results"]):
        raise RuntimeError("a disclosure of an issued record did not verify")
    return len(docs) / elapsed


def api_pid(pid: int, wrapped: bool) -> int:
    """The API process: under py-spy, its child."""
    return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0]) if wrapped else pid


def cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a process and its threads so far: what a run costs,
    whatever else the machine runs (wall-clock rates move with the load, this much less)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_idle() -> tuple[int, int]:
    """All CPU time of the machine so far and its idle part (``/proc/stat`` ticks): how
    much of the cores the API, the node, the client and everything else left unused."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]  # idle and iowait


def peak_rss_mb(pid: int, wrapped: bool) -> int:
    """The API process's peak resident set (VmHWM), in MiB; under py-spy, its child's."""
    if wrapped:
        pid = int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no VmHWM in /proc status")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--records", type=int, default=100_000, help="records for the throughput runs"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--eas-records", type=int, default=20_000, help="0 skips EAS")
    parser.add_argument(
        "--backfill-events", type=int, default=0, help="index backfill on a chain of N events"
    )
    parser.add_argument(
        "--profile", type=Path, help="record the API's stacks with py-spy into this file"
    )
    args = parser.parse_args()
    records = max(BATCH_SIZE, args.records // BATCH_SIZE * BATCH_SIZE)

    with tempfile.TemporaryDirectory() as tmp, LocalNode(port=free_port(), block_time=None) as node:
        data_dir = Path(tmp)
        settings = Settings(data_dir=data_dir, rpc_url=node.url, dev_mode=True)
        with Runtime.open(settings) as rt:
            model_id = rand32()
            rt.registry("attester").register_model(
                model_id, "bench://model", (8000, 5000, 6000, 100, 1000)
            )
            result: dict[str, Any] = credence_gas(rt, model_id)
            port = free_port()
            api = start_api(data_dir, node.url, port, args.profile)
            try:
                from sqlmodel import Session, select

                from ledger.store.tables import OnchainRecord

                def indexed_roots() -> set[str]:
                    with Session(rt.engine) as s:
                        return set(
                            s.exec(
                                select(OnchainRecord.key).where(OnchainRecord.kind == "batch")
                            ).all()
                        )

                pid = api_pid(api.pid, args.profile is not None)
                cpu_before, idle_before = cpu_s(pid), machine_idle()
                result["records_per_s"] = round(
                    api_throughput(
                        f"http://127.0.0.1:{port}", "0x" + model_id.hex(), records, indexed_roots
                    )
                )
                result["api_cpu_us_per_record"] = round(
                    (cpu_s(pid) - cpu_before) * 1e6 / records, 1
                )
                total, idle = (a - b for a, b in zip(machine_idle(), idle_before, strict=True))
                result["issue_idle_pct"] = round(100 * idle / total, 1)
                result["api_peak_rss_mb"] = peak_rss_mb(api.pid, args.profile is not None)
                docs = disclosures(rt, 10_000)
                url = f"http://127.0.0.1:{port}"
                cpu_before = cpu_s(pid)
                result["verify_per_s"] = round(verify_throughput(url, docs))
                result["verify_api_cpu_us"] = round((cpu_s(pid) - cpu_before) * 1e6 / len(docs), 1)
                result["verify_ndjson_per_s"] = round(verify_throughput(url, docs, ndjson=True))
                result["verify_mode"] = VERIFY_MODE
                py_runs, _ = cli_runs(node.url, docs[0], 5)
                result["verify_cli_s"] = round(statistics.median(w for w, _ in py_runs), 3)
            finally:
                api.send_signal(signal.SIGINT if args.profile else signal.SIGTERM)
                api.wait(60)
        result["records"] = records
    if args.eas_records:  # after Credence, on fresh nodes of its own
        result |= eas_best(args.eas_records)
    if args.backfill_events:
        result |= backfill_rate(args.backfill_events)
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )

    if args.json:
        print(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("metric", "Credence", "EAS", title="Attestation benchmark")
    table.add_row(
        "single attestation gas",
        f"{result['single_attest_gas']:,}",
        f"{result['eas_single_attest_gas']:,}",
    )
    table.add_row(
        f"gas per record (batch of {BATCH_SIZE:,} / multiAttest of 100)",
        f"{result['batch_anchor_gas_per_record']:,}",
        f"{result['eas_multi_attest_gas_per_record']:,}",
    )
    table.add_row("batch anchor gas (whole batch)", f"{result['batch_anchor_gas']:,}", "-")
    table.add_row("revocation gas", f"{result['revoke_gas']:,}", "-")
    table.add_row(
        "records per second (end to end)",
        f"{result['records_per_s']:,}",
        f"{result['eas_records_per_s']:,}",
    )
    Console().print(table)
    Console().print(result["machine"])


if __name__ == "__main__":
    main()
