"""Rating commands: write a methodology file, rate a deal's tranches, print its report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.common import console, fail

rating_app = typer.Typer(help="Tranche ratings by a reproducible method.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]


@contextmanager
def _clean_errors() -> Iterator[None]:
    """Bad input becomes one line on stderr and exit code 2."""
    from ledger.deals.simulator import ScenarioError
    from ledger.deals.spec import DealSpecError
    from ledger.errors import FieldError
    from ledger.ratings.method import RatingError

    try:
        yield
    except (DealSpecError, ScenarioError, FieldError, RatingError) as exc:
        fail(str(exc))


def methodology_cmd(
    out: Annotated[Path, typer.Option(help="where to write the methodology file")],
    paths: Annotated[int | None, typer.Option(help="Monte Carlo paths")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed")] = None,
    correlation_bps: Annotated[int | None, typer.Option(help="asset correlation, bps")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a methodology file (defaults documented in docs/ratings.md) and print its hash."""
    from ledger.ratings.methodology import parse_methodology, write_methodology

    given = {"paths": paths, "seed": seed, "correlation_bps": correlation_bps}
    with _clean_errors():
        method = parse_methodology({k: v for k, v in given.items() if v is not None})
    digest = write_methodology(method, out)
    if as_json:
        print(json.dumps({"path": str(out), "methodology_hash": digest}))
    else:
        console.print(f"{out}: methodology hash {digest}")


def run_cmd(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="deal spec, YAML or JSON")],
    tape_path: Annotated[
        Path, typer.Argument(metavar="TAPE", help="loan tape CSV with a pd_bps column")
    ],
    methodology: Annotated[
        Path | None, typer.Option(help="methodology file (default: the documented defaults)")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="write rating.md and the loss plot to this directory")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rate every tranche of a deal over a loan tape; the same inputs give the same grades."""
    from ledger.ratings.methodology import Methodology, read_methodology
    from ledger.ratings.outcome import rate_files, write_report

    with _clean_errors():
        method = read_methodology(methodology) if methodology else Methodology()
        outcome = rate_files(spec_path, tape_path, method)
    written = write_report(outcome, report) if report else None
    if as_json:
        body = outcome.as_json()
        if written:
            body["report"] = str(written)
        print(json.dumps(body))
        return
    title = (
        f"{outcome.spec.name}: {outcome.run.paths:,} paths, seed {method.seed}, "
        f"method {method.hash[:10]}…"
    )
    table = Table("tranche", "size", "grade", "P(loss) bps", "EL bps", "loss paths", title=title)
    unit = 10**outcome.spec.settlement_token.decimals
    for t in outcome.run.tranches:
        table.add_row(
            t.name,
            f"{t.size / unit:,.0f}",
            t.grade,
            str(t.loss_probability_bps),
            str(t.expected_loss_bps),
            str(int((t.losses > 0).sum())),
        )
    console.print(table)
    if written:
        console.print(f"report: {written}")


def register(app: typer.Typer) -> None:
    rating_app.command("methodology")(methodology_cmd)
    rating_app.command("run")(run_cmd)
    app.add_typer(rating_app, name="rating")
