"""The validation report: Markdown with PNG plots (matplotlib, Agg), written beside the artifact."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_curve

from ledger.scoring.score import Scorecard
from ledger.scoring.validate import Validation

PSI_RULE = (
    "PSI: 10 bins cut at the training score deciles (duplicates merged); a share of 0 in "
    "either sample counts as 0.0001; PSI = sum (a - e) ln(a / e), e = training share, "
    "a = this sample's share. Below 0.10 is usually read as stable, above 0.25 as shifted."
)


@dataclass(frozen=True)
class ReportPaths:
    markdown: Path
    plots: Path


def report_paths(artifact_path: Path, suffix: str = "report") -> ReportPaths:
    stem = artifact_path.with_suffix("")
    return ReportPaths(Path(f"{stem}.{suffix}.md"), Path(f"{stem}.{suffix}"))


def write_report(
    card: Scorecard,
    sample: Validation,
    paths: ReportPaths,
    *,
    sample_name: str = "holdout",
    train: Validation | None = None,
) -> Path:
    """Write the Markdown report and its four plots; return the Markdown path."""
    paths.plots.mkdir(parents=True, exist_ok=True)
    plots = {
        "scores": _plot_scores(sample, paths.plots / "scores.png", sample_name),
        "roc": _plot_roc(sample, paths.plots / "roc.png", sample_name),
        "ks": _plot_ks(sample, paths.plots / "ks.png", sample_name),
        "calibration": _plot_calibration(sample, paths.plots / "calibration.png", sample_name),
    }
    rel = {k: f"{paths.plots.name}/{v.name}" for k, v in plots.items()}
    text = "\n".join(
        [
            *_header(card),
            *_metrics(sample, sample_name, train),
            f"![Score distributions]({rel['scores']})  ![ROC]({rel['roc']})",
            "",
            f"![KS curve]({rel['ks']})  ![Calibration by grade]({rel['calibration']})",
            "",
            *_calibration_table(card, sample, sample_name),
            *_iv_table(card),
            *_points_table(card),
        ]
    )
    paths.markdown.write_text(text + "\n", encoding="utf-8")
    return paths.markdown


def _header(card: Scorecard) -> list[str]:
    a = card.artifact
    sc = a["scaling"]
    return [
        "# Scorecard validation report",
        "",
        f"- model id: `{card.model_id}`",
        f"- target: `{a['target']['column']}`, bad label `{a['target']['bad']}`",
        f"- scaling: {sc['base_score']} points at odds {sc['base_odds']}:1 (good:bad), "
        f"{sc['pdo']} points to double the odds; base points {a['base_points']}",
        f"- features: {len(card.features)} of {len(a['columns']['status'])} columns",
        f"- rounding: {a['rounding']}",
        "",
    ]


def _metrics(sample: Validation, name: str, train: Validation | None) -> list[str]:
    samples = [(name, sample)] + ([("training", train)] if train is not None else [])
    lines = [
        "## Metrics",
        "",
        "| sample | rows | bad rate | AUC | KS | Gini | PSI |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, v in samples:
        s = v.summary()
        lines.append(
            f"| {label} | {s['rows']:,} | {s['bad_rate']:.1%} | {s['auc']:.4f} | {s['ks']:.4f} "
            f"| {s['gini']:.4f} | {s['psi']:.4f} |"
        )
    lines += ["", f"KS is largest at score {sample.ks_score}. {PSI_RULE}", ""]
    return lines


def _calibration_table(card: Scorecard, sample: Validation, name: str) -> list[str]:
    mins = {g["name"]: g["min_score"] for g in card.artifact["grades"]}
    lines = [
        f"## Calibration by grade ({name})",
        "",
        "Expected: the mean model PD of the training rows in the grade. Observed: the bad rate here.",
        "",
        "| grade | from score | rows | bads | expected bad rate | observed bad rate |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in sample.calibration:
        low = mins[c.grade] if mins[c.grade] is not None else "below"
        observed = (
            "n/a" if c.observed_bad_rate_bps is None else f"{c.observed_bad_rate_bps / 100:.2f}%"
        )
        lines.append(
            f"| {c.grade} | {low} | {c.count:,} | {c.bads:,} | {c.expected_bad_rate_bps / 100:.2f}% | {observed} |"
        )
    return [*lines, ""]


def _iv_table(card: Scorecard) -> list[str]:
    a = card.artifact
    iv = a["information_value_bps"]
    lines = [
        "## Columns and information value (training)",
        "",
        "| column | IV | use |",
        "| --- | ---: | --- |",
    ]
    for name, status in sorted(a["columns"]["status"].items(), key=lambda kv: -iv.get(kv[0], -1)):
        value = f"{iv[name] / 10_000:.4f}" if name in iv else ""
        lines.append(f"| {name} | {value} | {status} |")
    return [*lines, ""]


def _points_table(card: Scorecard) -> list[str]:
    lines = [
        "## Points",
        "",
        "| reason code | feature | bin | training rows | bad rate | points |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for spec in card.artifact["features"]:
        for b in spec["bins"]:
            rate = f"{b['bads'] / b['count']:.1%}" if b["count"] else ""
            lines.append(
                f"| {spec['reason_code']} | {spec['name']} | {b['label']} | {b['count']:,} | {rate} | {b['points']} |"
            )
    return [*lines, ""]


def _figure() -> tuple[plt.Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(6, 4.2), dpi=100)
    ax.grid(alpha=0.3)
    return fig, ax


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _plot_scores(v: Validation, path: Path, name: str) -> Path:
    fig, ax = _figure()
    bins = np.histogram_bin_edges(v.scores, bins=30)
    ax.hist(
        v.scores[v.is_bad == 0], bins=bins, alpha=0.6, density=True, label="good", color="tab:green"
    )
    ax.hist(
        v.scores[v.is_bad == 1], bins=bins, alpha=0.6, density=True, label="bad", color="tab:red"
    )
    ax.set(title=f"Score distribution of goods and bads ({name})", xlabel="score", ylabel="density")
    ax.legend()
    return _save(fig, path)


def _plot_roc(v: Validation, path: Path, name: str) -> Path:
    fpr, tpr, _ = roc_curve(v.is_bad, -v.scores)
    fig, ax = _figure()
    ax.plot(fpr, tpr, color="tab:blue", label=f"scorecard (AUC {v.auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="random")
    ax.set(
        title=f"ROC ({name})",
        xlabel="false positive rate (goods declined)",
        ylabel="true positive rate (bads declined)",
    )
    ax.legend(loc="lower right")
    return _save(fig, path)


def _plot_ks(v: Validation, path: Path, name: str) -> Path:
    s = np.unique(v.scores)
    bad_cdf = np.searchsorted(np.sort(v.scores[v.is_bad == 1]), s, side="right") / max(
        1, v.is_bad.sum()
    )
    good_cdf = np.searchsorted(np.sort(v.scores[v.is_bad == 0]), s, side="right") / max(
        1, (1 - v.is_bad).sum()
    )
    fig, ax = _figure()
    ax.plot(s, bad_cdf, color="tab:red", label="bads at or below score")
    ax.plot(s, good_cdf, color="tab:green", label="goods at or below score")
    k = int(np.argmax(bad_cdf - good_cdf))
    ax.vlines(s[k], good_cdf[k], bad_cdf[k], color="black", label=f"KS {v.ks:.3f} at {s[k]}")
    ax.set(title=f"KS curve ({name})", xlabel="score", ylabel="cumulative share")
    ax.legend(loc="lower right")
    return _save(fig, path)


def _plot_calibration(v: Validation, path: Path, name: str) -> Path:
    grades = [c.grade for c in v.calibration]
    expected = [c.expected_bad_rate_bps / 100 for c in v.calibration]
    observed = [(c.observed_bad_rate_bps or 0) / 100 for c in v.calibration]
    x = np.arange(len(grades))
    fig, ax = _figure()
    ax.bar(x - 0.2, expected, width=0.4, label="expected (model PD)", color="tab:blue")
    ax.bar(x + 0.2, observed, width=0.4, label=f"observed ({name})", color="tab:orange")
    for i, c in enumerate(v.calibration):
        ax.annotate(
            f"n={c.count}",
            (x[i], max(expected[i], observed[i])),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(x, grades)
    ax.set(title=f"Calibration by grade ({name})", xlabel="grade", ylabel="bad rate (%)")
    ax.legend()
    return _save(fig, path)
