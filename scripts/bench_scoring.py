#!/usr/bin/env python3
"""Scorecard scoring throughput: 1,000,000 rows on one core, from the JSON artifact alone.

Fits a scorecard on a sample file (default german_credit.csv, 11 of 20 columns kept,
8 of them categorical), writes the artifact, loads it back and scores N rows resampled
from the file. Timed: ``Scorecard.score_columns`` plus grades and PD (what an attestation
carries), then the same with the top-4 adverse reason codes. Input is held in memory as
columns, as a DataFrame library would hold it: numbers as float64, text dictionary-encoded
(``Coded``); text given as plain Python strings is measured too. Best and median of
``--repeats`` runs; the process is pinned to one CPU.

    python scripts/bench_scoring.py [--rows 1000000] [--repeats 5] [--json]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table as RichTable  # noqa: E402

from ledger import PROJECT_ROOT  # noqa: E402
from ledger.scoring.artifact import write_artifact  # noqa: E402
from ledger.scoring.data import Coded, Table, parse_numbers, read_csv  # noqa: E402
from ledger.scoring.score import Scorecard  # noqa: E402

SAMPLES = PROJECT_ROOT / "data" / "samples"


def _pin_one_core() -> int:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _fit(data: Path, target: str, bad: str, workdir: Path) -> Scorecard:
    from ledger.scoring.fit import FitConfig, fit_scorecard  # fitting is setup, not timed

    result = fit_scorecard(read_csv(data), FitConfig(target, bad))
    path = workdir / "model.json"
    write_artifact(result.artifact, path)
    return Scorecard.load(path)


def _columns(card: Scorecard, table: Table, rows: int, *, encoded: bool) -> dict[str, object]:
    idx = np.random.default_rng(0).integers(0, table.n_rows, rows)
    cols: dict[str, object] = {}
    for f in card.features:
        cells = table.columns[f.name]
        if f.kind == "numeric":
            cols[f.name] = parse_numbers(cells, f.name)[idx]
        elif encoded:
            coded = Coded.encode(cells)
            cols[f.name] = Coded(coded.categories, coded.codes[idx])
        else:
            cols[f.name] = cells[idx]
    return cols


def _time(run: Callable[[], object], repeats: int) -> list[float]:
    run()  # warm up: first-touch page faults, lazy imports
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--data", type=Path, default=SAMPLES / "german_credit.csv")
    ap.add_argument("--target", default="creditability")
    ap.add_argument("--bad", default="bad")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    cpu = _pin_one_core()
    with tempfile.TemporaryDirectory() as tmp:
        card = _fit(args.data, args.target, args.bad, Path(tmp))
    table = read_csv(args.data)
    encoded = _columns(card, table, args.rows, encoded=True)
    text = _columns(card, table, args.rows, encoded=False)

    def attested(cols: dict[str, object]) -> Callable[[], object]:
        def run() -> object:
            s = card.score_columns(cols)
            return s.grade_index, s.pd_bps

        return run

    def with_reasons() -> object:
        s = card.score_columns(encoded)
        return s.grade_index, s.pd_bps, card.reasons(s.slots)

    cases = {
        "score + grade + PD, encoded columns": _time(attested(encoded), args.repeats),
        "score + grade + PD + 4 reason codes, encoded": _time(with_reasons, args.repeats),
        "score + grade + PD, text as Python strings": _time(attested(text), args.repeats),
    }
    rates = {k: (args.rows / min(v), args.rows / statistics.median(v)) for k, v in cases.items()}
    headline = next(iter(rates.values()))
    result = {
        "rows": args.rows,
        "rows_per_s": round(headline[0]),
        "median_rows_per_s": round(headline[1]),
        "with_reasons_rows_per_s": round(rates["score + grade + PD + 4 reason codes, encoded"][0]),
        "text_columns_rows_per_s": round(rates["score + grade + PD, text as Python strings"][0]),
        "features": len(card.features),
        "categorical_features": sum(f.kind == "categorical" for f in card.features),
        "data": args.data.name,
        "repeats": args.repeats,
        "cpu": cpu,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}",
    }
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return
    out = RichTable(
        "case",
        "best rows/s",
        "median rows/s",
        title=f"scoring {args.rows:,} rows on one core ({args.data.name}, {result['features']} features)",
    )
    for k, (best, median) in rates.items():
        out.add_row(k, f"{best:,.0f}", f"{median:,.0f}")
    Console().print(out)
    Console().print(result["machine"])


if __name__ == "__main__":
    main()
