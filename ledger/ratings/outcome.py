"""One rating from files: the deal spec, the rating tape and the methodology, and its report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from ledger.deals.spec import DealSpec, load_spec
from ledger.ratings.inputs import deal_terms_hash, pool_digest, pool_from_records, read_rating_tape
from ledger.ratings.method import RatingRun, rate
from ledger.ratings.methodology import Methodology
from ledger.ratings.montecarlo import Pool
from ledger.ratings.report import loss_plot, markdown, sensitivities, thresholds


@dataclass(frozen=True)
class RatingOutcome:
    spec: DealSpec
    pool: Pool
    method: Methodology
    run: RatingRun
    sensitivity: dict[int, dict[str, str]]

    @property
    def inputs(self) -> dict[str, Any]:
        return {
            "deal": self.spec.name,
            "deal_terms_hash": deal_terms_hash(self.spec),
            "pool_digest": pool_digest(self.pool),
            "loans": len(self.pool.balances),
            "pool_balance": int(self.pool.balances.sum()),
            "wa_pd_bps": int(
                (self.pool.balances * self.pool.pd_bps).sum()
                // max(int(self.pool.balances.sum()), 1)
            ),
        }

    def as_json(self) -> dict[str, Any]:
        tranches = []
        for t in self.run.tranches:
            th = thresholds(self.run, self.method, t)
            tranches.append({**t.as_json(), "thresholds": th.as_json() if th else None})
        return {
            "inputs": self.inputs,
            "methodology_hash": self.method.hash,
            "seed": self.method.seed,
            "paths": self.run.paths,
            "tranches": tranches,
            "sensitivity": {str(k): v for k, v in self.sensitivity.items()},
        }


def rate_files(
    spec_path: Path, tape_path: Path, method: Methodology, engine: Engine | None = None
) -> RatingOutcome:
    """Rate from files; with ``engine`` the PDs come from the attested score records."""
    spec = load_spec(spec_path)
    pool = read_rating_tape(tape_path) if engine is None else pool_from_records(tape_path, engine)
    return rate_pool(spec, pool, method)


def rate_pool(spec: DealSpec, pool: Pool, method: Methodology) -> RatingOutcome:
    run = rate(spec, pool, method)
    return RatingOutcome(spec, pool, method, run, sensitivities(spec, pool, method))


def write_report(outcome: RatingOutcome, directory: Path) -> Path:
    """``rating.md`` and ``loss-distribution.png`` in ``directory``; returns the Markdown path."""
    directory.mkdir(parents=True, exist_ok=True)
    plot = loss_plot(outcome.spec, outcome.run, directory / "loss-distribution.png")
    text = markdown(
        outcome.spec, outcome.run, outcome.method, outcome.inputs, outcome.sensitivity, plot
    )
    path = directory / "rating.md"
    path.write_text(text)
    return path
