#!/usr/bin/env python3
"""Benchmark Credence attestations against the Ethereum Attestation Service on one Anvil.

Gas: single attestation, batch anchor, revocation (Credence) and attest / multiAttest
per record (EAS, from the npm package's compiled artifacts). Throughput: records issued
end to end through the HTTP API (sealed, batched, anchored, indexed, proof stored),
against EAS multiAttest in batches of 50 sent through the same Sender.

    python scripts/bench_attest.py [--records 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from eth_abi import encode as abi_encode
from eth_utils import keccak

from ledger import PROJECT_ROOT
from ledger.chain.node import LocalNode, free_port
from ledger.merkle import MerkleTree, bytes32_leaf
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.tx import Sender

EAS_ARTIFACTS = (
    PROJECT_ROOT / "node_modules/@ethereum-attestation-service/eas-contracts/artifacts/contracts"
)
ZERO = "0x" + "00" * 20
BATCH_SIZE = 10_000
EAS_BATCH = 50


def eas_artifact(name: str) -> dict[str, Any]:
    return json.loads((EAS_ARTIFACTS / f"{name}.sol" / f"{name}.json").read_text())


def deploy_raw(sender: Sender, artifact: dict[str, Any], *args: Any) -> Any:
    w3 = sender.w3
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = sender.send(factory.constructor(*args))
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


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


def deploy_eas(sender: Sender) -> tuple[Any, bytes]:
    schemas = deploy_raw(sender, eas_artifact("SchemaRegistry"))
    eas = deploy_raw(sender, eas_artifact("EAS"), schemas.address)
    receipt = sender.send(schemas.functions.register("bytes32 commitment", ZERO, True))
    uid = schemas.events.Registered().process_receipt(receipt)[0]["args"]["uid"]
    return eas, uid


def eas_request(recipient: str, expires: int) -> tuple[Any, ...]:
    return (recipient, expires, True, b"\x00" * 32, rand32(), 0)


def eas_gas(sender: Sender, eas: Any, schema: bytes) -> dict[str, int]:
    expires = int(time.time()) + 365 * 86_400
    me = sender.address
    single = sender.send(eas.functions.attest((schema, eas_request(me, expires))))["gasUsed"]
    data = [eas_request(me, expires) for _ in range(100)]
    multi = sender.send(eas.functions.multiAttest([(schema, data)]))["gasUsed"]
    return {"eas_single_attest_gas": single, "eas_multi_attest_gas_per_record": multi // 100}


MULTI_ATTEST = "multiAttest((bytes32,(address,uint64,bool,bytes32,bytes,uint256)[])[])"


def eas_throughput(sender: Sender, eas: Any, schema: bytes, records: int) -> float:
    """multiAttest in batches of 50; calldata encoded with eth_abi directly (web3's
    contract wrapper takes longer to encode 50 nested requests than Anvil takes to run them)."""
    selector = keccak(text=MULTI_ATTEST)[:4]
    types = [MULTI_ATTEST[len("multiAttest(") : -1]]
    expires = int(time.time()) + 365 * 86_400
    me = sender.address
    start = time.perf_counter()
    hashes = []
    for _ in range(records // EAS_BATCH):
        data = [eas_request(me, expires) for _ in range(EAS_BATCH)]
        calldata = selector + abi_encode(types, [[(schema, data)]])
        hashes.append(sender.send(to=eas.address, data=calldata, wait=False, gas=13_000_000))
    for h in hashes:
        sender.wait(h)
    return (records // EAS_BATCH) * EAS_BATCH / (time.perf_counter() - start)


# -- throughput through the API -------------------------------------------------------


def start_api(data_dir: Path, rpc_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CREDENCE_DATA_DIR": str(data_dir),
        "CREDENCE_RPC_URL": rpc_url,
        "CREDENCE_API_KEYS": json.dumps({"bench-attester": "attester", "bench-auditor": "auditor"}),
        "CREDENCE_BATCH_MAX_SIZE": str(BATCH_SIZE),
    }
    cmd = [sys.executable, "-m", "ledger.cli", "up", "--port", str(port)]
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
    while not roots <= indexed_roots():
        time.sleep(0.05)
    return len(bodies) * BATCH_SIZE / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--records", type=int, default=100_000, help="records for the throughput runs"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
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
            rt.fund_dev_keys(("relayer",))
            eas, schema = deploy_eas(rt.sender("relayer"))
            result |= eas_gas(rt.sender("relayer"), eas, schema)
            result["eas_records_per_s"] = round(
                eas_throughput(rt.sender("relayer"), eas, schema, min(records, 20_000))
            )

            port = free_port()
            api = start_api(data_dir, node.url, port)
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

                result["records_per_s"] = round(
                    api_throughput(
                        f"http://127.0.0.1:{port}", "0x" + model_id.hex(), records, indexed_roots
                    )
                )
            finally:
                api.terminate()
                api.wait(30)
        result["records"] = records
        result["eas_version"] = json.loads(
            (EAS_ARTIFACTS.parent.parent / "package.json").read_text()
        )["version"]
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
