"""The validation report: Markdown with PNG plots (matplotlib, Agg), written beside the artifact."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_curve

from ledger.scoring.data import Table
from ledger.scoring.fairness import FOUR_FIFTHS, GroupRates, group_rates
from ledger.scoring.score import Scorecard
from ledger.scoring.strategy import gains_table
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


@dataclass(frozen=True)
class Written:
    markdown: Path
    cutoff: int
    fairness: list[GroupRates]


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
    table: Table | None = None,
    cutoff: int | None = None,
    protected: tuple[str, ...] = (),
    band_width: int = 20,
) -> Written:
    """Write the Markdown report and its four plots.

    ``table`` (the sample's rows, in the order of ``sample.scores``) supplies the protected
    columns for the fairness table, at ``cutoff`` (default: the sample's KS score).
    """
    cut = sample.ks_score if cutoff is None else cutoff
    columns = list(dict.fromkeys([*card.artifact["columns"].get("protected", []), *protected]))
    fairness = (
        group_rates(table, columns, sample.scores, sample.is_bad, cut) if table is not None else []
    )
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
            *_gains(sample, sample_name, band_width),
            *_fairness(fairness, cut, sample_name, columns),
            *_guards(card),
            *_iv_table(card),
            *_points_table(card),
        ]
    )
    paths.markdown.write_text(text + "\n", encoding="utf-8")
    return Written(paths.markdown, cut, fairness)


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
        f"- score range: {_range(card)}",
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
        "| reason code | feature | bin | training rows | bad rate | points | reason text |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for spec, f in zip(card.artifact["features"], card.features, strict=True):
        for b, text in zip(spec["bins"], f.texts, strict=True):
            rate = f"{b['bads'] / b['count']:.1%}" if b["count"] else ""
            lines.append(
                f"| {spec['reason_code']} | {spec['name']} | {b['label']} | {b['count']:,} "
                f"| {rate} | {b['points']} | {text} |"
            )
    return [*lines, ""]


def _range(card: Scorecard) -> str:
    if card.score_range is None:
        return "none stated (a card fitted before score ranges)"
    lo, hi = card.score_range
    return f"{lo} to {hi}; a score outside is clamped to the nearer bound"


def _gains(sample: Validation, name: str, width: int) -> list[str]:
    lines = [
        f"## Gains table ({name}, bands of {width} points)",
        "",
        "Each row's cut-off is its band's lowest score: approve at or above it. Bad capture: "
        "the share of all bads scored below the cut-off (declined).",
        "",
        "| band | rows | bads | band bad rate | approval rate | approved bad rate | bad capture |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in gains_table(sample.scores, sample.is_bad, width):
        lines.append(
            f"| {r['min_score']}-{r['max_score']} | {r['rows']:,} | {r['bads']:,} "
            f"| {_pct(r['bad_rate_bps'])} | {_pct(r['approval_rate_bps'])} "
            f"| {_pct(r['approved_bad_rate_bps'])} | {_pct(r['bad_capture_bps'])} |"
        )
    return [*lines, ""]


def _pct(bps: int) -> str:
    return f"{bps / 100:.2f}%"


def _fairness(groups: list[GroupRates], cut: int, name: str, columns: list[str]) -> list[str]:
    lines = [
        f"## Fairness at cut-off {cut} ({name})",
        "",
        f"Protected columns: {', '.join(columns) or 'none'}. None is a feature unless the "
        "analyst allowed it. Adverse impact ratio: the group's approval rate over the highest "
        f"group's; below {FOUR_FIFTHS} is flagged. Groups under 30 rows are marked small.",
        "",
    ]
    if not groups:
        return [*lines, "No protected column is in this sample.", ""]
    lines += [
        "| column | group | rows | approval rate | bad rate | approved bad rate | AIR | flag |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for g in groups:
        abr = "" if g.approved_bad_rate is None else f"{g.approved_bad_rate:.1%}"
        flag = ("**under 0.8**" if g.flagged else "") + (" small" if g.rows < 30 else "")
        lines.append(
            f"| {g.column} | {g.group} | {g.rows:,} | {g.approval_rate:.1%} | {g.bad_rate:.1%} "
            f"| {abr} | {g.impact_ratio:.2f} | {flag.strip()} |"
        )
    return [*lines, ""]


def _guards(card: Scorecard) -> list[str]:
    guards = card.artifact.get("guards")
    if not guards:
        return []
    lines = [
        "## Guard rails",
        "",
        f"Minimum bin share {guards['min_bin_share']} of {guards['train_rows']:,} training rows.",
        "",
        "| column | check | action | detail |",
        "| --- | --- | --- | --- |",
    ]
    for f in guards["findings"]:
        lines.append(f"| {f['column']} | {f['check']} | {f['action']} | {f['detail']} |")
    lines += [
        "",
        "Feature stability, training vs holdout (unstable: holdout IV below half or above "
        "twice the training IV):",
        "",
        "| feature | trend | IV training | IV holdout | PSI | unstable |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    trends = {f["name"]: f.get("trend", "categorical") for f in card.artifact["features"]}
    for name, st in guards["stability"].items():
        lines.append(
            f"| {name} | {trends.get(name, '')} | {st['iv_train_bps'] / 10_000:.4f} "
            f"| {st['iv_holdout_bps'] / 10_000:.4f} | {st['psi_bps'] / 10_000:.4f} "
            f"| {'yes' if st['unstable'] else ''} |"
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
