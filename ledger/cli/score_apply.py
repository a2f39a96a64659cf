"""``credence score apply``: score a CSV, optionally decide by a strategy and attest.

The output CSV has the columns ``credence attest`` reads (``subject_id``, ``score``,
``grade``, ``pd_bps``, ``reasons`` separated by ``;``), so the two chain as written in
the README. Rows that cannot be scored stop the command, naming row and column, unless
``--skip-invalid``: then they are listed (and written to ``--rejects``) and only the
other rows are scored and attested.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ledger.cli.score import DataArg, JsonOpt, ModelArg, app, clean_errors, console, emit
from ledger.scoring.errors import ScoringError

TEXT_SEPARATOR = " | "  # between reason texts in one CSV cell (texts may hold ";" or ",")


@app.command("apply")
@clean_errors
def apply_cmd(
    model: ModelArg,
    data: DataArg,
    out: Annotated[Path, typer.Option(help="CSV of scores to write", dir_okay=False)],
    id_column: Annotated[
        str | None,
        typer.Option(help="customer id column, written as subject_id (pseudonymised on attest)"),
    ] = None,
    strategy: Annotated[
        Path | None,
        typer.Option(help="strategy artifact: adds each row's decision", dir_okay=False),
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="score (and attest) the good rows; list the refused ones")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="with --skip-invalid: CSV of refused rows", dir_okay=False)
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="unseen categories are errors, not the Unseen bin")
    ] = False,
    ignore: Annotated[
        list[str] | None, typer.Option(help="extra column to allow (repeatable)")
    ] = None,
    top: Annotated[int, typer.Option(help="adverse reasons per row", min=0)] = 4,
    attest: Annotated[
        bool, typer.Option(help="attest every score on chain (the model must be registered)")
    ] = False,
    valid_days: Annotated[int, typer.Option(help="validity of attested records")] = 365,
    as_json: JsonOpt = False,
) -> None:
    """Score every row of a CSV: score, grade, PD (bps), adverse reasons (codes and texts)."""
    from ledger.scoring.artifact import read_json
    from ledger.scoring.data import Table, read_csv
    from ledger.scoring.score import Scorecard
    from ledger.scoring.strategy import DECISIONS, check_strategy, decide, strategy_id
    from ledger.scoring.validate import drift

    card = Scorecard.load(model)
    plan = check_strategy(read_json(strategy), card) if strategy else None
    table = read_csv(data)
    keep = set(ignore or ()) | ({id_column} if id_column else set())
    if id_column and id_column not in table.columns:
        raise ScoringError("no such column for --id-column", column=id_column)
    errors = card.row_errors(table.columns, strict=strict, ignore=keep)
    if errors and not skip_invalid:
        first = next(iter(errors.values()))
        raise ScoringError(
            f"{first}; {len(errors)} of {table.n_rows} rows cannot be scored, nothing was "
            "written or attested (--skip-invalid scores and attests the other rows)"
        )
    good = [i for i in range(table.n_rows) if i not in errors]
    if not good:
        raise ScoringError(f"none of the {table.n_rows} rows can be scored")
    table = Table({n: c[good] for n, c in table.columns.items()}, len(good))
    scores = card.score_table(table, strict=strict, ignore=keep)
    subjects = [str(v) for v in table.columns[id_column]] if id_column else None
    decisions = [DECISIONS[k] for k in decide(scores.score, plan["cutoffs"])] if plan else None
    commitments = (
        _attest(
            card,
            scores.rows(top),
            subjects or [f"row-{i + 1}" for i in good],
            valid_days,
            plan,
            quiet=as_json,
        )
        if attest
        else None
    )
    _write(out, good, subjects, scores, top, decisions, commitments)
    if rejects and errors:
        _write_rejects(rejects, errors)
    grades = dict.fromkeys(card.grade_names, 0)
    for g in scores.grades:
        grades[g] += 1
    payload: dict[str, Any] = {
        "model_id": card.model_id,
        "rows": len(scores),
        "refused": [_refusal(i, e) for i, e in errors.items()],
        "grades": grades,
        "psi": round(drift(card, scores.score), 4),
        "out": str(out),
        "attested": len(commitments) if commitments else 0,
    }
    if plan:
        payload["strategy_id"] = strategy_id(plan)
        payload["decisions"] = {d: decisions.count(d) for d in DECISIONS}
    if as_json:
        emit(payload)
        return
    _print(payload, len(scores))


def _refusal(i: int, error: ScoringError) -> dict[str, Any]:
    return {"row": i + 1, "column": error.column, "reason": error.reason}


def _write(
    out: Path,
    good: list[int],
    subjects: list[str] | None,
    scores: Any,
    top: int,
    decisions: list[str] | None,
    commitments: list[tuple[str, str]] | None,
) -> None:
    header = ["row", *(["subject_id"] if subjects else []), "score", "grade", "pd_bps"]
    header += ["reasons", "reason_texts", *(["decision"] if decisions else [])]
    header += ["commitment", "batch_root"] if commitments else []
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        columns = zip(
            good,
            scores.score.tolist(),
            scores.grades,
            scores.pd_bps.tolist(),
            scores.reason_codes(top),
            scores.reason_texts(top),
            strict=True,
        )
        for k, (i, score, grade, pd_bps, codes, texts) in enumerate(columns):
            line = [i + 1, *([subjects[k]] if subjects else []), score, grade, pd_bps]
            line += [";".join(codes), TEXT_SEPARATOR.join(texts)]
            line += [decisions[k]] if decisions else []
            line += list(commitments[k]) if commitments else []
            writer.writerow(line)


def _write_rejects(path: Path, errors: dict[int, ScoringError]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "column", "reason"])
        for i, e in errors.items():
            writer.writerow([i + 1, e.column or "", e.reason])


def _print(payload: dict[str, Any], n: int) -> None:
    table = RichTable("grade", "rows", "share")
    for g, k in payload["grades"].items():
        table.add_row(g, f"{k:,}", f"{k / n:.1%}")
    console.print(table)
    if "decisions" in payload:
        console.print(
            "decisions: " + ", ".join(f"{d} {k:,}" for d, k in payload["decisions"].items())
        )
    console.print(
        f"{n:,} rows scored to {payload['out']}; PSI against training {payload['psi']:.4f}"
    )
    for r in payload["refused"][:10]:
        console.print(f"refused row {r['row']}, column {r['column']!r}: {r['reason']}")
    if len(payload["refused"]) > 10:
        console.print(f"... and {len(payload['refused']) - 10} more refused rows")
    if payload["attested"]:
        console.print(
            f"{payload['attested']:,} scores attested; {len(payload['refused']):,} refused rows "
            "were not"
        )


def _attest(
    card: Any,
    rows: list[Any],
    subjects: list[str],
    valid_days: int,
    plan: dict[str, Any] | None,
    *,
    quiet: bool,
) -> list[tuple[str, str]]:
    """Attest the scored rows in batches, with a progress bar unless ``quiet`` (``--json``
    prints one object and nothing else); returns (commitment, root) per row."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ledger.cli.common import fail, runtime
    from ledger.scoring.anchor import score_records
    from ledger.scoring.strategy import strategy_id

    out: list[tuple[str, str]] = []
    with runtime() as rt:
        service = rt.attestation_service()
        try:
            if not service.model_known(card.model_id):
                fail(f"model {card.model_id} is not registered: run `credence score register`")
            if plan and not service.model_known(strategy_id(plan)):
                fail(
                    f"strategy {strategy_id(plan)} is not registered: "
                    "run `credence score register STRATEGY.json`"
                )
            columns = (TextColumn("attesting"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=console, disable=quiet) as progress:
                task = progress.add_task("attest", total=len(rows))
                for start in range(0, len(rows), 5_000):
                    part = slice(start, start + 5_000)
                    records = score_records(
                        service,
                        card,
                        subjects[part],
                        rows[part],
                        valid_days=valid_days,
                        strategy=plan,
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
