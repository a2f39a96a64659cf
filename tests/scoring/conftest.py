"""Scorecards fitted once per session on the two sample files and on a synthetic file."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from ledger.scoring.data import read_csv
from ledger.scoring.fit import FitConfig, FitResult, fit_scorecard

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.fixture(scope="session")
def german() -> FitResult:
    return fit_scorecard(read_csv(SAMPLES / "german_credit.csv"), FitConfig("creditability", "bad"))


@pytest.fixture(scope="session")
def credit() -> FitResult:
    return fit_scorecard(read_csv(SAMPLES / "credit_data.csv"), FitConfig("Status", "bad"))


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def synthetic_rows(n: int = 600, seed: int = 7) -> tuple[list[str], list[list[object]]]:
    """A credit file unlike the samples: other names, 0/1 target, blanks and 'NA' cells."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(8, 0.5, n).round(2)
    region = rng.choice(["north", "south", "east", "west"], n)
    utilisation = rng.uniform(0, 1.2, n).round(3)
    risk = -2 + 1.5 * utilisation - 0.0004 * (income - 3000) + (region == "east") * 0.8
    default = rng.uniform(size=n) < 1 / (1 + np.exp(-risk))
    rows = []
    for i in range(n):
        inc: object = "" if i % 17 == 0 else income[i]
        util: object = "NA" if i % 23 == 0 else utilisation[i]
        rows.append([f"C{i:05d}", inc, region[i], util, int(default[i])])
    return ["customer", "income", "region", "utilisation", "default"], rows


@pytest.fixture(scope="session")
def synthetic_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    header, rows = synthetic_rows()
    return write_csv(tmp_path_factory.mktemp("synthetic") / "loans.csv", header, rows)


@pytest.fixture(scope="session")
def synthetic(synthetic_csv: Path) -> FitResult:
    return fit_scorecard(read_csv(synthetic_csv), FitConfig("default", "1"))
