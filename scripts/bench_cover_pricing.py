"""Cover pricing from attested PDs: how long proposing a guarantee's price takes when every
loan's pd_bps is checked against its score record on the registry, and how large the
pricing record is.

On a managed Anvil in a fresh data directory: the example tape's 1,000 loans (or the first
``--loans``) are attested with their PDs in one Merkle batch; then ``propose`` is timed
(disclosures built from the issued records, every one verified on the registry in
batched eth_calls, the simulator run at the expected and stressed PD), and ``recompute``
(the recorded inputs alone against the registry) for comparison.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ledger import PROJECT_ROOT
from ledger.attest.verify import Web3Reader
from ledger.chain.node import free_port
from ledger.deals.spec import load_spec
from ledger.demo_cover import PD_TAPE, attest_tape
from ledger.guarantees.attested import recompute
from ledger.guarantees.pricing import PricingInputs
from ledger.guarantees.proposals import propose
from ledger.runtime import Runtime
from ledger.settings import Settings

SPEC = PROJECT_ROOT / "examples" / "deals" / "three-tranche-sequential.yaml"


def measure(loans: int) -> dict[str, float | int]:
    spec = load_spec(SPEC)
    params = PricingInputs("0x" + "00" * 32, (), (), 1, 6_000, 30_000, 1_000, 25)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = Settings(
            data_dir=folder / "data", node_port=free_port(), rpc_url=None, dev_mode=True
        )
        with Runtime.open(settings) as rt:
            tape = attest_tape(rt, folder, limit=loans)
            start = time.perf_counter()
            proposal = propose(rt, spec, params, tape=tape)
            proposed = time.perf_counter() - start
            start = time.perf_counter()
            recompute(proposal.record, spec, Web3Reader(rt.w3), provider=rt.w3.provider)
            recomputed = time.perf_counter() - start
    return {
        "loans": len(proposal.inputs.loans),
        "propose_s": round(proposed, 3),
        "recompute_s": round(recomputed, 3),
        "record_bytes": len(proposal.record.encode()),
        "record_bytes_per_loan": len(proposal.record.encode()) // len(proposal.inputs.loans),
    }


def main() -> None:
    with PD_TAPE.open(newline="") as fh:
        available = sum(1 for _ in csv.DictReader(fh))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=available, help="loans of the tape")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = measure(min(max(args.loans, 1), available))
    if args.json:
        print(json.dumps(results))
        return
    table = Table(title="Cover pricing from attested PDs")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in results.items():
        table.add_row(key, f"{value:,}")
    Console().print(table)


if __name__ == "__main__":
    main()
