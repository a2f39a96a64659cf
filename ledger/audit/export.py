"""Export: CSV and JSON per pool, per period and per attester, with transaction hashes,
blocks and block times; each pool's journal; and an HTML audit report whose SHA-256 is
written beside it (``report.html.sha256``) so the report itself can be anchored and checked,
with a PDF copy where Chromium can print one.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ledger.audit.anchor import RECORD_NAME, REPORT_VERSION, SUMMARY_NAME
from ledger.audit.journal import Entry, held_check, journal, unbalanced
from ledger.audit.pdf import print_pdf
from ledger.audit.reconcile import Reconciliation
from ledger.store.cover_tables import CoverSettlement
from ledger.store.deal_tables import DealPeriod, DealPeriodTranche, DealPool, DealSubscription
from ledger.store.tables import Attester, OnchainRecord

BlockTime = Callable[[int], int]


@dataclass
class ExportResult:
    directory: Path
    files: list[Path] = field(default_factory=list)
    report_sha256: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_table(base: Path, rows: Sequence[dict[str, Any]], out: ExportResult) -> None:
    """``base``.csv and ``base``.json with the same rows (CSV header from the first row)."""
    base.parent.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = base.with_suffix(".json"), base.with_suffix(".csv")
    json_path.write_text(json.dumps(list(rows), indent=2, default=str))
    with csv_path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        if rows:
            writer.writerow(rows[0].keys())
            writer.writerows([r.values() for r in rows])
    out.files += [csv_path, json_path]


def _timed(row: dict[str, Any], block: int, block_time: BlockTime) -> dict[str, Any]:
    ts = block_time(block)
    return {**row, "block_number": block, "block_time": ts, "block_time_utc": iso(ts)}


def pool_rows(
    engine: Engine, address: str, block_time: BlockTime, entries: list[Entry]
) -> dict[str, list[dict]]:
    """The pool's periods (with per-tranche figures), subscriptions, journal and (for a
    covered pool) its guarantee and insurance settlements by period, as rows."""
    with Session(engine) as s:
        cover = s.exec(
            select(CoverSettlement)
            .where(CoverSettlement.pool == address)
            .order_by(CoverSettlement.period, CoverSettlement.kind)
        ).all()
        periods = s.exec(
            select(DealPeriod).where(DealPeriod.pool == address).order_by(DealPeriod.period)
        ).all()
        tranches = s.exec(select(DealPeriodTranche).where(DealPeriodTranche.pool == address)).all()
        subs = s.exec(
            select(DealSubscription)
            .where(DealSubscription.pool == address)
            .order_by(DealSubscription.id)
        ).all()
    period_rows = []
    for p in periods:
        row = p.model_dump(exclude={"event_args", "block_number"})
        period_rows.append(_timed(row, p.block_number, block_time))
    tranche_rows = [t.model_dump() for t in sorted(tranches, key=lambda t: (t.period, t.tranche))]
    sub_rows = [
        _timed(x.model_dump(exclude={"id", "block_number"}), x.block_number, block_time)
        for x in subs
    ]
    journal_rows = [_timed(asdict(e), e.block, block_time) for e in entries]
    for row in journal_rows:
        del row["block"]
    out = {
        "periods": period_rows,
        "period_tranches": tranche_rows,
        "subscriptions": sub_rows,
        "journal": journal_rows,
    }
    if cover:
        out["cover_settlements"] = [
            _timed(c.model_dump(exclude={"block_number"}), c.block_number, block_time)
            for c in cover
        ]
    return out


def attester_rows(engine: Engine, attester_id: int, block_time: BlockTime) -> list[dict]:
    with Session(engine) as s:
        records = s.exec(
            select(OnchainRecord)
            .where(OnchainRecord.attester_id == attester_id)
            .order_by(OnchainRecord.block_number, OnchainRecord.key)
        ).all()
    return [
        _timed(r.model_dump(exclude={"block_number"}), r.block_number, block_time) for r in records
    ]


def export_all(
    engine: Engine,
    directory: Path,
    block_time: BlockTime,
    reconciliation: Reconciliation | None = None,
    chain_balances: Callable[[str], dict[str, int]] | None = None,
    pdf: bool = True,
    head: dict[str, Any] | None = None,
) -> ExportResult:
    """Write every export under ``directory`` and the HTML report last (it lists them).

    ``head`` names the chain state exported (``head_block``, ``head_block_hash``,
    ``state_digest``); it goes into the report and ``report.json``, which an anchor
    record repeats. An earlier anchor record no longer matches, so it is removed."""
    out = ExportResult(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / RECORD_NAME).unlink(missing_ok=True)
    with Session(engine) as s:
        pools = s.exec(select(DealPool).order_by(DealPool.created_block)).all()
        attesters = s.exec(select(Attester).order_by(Attester.attester_id)).all()
    pool_summaries = []
    for pool in pools:
        entries = journal(engine, pool.address)
        rows = pool_rows(engine, pool.address, block_time, entries)
        base = directory / "pools" / pool.address
        for name, table in rows.items():
            write_table(base / name, table, out)
        for period in rows["periods"]:
            number = period["period"]
            figures = [t for t in rows["period_tranches"] if t["period"] == number]
            write_table(
                base / "periods" / f"period-{number}", [period | {"tranches": figures}], out
            )
        pool_summaries.append(_pool_summary(pool, entries, chain_balances))
    attester_summaries = []
    for attester in attesters:
        rows = attester_rows(engine, attester.attester_id, block_time)
        write_table(directory / "attesters" / str(attester.attester_id) / "records", rows, out)
        attester_summaries.append(
            {"id": attester.attester_id, "name": attester.name, "records": len(rows)}
        )
    out.summary = {
        "report_version": REPORT_VERSION,
        **(head or {"head_block": None, "head_block_hash": None, "state_digest": None}),
        "reconciled_equal": reconciliation.equal if reconciliation else None,
    }
    (directory / SUMMARY_NAME).write_text(json.dumps(out.summary, indent=2) + "\n")
    out.files.append(directory / SUMMARY_NAME)
    report = render_report(
        pool_summaries, attester_summaries, reconciliation, out.files, directory, out.summary
    )
    path = directory / "report.html"
    path.write_bytes(report)
    out.report_sha256 = hashlib.sha256(report).hexdigest()
    (directory / "report.html.sha256").write_text(f"{out.report_sha256}  report.html\n")
    out.files += [path, directory / "report.html.sha256"]
    if pdf and print_pdf(path, directory / "report.pdf"):
        out.files.append(directory / "report.pdf")
    return out


def _pool_summary(
    pool: DealPool, entries: list[Entry], chain_balances: Callable[[str], dict[str, int]] | None
) -> dict[str, Any]:
    chain = chain_balances(pool.address) if chain_balances else {}
    return {
        "address": pool.address,
        "state": pool.state,
        "periods": pool.periods,
        "entries": len(entries),
        "unbalanced": unbalanced(entries),
        "held": held_check(entries, chain),
    }


def render_report(
    pools: list[dict],
    attesters: list[dict],
    reconciliation: Reconciliation | None,
    files: Iterable[Path],
    directory: Path,
    summary: dict[str, Any],
) -> bytes:
    env = Environment(loader=PackageLoader("ledger.audit"), autoescape=select_autoescape())
    html = env.get_template("report.html").render(
        pools=pools,
        attesters=attesters,
        summary=summary,
        reconciliation=reconciliation.to_json() if reconciliation else None,
        files=[
            {"path": str(f.relative_to(directory)), "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}
            for f in files
        ],
    )  # fmt: skip
    return html.encode()
