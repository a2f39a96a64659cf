"""Scorecard commands: fit, apply, report, explain.

Bad input exits with code 2 and one line on stderr, never a traceback. With ``--json``
a command prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import csv
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


def _clean_errors(command: Callable[..., None]) -> Callable[..., None]:
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


def _emit(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, sort_keys=True))


@app.command("fit")
@_clean_errors
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
    )
    result = fit_scorecard(read_csv(data), config)
    model_id = write_artifact(result.artifact, out)
    report = write_report(result.scorecard, result.holdout, report_paths(out), train=result.train)
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
        "artifact": str(out),
        "report": str(report),
    }
    if as_json:
        _emit(payload)
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
    console.print(f"model id {model_id}\nartifact {out}\nreport   {report}")


@app.command("apply")
@_clean_errors
def apply_cmd(
    model: ModelArg,
    data: DataArg,
    out: Annotated[Path, typer.Option(help="CSV of scores to write", dir_okay=False)],
    strict: Annotated[
        bool, typer.Option(help="unseen categories are errors, not the Unseen bin")
    ] = False,
    ignore: Annotated[
        list[str] | None, typer.Option(help="extra column to allow (repeatable)")
    ] = None,
    top: Annotated[int, typer.Option(help="adverse reasons per row")] = 4,
    attest: Annotated[
        bool, typer.Option(help="attest every score on chain (the model must be registered)")
    ] = False,
    id_column: Annotated[
        str | None,
        typer.Option(help="subject id column for --attest (pseudonymised); default: row number"),
    ] = None,
    valid_days: Annotated[int, typer.Option(help="validity of attested records")] = 365,
    as_json: JsonOpt = False,
) -> None:
    """Score every row of a CSV: score, grade, PD (bp) and adverse reason codes."""
    from ledger.scoring.data import read_csv
    from ledger.scoring.score import Scorecard
    from ledger.scoring.validate import drift

    card = Scorecard.load(model)
    table = read_csv(data)
    keep = set(ignore or ()) | ({id_column} if id_column else set())
    if id_column and id_column not in table.columns:
        raise ScoringError("no such column for --id-column", column=id_column)
    scores = card.score_table(table, strict=strict, ignore=keep)
    reasons = scores.reason_codes(top)
    commitments = _attest(card, scores, table, id_column, valid_days, top) if attest else None
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["row", "score", "grade", "pd_bps", "reasons"]
            + (["commitment", "batch_root"] if commitments else [])
        )
        for i, (s, g, p, r) in enumerate(
            zip(scores.score, scores.grades, scores.pd_bps, reasons, strict=True)
        ):
            extra = list(commitments[i]) if commitments else []
            writer.writerow([i + 1, int(s), g, int(p), ";".join(r), *extra])
    grades = dict.fromkeys(card.grade_names, 0)
    for g in scores.grades:
        grades[g] += 1
    payload = {
        "model_id": card.model_id,
        "rows": len(scores),
        "grades": grades,
        "psi": round(drift(card, scores.score), 4),
        "out": str(out),
    }
    if as_json:
        _emit(payload)
        return
    table = RichTable("grade", "rows", "share")
    for g, n in grades.items():
        table.add_row(g, f"{n:,}", f"{n / len(scores):.1%}")
    console.print(table)
    console.print(
        f"{len(scores):,} rows scored to {out}; PSI against training {payload['psi']:.4f}"
    )
    if commitments:
        roots = {root for _, root in commitments}
        console.print(f"{len(commitments):,} scores attested under {len(roots)} batch root(s)")


def _attest(
    card: Any, scores: Any, table: Any, id_column: str | None, valid_days: int, top: int
) -> list[tuple[str, str]]:
    """Attest every scored row in batches, with a progress bar; returns (commitment, root)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ledger.cli.common import fail, runtime
    from ledger.scoring.anchor import score_records

    rows = scores.rows(top)
    subjects = (
        [str(v) for v in table.columns[id_column]]
        if id_column
        else [f"row-{i + 1}" for i in range(len(rows))]
    )
    out: list[tuple[str, str]] = []
    with runtime() as rt:
        service = rt.attestation_service()
        try:
            if not service.model_known(card.model_id):
                fail(
                    f"model {card.model_id} is not registered on chain: run `credence score register` first"
                )
            columns = (TextColumn("attesting"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("attest", total=len(rows))
                for start in range(0, len(rows), 5_000):
                    part = slice(start, start + 5_000)
                    records = score_records(
                        service, card, subjects[part], rows[part], valid_days=valid_days
                    )
                    sealed = service.issue(records)
                    roots = service.roots_of(sealed)
                    out += [
                        ("0x" + x.commitment.hex(), r or "")
                        for x, r in zip(sealed, roots, strict=True)
                    ]
                    progress.advance(task, len(records))
        finally:
            service.close()
    return out


@app.command("register")
@_clean_errors
def register_cmd(
    model: ModelArg,
    uri: Annotated[str, typer.Option(help="where others can fetch the artifact")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Register a scorecard on chain: its id (keccak-256 of the artifact) and holdout metrics."""
    from ledger.cli.common import runtime
    from ledger.scoring.anchor import model_store, register_model
    from ledger.scoring.artifact import read_artifact

    artifact = read_artifact(model)
    with runtime() as rt:
        reg = register_model(
            rt.registry("attester"), model_store(rt.settings.data_dir), artifact, uri or str(model)
        )
    payload = {
        "model_id": reg.model_id,
        "metrics_bps": reg.metrics,
        "already_registered": reg.already,
    }
    if as_json:
        _emit(payload)
        return
    state = "was already registered" if reg.already else "registered on chain"
    console.print(f"model {reg.model_id} {state}; metrics (bp) {reg.metrics}")


@app.command("report")
@_clean_errors
def report_cmd(
    model: ModelArg,
    data: Annotated[
        Path, typer.Argument(help="labelled CSV (the model's target column)", dir_okay=False)
    ],
    out: Annotated[
        Path | None, typer.Option(help="Markdown file (plots go beside it)", dir_okay=False)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a scorecard on a labelled file and write a report (default: beside the model)."""
    from ledger.scoring.data import read_csv
    from ledger.scoring.report import ReportPaths, report_paths, write_report
    from ledger.scoring.score import Scorecard
    from ledger.scoring.validate import validate_table

    card = Scorecard.load(model)
    validation = validate_table(card, read_csv(data))
    paths = (
        ReportPaths(out, out.with_suffix("")) if out else report_paths(model, f"{data.stem}.report")
    )
    written = write_report(card, validation, paths, sample_name=data.name)
    payload = {**validation.summary(), "model_id": card.model_id, "report": str(written)}
    if as_json:
        _emit(payload)
        return
    _print_metrics(data.name, payload)
    console.print(f"report {written}")


@app.command("explain")
@_clean_errors
def explain_cmd(
    model: ModelArg,
    data: DataArg,
    row: Annotated[
        int, typer.Option(help="data row to explain, 1 = first row after the header")
    ] = 1,
    top: Annotated[int, typer.Option(help="adverse reasons to give")] = 4,
    ignore: Annotated[
        list[str] | None, typer.Option(help="extra column to allow (repeatable)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Points per feature for one applicant and the top adverse reasons."""
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
        _emit(payload)
        return
    console.print(
        f"row {row}: score {scored.score}, grade {scored.grade}, PD {scored.pd_bps / 100:.2f}%"
    )
    t = RichTable("feature", "value", "bin", "points", "best", "shortfall")
    for d in scored.details:
        t.add_row(d.feature, d.value, d.bin, str(d.points), str(d.max_points), str(d.shortfall))
    console.print(t)
    for r in payload["reasons"]:
        console.print(
            f"{r['code']}  {r['feature']}: {r['bin']} ({r['shortfall']} points below the best)"
        )


def _print_metrics(label: str, m: dict[str, Any]) -> None:
    table = RichTable("sample", "AUC", "KS", "Gini", "PSI")
    table.add_row(label, f"{m['auc']:.4f}", f"{m['ks']:.4f}", f"{m['gini']:.4f}", f"{m['psi']:.4f}")
    console.print(table)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="score")
