"""Scorecard commands: fit, report, explain, register (apply and strategy in modules beside).

Bad input exits with code 2 and one line on stderr, never a traceback. With ``--json``
a command prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from ledger.scoring.errors import ScoringError

app = typer.Typer(
    name="score", help="Fit, apply, validate and explain credit scorecards.", no_args_is_help=True
)
console = Console()

ModelArg = Annotated[Path, typer.Argument(help="scorecard artifact (JSON)", dir_okay=False)]
DataArg = Annotated[Path, typer.Argument(help="CSV with a header row", dir_okay=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object instead of tables")]


def clean_errors(command: Callable[..., None]) -> Callable[..., None]:
    """Turn bad input into exit code 2 and a one-line message."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except ScoringError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        except OSError as e:
            typer.echo(f"error: {e.filename or ''}: {e.strerror or e}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def emit(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, sort_keys=True))


@app.command("fit")
@clean_errors
def fit_cmd(
    data: DataArg,
    target: Annotated[str, typer.Option(help="target column")],
    bad: Annotated[str, typer.Option(help="the target label that means bad")],
    out: Annotated[Path, typer.Option(help="where to write the artifact (JSON)", dir_okay=False)],
    seed: Annotated[int, typer.Option(help="random_state of the stratified split")] = 42,
    test_size: Annotated[float, typer.Option(help="holdout share")] = 0.3,
    base_score: Annotated[int, typer.Option(help="points at the base odds")] = 600,
    base_odds: Annotated[float, typer.Option(help="good:bad odds at the base score")] = 19.0,
    pdo: Annotated[int, typer.Option(help="points to double the odds")] = 50,
    grades: Annotated[
        str | None, typer.Option(help='score bands, best first: "A:650,B:600,C:550,D:500,E:450,F"')
    ] = None,
    min_iv: Annotated[float, typer.Option(help="drop columns with less information value")] = 0.02,
    c: Annotated[
        float, typer.Option("--c", help="inverse L2 regularisation of the regression")
    ] = 1.0,
    drop: Annotated[list[str] | None, typer.Option(help="column not to use (repeatable)")] = None,
    special: Annotated[
        list[float] | None, typer.Option(help="numeric special value with its own bin (repeatable)")
    ] = None,
    min_bin_share: Annotated[
        float, typer.Option(help="smallest share of training rows a bin may hold")
    ] = 0.05,
    protected: Annotated[
        list[str] | None,
        typer.Option(help="protected column besides those recognised by name (repeatable)"),
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option(help="use this column although a guard would exclude it (repeatable)"),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(help="fail on any guard finding (identifier, date, small bin, unstable IV)"),
    ] = False,
    score_min: Annotated[int, typer.Option(help="lowest score of the card's range")] = 0,
    score_max: Annotated[int, typer.Option(help="highest score of the card's range")] = 1000,
    reason_texts: Annotated[
        Path | None,
        typer.Option(
            help="JSON {feature: text} or {feature: {bin label: text}}: reason texts to use",
            dir_okay=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit a scorecard on a stratified split; write the artifact and its validation report."""
    from ledger.scoring.artifact import write_artifact
    from ledger.scoring.data import read_csv
    from ledger.scoring.fit import FitConfig, fit_scorecard, parse_grades
    from ledger.scoring.report import report_paths, write_report

    config = FitConfig(
        target=target,
        bad=bad,
        base_score=base_score,
        base_odds=base_odds,
        pdo=pdo,
        test_size=test_size,
        seed=seed,
        min_iv=min_iv,
        C=c,
        special_codes=tuple(special or ()),
        drop=tuple(drop or ()),
        grades=parse_grades(grades) if grades else None,
        min_bin_share=min_bin_share,
        protected=tuple(protected or ()),
        allow=tuple(allow or ()),
        strict=strict,
        score_min=score_min,
        score_max=score_max,
        reason_texts=_read_texts(reason_texts) if reason_texts else {},
    )
    table = read_csv(data)
    result = fit_scorecard(table, config)
    model_id = write_artifact(result.artifact, out)
    report = write_report(
        result.scorecard,
        result.holdout,
        report_paths(out),
        train=result.train,
        table=table.take(result.holdout_index),
    ).markdown
    summary = result.holdout.summary()
    payload = {
        "auc": summary["auc"],
        "ks": summary["ks"],
        "gini": summary["gini"],
        "psi": summary["psi"],
        "model_id": model_id,
        "metrics_bps": result.artifact["metrics"],
        "holdout_rows": summary["rows"],
        "train_rows": len(result.train.scores),
        "features": list(result.scorecard.feature_names),
        "score_range": result.artifact["score_range"],
        "guard_findings": result.artifact["guards"]["findings"],
        "protected": result.artifact["columns"]["protected"],
        "artifact": str(out),
        "report": str(report),
    }
    if as_json:
        emit(payload)
        return
    _print_metrics("holdout", payload)
    table = RichTable("feature", "reason code", "IV", "points range")
    for spec in result.artifact["features"]:
        pts = [b["points"] for b in spec["bins"] if b["count"]]
        table.add_row(
            spec["name"],
            spec["reason_code"],
            f"{spec['iv_bps'] / 10_000:.4f}",
            f"{min(pts)} .. {max(pts)}",
        )
    console.print(table)
    for f in payload["guard_findings"]:
        console.print(f"{f['action']:>11}  {f['column']}: {f['detail']}")
    console.print(f"model id {model_id}\nartifact {out}\nreport   {report}")


@app.command("register")
@clean_errors
def register_cmd(
    artifact: Annotated[
        Path, typer.Argument(help="scorecard or strategy artifact (JSON)", dir_okay=False)
    ],
    uri: Annotated[str, typer.Option(help="where others can fetch the artifact")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Register a scorecard (id = keccak-256 of the artifact, holdout metrics) or a strategy
    beside its already registered model."""
    from ledger.cli.common import runtime
    from ledger.scoring.anchor import model_store, register_model, register_strategy
    from ledger.scoring.artifact import read_json
    from ledger.scoring.strategy import FORMAT as STRATEGY_FORMAT

    doc = read_json(artifact)
    is_strategy = doc.get("format") == STRATEGY_FORMAT
    with runtime() as rt:
        store, registry = model_store(rt.settings.data_dir), rt.registry("attester")
        register = register_strategy if is_strategy else register_model
        reg = register(registry, store, doc, uri or str(artifact))
    kind = "strategy" if is_strategy else "model"
    payload = {
        f"{kind}_id": reg.model_id,
        "kind": kind,
        "metrics_bps": reg.metrics,
        "already_registered": reg.already,
    }
    if is_strategy:
        payload["model_id"] = doc["model_id"]
    if as_json:
        emit(payload)
        return
    state = "was already registered" if reg.already else "registered on chain"
    console.print(f"{kind} {reg.model_id} {state}; metrics (bps) {reg.metrics}")


@app.command("report")
@clean_errors
def report_cmd(
    model: ModelArg,
    data: Annotated[
        Path, typer.Argument(help="labelled CSV (the model's target column)", dir_okay=False)
    ],
    out: Annotated[
        Path | None, typer.Option(help="Markdown file (plots go beside it)", dir_okay=False)
    ] = None,
    cutoff: Annotated[
        int | None, typer.Option(help="approve cut-off for the fairness table (default: KS score)")
    ] = None,
    strategy: Annotated[
        Path | None, typer.Option(help="take the cut-off from this strategy", dir_okay=False)
    ] = None,
    protected: Annotated[
        list[str] | None, typer.Option(help="protected column to check (repeatable)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a scorecard on a labelled file and write a report (default: beside the model):
    metrics, gains table, guard findings, fairness by protected group."""
    from ledger.scoring.artifact import read_json
    from ledger.scoring.data import read_csv
    from ledger.scoring.report import ReportPaths, report_paths, write_report
    from ledger.scoring.score import Scorecard
    from ledger.scoring.strategy import check_strategy
    from ledger.scoring.validate import validate_table

    card = Scorecard.load(model)
    table = read_csv(data)
    validation = validate_table(card, table)
    if strategy:
        cutoff = check_strategy(read_json(strategy), card)["cutoffs"]["approve_min"]
    paths = (
        ReportPaths(out, out.with_suffix("")) if out else report_paths(model, f"{data.stem}.report")
    )
    written = write_report(
        card,
        validation,
        paths,
        sample_name=data.name,
        table=table,
        cutoff=cutoff,
        protected=tuple(protected or ()),
    )
    fairness = written.fairness
    payload = {
        **validation.summary(),
        "model_id": card.model_id,
        "report": str(written.markdown),
        "cutoff": written.cutoff,
        "fairness": [g.to_dict() for g in fairness],
    }
    if as_json:
        emit(payload)
        return
    _print_metrics(data.name, payload)
    flagged = [g for g in fairness if g.flagged]
    console.print(
        f"fairness at cut-off {written.cutoff}: {len(flagged)} group(s) with an adverse impact "
        "ratio under 0.8"
        + "".join(f"\n  {g.column} = {g.group}: {g.impact_ratio:.2f}" for g in flagged)
    )
    console.print(f"report {written.markdown}")


@app.command("explain")
@clean_errors
def explain_cmd(
    model: ModelArg,
    data: DataArg,
    row: Annotated[
        int, typer.Option(help="data row to explain, 1 = first row after the header")
    ] = 1,
    top: Annotated[int, typer.Option(help="adverse reasons to give", min=0)] = 4,
    ignore: Annotated[
        list[str] | None, typer.Option(help="extra column to allow (repeatable)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Points per feature for one applicant and the top adverse reasons, in words."""
    from ledger.scoring.data import read_csv
    from ledger.scoring.explain import explanation
    from ledger.scoring.score import Scorecard

    card = Scorecard.load(model)
    table = read_csv(data)
    if not 1 <= row <= table.n_rows:
        raise ScoringError(f"the file has rows 1 to {table.n_rows}", row=row)
    one = {name: cells[row - 1 : row] for name, cells in table.columns.items()}
    scored = card.score_columns(one, ignore=ignore or ()).rows(top, one)[0]
    payload = explanation(card, scored) | {"row": row}
    if as_json:
        emit(payload)
        return
    console.print(
        f"row {row}: score {scored.score}, grade {scored.grade}, PD {scored.pd_bps / 100:.2f}%"
    )
    t = RichTable("feature", "value", "bin", "points", "best", "shortfall")
    for d in scored.details:
        t.add_row(d.feature, d.value, d.bin, str(d.points), str(d.max_points), str(d.shortfall))
    console.print(t)
    for r in payload["reasons"]:
        console.print(f"{r['code']}  {r['text']} ({r['shortfall']} points below the best)")


def _read_texts(path: Path) -> dict[str, Any]:
    from ledger.scoring.artifact import read_json

    return read_json(path)


def _print_metrics(label: str, m: dict[str, Any]) -> None:
    table = RichTable("sample", "AUC", "KS", "Gini", "PSI")
    table.add_row(label, f"{m['auc']:.4f}", f"{m['ks']:.4f}", f"{m['gini']:.4f}", f"{m['psi']:.4f}")
    console.print(table)


def register(parent: typer.Typer) -> None:
    # apply and strategy add their commands to ``app`` when imported
    from ledger.cli import score_apply, score_strategy  # noqa: F401

    parent.add_typer(app, name="score")
