"""Fault injection at scale: issue records through the API while the node, the API and both
are killed by SIGKILL and restarted, then count lost and duplicated records.

    .venv/bin/python scripts/bench_faults.py --requests 300 --per-request 100 [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ledger.faults.run import FAULTS, run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="idempotent requests")
    parser.add_argument("--per-request", type=int, default=100, help="records per request")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--keep", type=Path, help="run in this new directory and keep its logs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="credence-faults-") as tmp:
        report = run(
            args.keep or Path(tmp),
            requests=args.requests,
            per_request=args.per_request,
            clients=args.clients,
            faults=FAULTS,
            progress=lambda line: print(line, file=sys.stderr),
        ).to_dict()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, value in report.items():
            print(f"{name:>22}  {value}")
    return 0 if report["lost"] == 0 and report["duplicated"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
