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
    out: Annotated[Path, typer.Option(help="where to write the methodology file", dir_okay=False)],
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
    console.print(table, width=min(console.width, 100))
    if written:
        console.print(f"report: {written}")


def publish_cmd(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="the pool's deal spec")],
    tape_path: Annotated[
        Path, typer.Argument(metavar="TAPE", help="loan tape CSV with a pd_bps column")
    ],
    pool: Annotated[str, typer.Option(help="pool address")],
    tranche: Annotated[str, typer.Option(help="tranche name or index")],
    methodology: Annotated[Path | None, typer.Option(help="methodology file")] = None,
    outlook: Annotated[str, typer.Option(help="positive, stable or negative")] = "stable",
    watch: Annotated[str, typer.Option(help="none, positive, negative or developing")] = "none",
    valid_days: Annotated[int, typer.Option(min=1, max=3650, help="days until expiry")] = 365,
    pd_from_records: Annotated[
        bool, typer.Option(help="read each loan's pd_bps from its attested score record")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Rate a tranche and attest the rating (agency key); supersedes the current rating."""
    from ledger.cli.common import runtime
    from ledger.errors import checked_address
    from ledger.ratings.methodology import Methodology, read_methodology
    from ledger.ratings.outcome import rate_files
    from ledger.ratings.service import RatingService

    with runtime() as rt, _clean_errors():
        address = checked_address("--pool", pool)
        method = read_methodology(methodology) if methodology else Methodology()
        outcome = rate_files(spec_path, tape_path, method, rt.engine if pd_from_records else None)
        names = outcome.spec.tranche_names
        index = names.index(tranche) if tranche in names else _index(tranche, len(names))
        rt.indexer().poll_once()
        published = RatingService(rt).publish(
            outcome, address, index, outlook=outlook, watch=watch, valid_seconds=valid_days * 86_400
        )
    body = {
        "commitment": published.record.commitment_hex,
        "tx_hash": published.tx_hash,
        "superseded": published.superseded,
        "feed_tx": published.feed_tx,
        "pending": published.pending,
        "record": published.record.to_dict(),
    }
    if as_json:
        print(json.dumps(body))
        return
    r = published.record
    console.print(
        f"{r.tranche_name} of {r.pool}: {r.grade} ({r.outlook}, watch {r.watch}), "
        f"commitment {body['commitment']}"
        + (f", supersedes {published.superseded}" if published.superseded else "")
        + (", posted to the pool's rating feed" if published.feed_tx else "")
    )
    if published.pending:
        console.print(
            f"[yellow]feed post or supersession failed ({published.pending}); "
            "`credence rating sync` finishes it[/yellow]"
        )


def _index(text: str, count: int) -> int:
    from ledger.ratings.records import RatingRecordError

    if not text.isdigit() or int(text) >= count:
        raise RatingRecordError("--tranche", f"not a tranche name or an index 0..{count - 1}")
    return int(text)


def history_cmd(
    pool: Annotated[str, typer.Argument(metavar="POOL", help="pool address")],
    tranche: Annotated[int | None, typer.Option(min=0, max=7, help="only this index")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every rating of a pool, oldest first, with its status on the registry now."""
    from ledger.cli.common import runtime
    from ledger.errors import checked_address
    from ledger.ratings.service import RatingService

    with _clean_errors():
        address = checked_address("POOL", pool)
    with runtime() as rt:
        svc = RatingService(rt)
        rows = [(r, svc.status(r.commitment)) for r in svc.history(address, tranche)]
    if as_json:
        print(
            json.dumps(
                [{**json.loads(r.record), "commitment": r.commitment, "status": s} for r, s in rows]
            )
        )
        return
    table = Table(
        "tranche", "grade", "watch", "status", "commitment", "block", title=f"ratings of {address}"
    )
    for r, s in rows:
        table.add_row(
            str(r.tranche), r.grade, r.watch, s, r.commitment[:18] + "…", str(r.block_number)
        )
    console.print(table, width=min(console.width, 100))


def revoke_cmd(
    commitment: Annotated[str, typer.Argument(metavar="COMMITMENT")],
    reason: Annotated[int, typer.Option(help="reason code 1..999")],
    as_json: JsonOpt = False,
) -> None:
    """Revoke a rating (agency key)."""
    from ledger.cli.common import parse_hex32, runtime
    from ledger.ratings.service import RatingService

    key = "0x" + parse_hex32(commitment, "COMMITMENT").hex()
    with runtime() as rt, _clean_errors():
        tx = RatingService(rt).revoke(key, reason)
    if as_json:
        print(json.dumps({"commitment": key, "tx_hash": tx}))
    else:
        console.print(f"revoked {key} (reason {reason}) in {tx}")


def sync_cmd(as_json: JsonOpt = False) -> None:
    """Post to the feeds and revoke the superseded ratings that a failed publish left."""
    from ledger.cli.common import runtime
    from ledger.ratings.service import RatingService
    from ledger.ratings.sync import sync_ratings

    with runtime() as rt, _clean_errors():
        report = sync_ratings(RatingService(rt))
    if as_json:
        print(json.dumps(report.to_dict()))
    else:
        for commitment in report.posted:
            console.print(f"posted {commitment} to its pool's rating feed")
        for commitment in report.revoked:
            console.print(f"revoked {commitment} (superseded)")
        for commitment, why in report.failed.items():
            console.print(f"[red]failed[/red] {commitment}: {why} (run sync again)")
        if not (report.posted or report.revoked or report.failed):
            console.print("ratings in sync: nothing to post or revoke")
    if report.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    rating_app.command("methodology")(methodology_cmd)
    rating_app.command("run")(run_cmd)
    rating_app.command("publish")(publish_cmd)
    rating_app.command("history")(history_cmd)
    rating_app.command("revoke")(revoke_cmd)
    rating_app.command("sync")(sync_cmd)
    app.add_typer(rating_app, name="rating")
