"""Benchmark the auditor's workbench on the issue's scale: 10,000 attested records (one
Merkle batch plus singles) and 3 pools of 12 periods each, made through the HTTP API on a
fresh Anvil; then time a rebuild from chain events alone into a fresh SQLite database (and
PostgreSQL with --postgres URL), a reconcile against the service's database, and an export.

    .venv/bin/python scripts/bench_audit.py [--records 10000] [--pools 3] [--periods 12]
    .venv/bin/python scripts/bench_audit.py --json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from ledger import PROJECT_ROOT
from ledger.attest.verify import RpcReader
from ledger.audit.auditor import Auditor
from ledger.audit.report_check import verify_report
from ledger.audit.workbench import Workbench
from ledger.chain.node import LocalNode, free_port
from ledger.runtime import Runtime
from ledger.settings import Settings

sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # the test suite's world builder and deal
from audit_world import KEYS, populate

from api.main import create_app


def timed(work):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--pools", type=int, default=3)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--postgres", help="also rebuild into this (empty) PostgreSQL URL")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp, LocalNode(kind="anvil", port=free_port()) as node:
        settings = Settings(data_dir=Path(tmp), rpc_url=node.url, batch_max_wait_s=0.05)
        with Runtime.open(settings) as rt, TestClient(create_app(rt, KEYS)) as client:
            world, setup = timed(lambda: populate(client, args.records, args.periods, args.pools))
            rows["chain head block"] = world.head
            rows["setup seconds (through the API)"] = round(setup, 1)
            bench = Workbench(rt, f"sqlite:///{Path(tmp) / 'rebuilt.db'}")
            rebuilt, seconds = timed(bench.rebuild)
            rows["events"] = rebuilt.events_total
            rows["rebuild SQLite seconds"] = round(seconds, 2)
            rows["rebuild SQLite events/s"] = round(rebuilt.events_total / seconds)
            result, seconds = timed(bench.reconcile)
            rows["entities reconciled"] = result.entities_compared
            rows["differences"] = len(result.differences)
            rows["reconcile seconds (incl. catching up)"] = round(seconds, 2)
            export, seconds = timed(lambda: bench.export(Path(tmp) / "export", result))
            rows["export files"] = len(export.files)
            rows["export seconds (incl. PDF)"] = round(seconds, 2)
            anchored, seconds = timed(lambda: Auditor(rt).anchor(Path(tmp) / "export"))
            rows["anchor files hashed"] = anchored.files
            rows["anchor seconds (incl. registering the auditor)"] = round(seconds, 2)
            reader = RpcReader(node.url)
            check, seconds = timed(lambda: verify_report(reader, Path(tmp) / "export"))
            rows["verify-report status"] = check.status
            rows["verify-report seconds"] = round(seconds, 2)
            if args.postgres:
                pg = Workbench(rt, args.postgres)
                rebuilt, seconds = timed(pg.rebuild)
                rows["rebuild PostgreSQL seconds"] = round(seconds, 2)
                rows["rebuild PostgreSQL events/s"] = round(rebuilt.events_total / seconds)
    if args.json:
        print(json.dumps(rows))
        return
    table = Table("measure", "value", title=f"audit workbench: {args.records:,} records, "
                  f"{args.pools} pools x {args.periods} periods")  # fmt: skip
    for name, value in rows.items():
        table.add_row(name, f"{value:,}" if isinstance(value, int | float) else str(value))
    Console().print(table)


if __name__ == "__main__":
    main()
