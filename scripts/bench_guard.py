#!/usr/bin/env python3
"""What the API guard costs before a body reaches the JSON parser.

Times ``api.guard.too_deep`` (the nesting check that runs on every body) on: a
50,000-record issue request (the largest the schema accepts), the 100,000-bracket body
that used to crash the process, and a 32 MiB body at the size limit. Best and median of
``--repeats`` runs.

    python scripts/bench_guard.py [--repeats 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from api.guard import DEFAULT_MAX_BODY, DEFAULT_MAX_DEPTH, too_deep


def bodies() -> dict[str, bytes]:
    record = {
        "subject_id": "customer-0000001",
        "score": 612,
        "grade": "B",
        "model_id": "0x" + "ab" * 32,
        "pd_bps": 310,
        "reasons": ["R01", "R04", "R07"],
    }
    records = json.dumps({"records": [record] * 50_000}).encode()
    deep = b"[" * 100_000 + b"]" * 100_000
    # At the size limit, with many brackets so that the full scan runs.
    filler = b'[{"a": "x", "b": [1, 2]}],'
    big = b"[" + filler * (DEFAULT_MAX_BODY // len(filler) - 1) + b"[]]"
    return {"50,000 records": records, "100,000 nested brackets": deep, "32 MiB at limit": big}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for name, body in bodies().items():
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            refused = too_deep(body, DEFAULT_MAX_DEPTH)
            times.append(time.perf_counter() - t0)
        results.append(
            {
                "body": name,
                "bytes": len(body),
                "refused": refused,
                "best_ms": round(min(times) * 1000, 2),
                "median_ms": round(statistics.median(times) * 1000, 2),
                "mb_per_s": round(len(body) / min(times) / 1e6, 1),
            }
        )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'body':<26}{'bytes':>12}{'refused':>9}{'best ms':>10}{'median ms':>11}{'MB/s':>8}")
    for r in results:
        print(
            f"{r['body']:<26}{r['bytes']:>12,}{r['refused']!s:>9}"
            f"{r['best_ms']:>10}{r['median_ms']:>11}{r['mb_per_s']:>8}"
        )


if __name__ == "__main__":
    main()
