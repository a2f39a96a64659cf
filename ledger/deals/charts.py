"""Charts a structurer uses to size tranches: balances over time, cash flows, losses by scenario.

PNG files through matplotlib's Agg backend (no display needed). Amounts are shown in
whole token units.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from ledger.deals.simulator import Simulation


def _scale(sim: Simulation) -> float:
    return 10.0**sim.spec.settlement_token.decimals


def tranche_balances(sim: Simulation, path: Path) -> Path:
    """Each tranche's balance at the end of every period (plus the pool balance)."""
    scale = _scale(sim)
    periods = [r.period for r in sim.periods]
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, name in enumerate(sim.spec.tranche_names):
        ax.plot(periods, [r.result.tranches[i].balance / scale for r in sim.periods], label=name)
    ax.plot(periods, [r.report.pool_balance / scale for r in sim.periods], "k--", label="pool")
    _finish(ax, f"{sim.spec.name}: balances ({sim.scenario.name})", "balance")
    return _save(fig, path)


def cash_flows(sim: Simulation, path: Path) -> Path:
    """Cash paid to each tranche every period (interest + principal; equity with residual)."""
    scale = _scale(sim)
    periods = [r.period for r in sim.periods]
    last = len(sim.spec.tranches) - 1
    fig, ax = plt.subplots(figsize=(9, 5))
    bottom = [0.0] * len(periods)
    for i, name in enumerate(sim.spec.tranche_names):
        paid = [
            (
                r.result.tranches[i].interest_paid
                + r.result.tranches[i].principal_paid
                + (r.result.residual_to_equity if i == last else 0)
            )
            / scale
            for r in sim.periods
        ]
        ax.bar(periods, paid, bottom=bottom, label=name)
        bottom = [b + p for b, p in zip(bottom, paid, strict=True)]
    _finish(ax, f"{sim.spec.name}: cash flows ({sim.scenario.name})", "paid in period")
    return _save(fig, path)


def losses_by_scenario(sims: list[Simulation], path: Path) -> Path:
    """Principal loss of each tranche, as a percentage of its size, side by side by scenario."""
    names = sims[0].spec.tranche_names
    width = 0.8 / len(sims)
    fig, ax = plt.subplots(figsize=(9, 5))
    for k, sim in enumerate(sims):
        pct = [100 * t.loss / t.size if t.size else 0.0 for t in sim.tranches]
        ax.bar([i + k * width for i in range(len(names))], pct, width, label=sim.scenario.name)
    ax.set_xticks([i + width * (len(sims) - 1) / 2 for i in range(len(names))], names)
    _finish(ax, f"{sims[0].spec.name}: principal loss by scenario", "loss, % of size", "tranche")
    return _save(fig, path)


def _finish(ax: plt.Axes, title: str, ylabel: str, xlabel: str = "period") -> None:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
