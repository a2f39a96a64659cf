"""One fault-injection run: load through the API while the node, the API, and both are
killed by SIGKILL and restarted; then chain against database against the answers."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, col, select

from ledger.faults.check import Verdict, check
from ledger.faults.cluster import ATTESTER_KEY, Cluster
from ledger.faults.load import Load
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.db import create_db
from ledger.store.tables import Batch

log = logging.getLogger(__name__)
FAULTS = ("node", "api", "both")

# Settings of the API under test: short waits and leases so that a run takes minutes.
FAULT_SETTINGS = {
    "CREDENCE_BATCH_MAX_WAIT_S": "0.2",
    "CREDENCE_ANCHOR_WAIT_S": "20",
    "CREDENCE_RECONCILE_INTERVAL_S": "1",
    "CREDENCE_IDEMPOTENCY_LEASE_S": "10",
}


@dataclass
class Report:
    records: int
    faults: list[str]
    seconds: float
    verdict: Verdict
    replay_mismatches: int
    read_mismatches: int
    outcomes: dict[str, int] = field(default_factory=dict)
    transitions: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "faults": self.faults,
            "seconds": round(self.seconds, 1),
            **self.verdict.to_dict(),
            "replay_mismatches": self.replay_mismatches,
            "read_status_not_valid": self.read_mismatches,
            "attempts_by_outcome": dict(sorted(self.outcomes.items())),
            "service_log": self.transitions,
        }


def register_model(url: str) -> str:
    model = "0x" + secrets.token_bytes(32).hex()
    metrics = {"auc_bps": 8000, "ks_bps": 5000, "gini_bps": 6000, "psi_bps": 100}
    body = {
        "model_id": model,
        "metadata_uri": "ipfs://fault-model",
        "metrics": {**metrics, "sample_size": 1000},
    }
    reply = httpx.post(
        f"{url}/v1/models", json=body, headers={"X-API-Key": ATTESTER_KEY}, timeout=60
    )
    reply.raise_for_status()
    return model


def inject(cluster: Cluster, fault: str, down_s: float) -> None:
    log.warning("fault: killing %s", fault)
    if fault in ("api", "both"):
        cluster.kill_api()
    if fault in ("node", "both"):
        cluster.kill_node()
        time.sleep(down_s)
        cluster.start_node()
    if fault in ("api", "both"):
        cluster.start_api()


def run(
    data_dir: Path,
    *,
    requests: int,
    per_request: int,
    clients: int = 4,
    faults: tuple[str, ...] = FAULTS,
    down_s: float = 3.0,
    settle_s: float = 180.0,
    progress: Callable[[str], None] = lambda _: None,
) -> Report:
    """Issue ``requests`` x ``per_request`` records; inject ``faults`` spread over the run."""
    cluster = Cluster(data_dir, settings=FAULT_SETTINGS)
    start = time.monotonic()
    try:
        cluster.start_node()
        cluster.start_api()
        model = register_model(cluster.url)
        cluster.stop_node()  # the deployment and the model are in the node's saved state
        cluster.start_node()
        load = Load(cluster.url, model, requests, per_request, clients, run_id=data_dir.name)
        worker = threading.Thread(target=load.run, name="load")
        worker.start()
        for i, fault in enumerate(faults):
            due = requests * (i + 1) // (len(faults) + 1)
            while load.done < due and worker.is_alive():
                time.sleep(0.1)
            progress(f"{load.done}/{requests} requests answered: killing {fault}")
            inject(cluster, fault, down_s)
        worker.join()
        progress(f"{load.done}/{requests} requests answered; checking chain against database")
        verdict = _settled_verdict(cluster, load, per_request, settle_s)
        mismatches = load.replay_mismatches()
        return Report(
            records=requests * per_request,
            faults=list(faults),
            seconds=time.monotonic() - start,
            verdict=verdict,
            replay_mismatches=mismatches,
            read_mismatches=load.read_mismatches(),
            outcomes=dict(load.outcomes),
            transitions=transitions(data_dir),
        )
    finally:
        cluster.close()


def transitions(data_dir: Path) -> dict[str, int]:
    """How often the service logged each recovery step (proof the faults bit), and how many
    records were in the anchored batches a node crash took back."""
    api_log = data_dir / "api.log"
    text = api_log.read_text(errors="replace") if api_log.exists() else ""
    marks = {
        "reopened_lost_anchor": "anchored -> sending",
        "resent_lost_tx": "re-sending it with a fresh nonce",
        "requeued_orphans": "never reached a batch",
    }
    counts = {name: text.count(mark) for name, mark in marks.items()}
    roots = set(re.findall(r"batch (0x[0-9a-f]{64}): anchored -> sending", text))
    engine = create_db(Settings(data_dir=data_dir).db_url)
    with Session(engine) as session:
        batches = session.exec(select(Batch.count).where(col(Batch.root).in_(roots))).all()
    engine.dispose()
    counts["records_in_reopened_batches"] = sum(batches)
    return counts


def _settled_verdict(cluster: Cluster, load: Load, per_request: int, settle_s: float) -> Verdict:
    """The reconciler re-anchors what a node crash took back: check until it is done."""
    settings = Settings(data_dir=cluster.data_dir, rpc_url=cluster.rpc_url)
    with Runtime.open(settings, deploy_if_missing=False) as rt:
        registry = rt.registry("attester")
        deadline = time.monotonic() + settle_s
        while True:
            verdict = check(rt.engine, registry, load.answers, per_request)
            settled = not verdict.lost and not verdict.pending_in_db
            if settled or time.monotonic() > deadline:
                return verdict
            time.sleep(2)
