"""A rating's report: inputs, figures per tranche, loss distributions, thresholds, sensitivity.

The Markdown names every input (methodology hash and parameters, pool digest, deal-terms
hash, seed, paths), each tranche's probability of any loss and expected loss against the
band of its grade (the thresholds it sits between), and what would change the grade: how
many loss paths fewer would lift it a notch, how many more would lower it, and the grades
the same seed gives under the methodology's PD multipliers. One PNG per report shows the
loss distribution of every tranche.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from ledger.deals.spec import DealSpec
from ledger.ratings.method import NOT_RATED, RatingRun, TrancheRating, rate
from ledger.ratings.methodology import Methodology
from ledger.ratings.montecarlo import BPS, Pool


@dataclass(frozen=True)
class Threshold:
    grade: str
    floor_bps: int  # exclusive
    ceiling_bps: int  # inclusive
    paths_to_upgrade: int | None  # loss paths fewer for the next better grade
    paths_to_downgrade: int | None  # loss paths more for the next worse grade

    def as_json(self) -> dict[str, object]:
        return self.__dict__.copy()


def thresholds(run: RatingRun, method: Methodology, tranche: TrancheRating) -> Threshold | None:
    """The band a rated tranche sits in and how many loss paths would move it out."""
    if tranche.grade == NOT_RATED:
        return None
    scale = method.rating_scale
    floor, ceiling = scale.band(tranche.grade)
    hits = int((tranche.losses > 0).sum())
    # probability = hits * BPS // paths; the largest hits still inside a ceiling c is
    # ((c + 1) * paths - 1) // BPS, and the smallest beyond it is one more.
    up = None if floor < 0 else hits - ((floor + 1) * run.paths - 1) // BPS
    down = None
    if scale.notch(tranche.grade) < len(scale.grades) - 1:
        down = ((ceiling + 1) * run.paths - 1) // BPS + 1 - hits
    return Threshold(tranche.grade, floor, ceiling, up, down)


def sensitivities(spec: DealSpec, pool: Pool, method: Methodology) -> dict[int, dict[str, str]]:
    """Grades at the same seed with every PD scaled by each of the methodology's multipliers."""
    return {
        m: rate(spec, pool, method.with_pd_multiplier(m)).grades() for m in method.sensitivities_bps
    }


def loss_plot(spec: DealSpec, run: RatingRun, path: Path) -> Path:
    """Histogram of each tranche's loss as a share of its size, over all paths."""
    fig, axes = plt.subplots(1, len(run.tranches) + 1, figsize=(4 * (len(run.tranches) + 1), 4))
    pool = float(sum(t.size for t in run.tranches)) or 1.0
    axes[0].hist(100 * run.pool_losses / pool, bins=40, color="grey")
    axes[0].set_title("pool loss, % of tranches")
    for ax, t in zip(axes[1:], run.tranches, strict=True):
        ax.hist(100 * t.losses / (t.size or 1), bins=40)
        ax.set_title(f"{t.name} ({t.grade}): loss, % of size")
        ax.set_yscale("log")
    for ax in axes:
        ax.set_xlabel("loss %")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("paths")
    fig.suptitle(f"{spec.name}: loss distribution over {run.paths:,} paths")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def markdown(
    spec: DealSpec,
    run: RatingRun,
    method: Methodology,
    inputs: dict[str, object],
    sensitivity: dict[int, dict[str, str]],
    plot: Path | None,
) -> str:
    lines = [f"# Rating report: {spec.name}", "", "## Inputs", ""]
    lines += [f"- {k}: `{v}`" for k, v in inputs.items()]
    lines += [
        f"- methodology: `{method.name}` v{method.version}, hash `{method.hash}`",
        f"- seed {method.seed}, {method.paths:,} paths, asset correlation "
        f"{method.correlation_bps} bps, PD horizon {method.pd_horizon_months} months, "
        f"PD multiplier {method.pd_multiplier_bps} bps, severity {method.severity_bps} bps, "
        f"recovery lag {method.recovery_lag} periods, CPR {method.cpr_bps} bps",
        "",
        "## Tranches",
        "",
        "| tranche | size | grade | P(any loss) bps | EL bps | band (bps) | paths to up / down |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for t in run.tranches:
        th = thresholds(run, method, t)
        band = f"{th.floor_bps + 1}..{th.ceiling_bps}" if th else "-"
        moves = f"{_paths(th.paths_to_upgrade)} / {_paths(th.paths_to_downgrade)}" if th else "-"
        lines.append(
            f"| {t.name} | {t.size:,} | {t.grade} | {t.loss_probability_bps} | "
            f"{t.expected_loss_bps} | {band} | {moves} |"
        )
    lines += ["", "## What would change the grade", ""]
    for t in run.tranches:
        th = thresholds(run, method, t)
        if th is None:
            continue
        if th.paths_to_upgrade is not None:
            lines.append(
                f"- {t.name}: {th.paths_to_upgrade} fewer loss paths (P(any loss) at or under "
                f"{th.floor_bps} bps) would lift it a notch"
            )
        if th.paths_to_downgrade is not None:
            lines.append(
                f"- {t.name}: {th.paths_to_downgrade} more loss paths (P(any loss) above "
                f"{th.ceiling_bps} bps) would lower it a notch"
            )
    for multiplier, grades in sensitivity.items():
        shown = ", ".join(f"{k} {v}" for k, v in grades.items() if v != NOT_RATED)
        lines.append(f"- every PD x {multiplier / BPS:g} (same seed): {shown}")
    if plot is not None:
        lines += ["", "## Loss distribution", "", f"![loss distribution]({plot.name})"]
    return "\n".join(lines) + "\n"


def _paths(value: int | None) -> str:
    return "-" if value is None else str(value)
