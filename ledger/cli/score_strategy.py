"""``credence score strategy``: approve / refer / decline cut-offs for a target, as an artifact."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ledger.cli.score import JsonOpt, ModelArg, app, clean_errors, console, emit
from ledger.scoring.errors import ConfigError


@app.command("strategy")
@clean_errors
def strategy_cmd(
    model: ModelArg,
    data: Annotated[
        Path, typer.Argument(help="labelled CSV (the model's target column)", dir_okay=False)
    ],
    out: Annotated[Path, typer.Option(help="strategy artifact to write (JSON)", dir_okay=False)],
    target_bad_rate: Annotated[
        float | None, typer.Option(help="highest bad rate among approved rows, e.g. 0.05")
    ] = None,
    target_approval_rate: Annotated[
        float | None, typer.Option(help="lowest share of rows approved, e.g. 0.7")
    ] = None,
    refer_width: Annotated[int, typer.Option(help="points below approval that refer")] = 20,
    band_width: Annotated[int, typer.Option(help="points per gains-table band")] = 20,
    limit: Annotated[
        list[str] | None, typer.Option(help="GRADE=AMOUNT credit limit (repeatable)")
    ] = None,
    price: Annotated[list[str] | None, typer.Option(help="GRADE=BPS price (repeatable)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose cut-offs on a labelled sample; print the gains table and the decisions."""
    from ledger.scoring.artifact import write_artifact
    from ledger.scoring.data import read_csv
    from ledger.scoring.fairness import group_rates
    from ledger.scoring.score import Scorecard
    from ledger.scoring.strategy import Target, build_strategy, parse_terms
    from ledger.scoring.validate import bad_flags

    if (target_bad_rate is None) == (target_approval_rate is None):
        raise ConfigError(
            "give exactly one of --target-bad-rate and --target-approval-rate", column="target"
        )
    kind, rate = (
        ("bad_rate", target_bad_rate)
        if target_bad_rate is not None
        else ("approval_rate", target_approval_rate)
    )
    if not 0 <= rate <= 1:  # false for NaN too, which round() would raise on
        option = "--target-" + kind.replace("_", "-")
        raise ConfigError(f"{option}: must be a rate from 0 to 1, got {rate}")
    target = Target(kind, round(rate * 10_000))
    card = Scorecard.load(model)
    table = read_csv(data)
    spec = card.artifact["target"]
    is_bad = bad_flags(table, spec["column"], spec["bad"])
    scores = card.score_table(table).score
    plan = build_strategy(
        card,
        scores,
        is_bad,
        target,
        sample=data.name,
        refer_width=refer_width,
        band_width=band_width,
        limits=parse_terms(limit, "limit"),
        prices=parse_terms(price, "price"),
    )
    sid = write_artifact(plan, out)
    protected = card.artifact["columns"].get("protected", [])
    fairness = group_rates(table, protected, scores, is_bad, plan["cutoffs"]["approve_min"])
    payload = {
        "strategy_id": sid,
        "model_id": card.model_id,
        "cutoffs": plan["cutoffs"],
        "expected": plan["expected"],
        "terms": plan["terms"],
        "gains": plan["gains"],
        "fairness": [g.to_dict() for g in fairness],
        "out": str(out),
    }
    if as_json:
        emit(payload)
        return
    _print(plan, sid, out, [g.to_dict() for g in fairness if g.flagged])


def _pct(bps: int) -> str:
    return f"{bps / 100:.1f}%"


def _print(plan: dict[str, Any], sid: str, out: Path, flagged: list[dict[str, Any]]) -> None:
    gains = RichTable(
        "band",
        "rows",
        "bads",
        "bad rate",
        "approve %",
        "approved bad %",
        "bad capture",
        title=f"gains table ({plan['sample']['name']})",
    )
    for r in plan["gains"]:
        gains.add_row(
            f"{r['min_score']}-{r['max_score']}",
            f"{r['rows']:,}",
            f"{r['bads']:,}",
            _pct(r["bad_rate_bps"]),
            _pct(r["approval_rate_bps"]),
            _pct(r["approved_bad_rate_bps"]),
            _pct(r["bad_capture_bps"]),
        )
    console.print(gains)
    cut = plan["cutoffs"]
    ranges = {
        "approve": f">= {cut['approve_min']}",
        "refer": f"{cut['refer_min']} .. {cut['approve_min'] - 1}",
        "decline": f"< {cut['refer_min']}",
    }
    target = plan["target"]
    table = RichTable(
        "decision",
        "scores",
        "rows",
        "share",
        "bad rate",
        title=f"cut-offs for {target['kind'].replace('_', ' ')} {_pct(target['bps'])}",
    )
    for name, e in plan["expected"].items():
        table.add_row(
            name, ranges[name], f"{e['rows']:,}", _pct(e["share_bps"]), _pct(e["bad_rate_bps"])
        )
    console.print(table)
    if plan["terms"]:
        terms = RichTable("grade", "limit", "price (bps)", title="terms by grade")
        for grade, t in plan["terms"].items():
            terms.add_row(grade, str(t["limit"] or ""), str(t["price_bps"] or ""))
        console.print(terms)
    for g in flagged:
        console.print(
            f"adverse impact ratio {g['adverse_impact_ratio']:.2f} < 0.8: "
            f"{g['column']} = {g['group']}"
        )
    console.print(f"strategy id {sid}\nartifact    {out}")
