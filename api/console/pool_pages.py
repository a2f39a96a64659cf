"""Pool pages for structurers, servicers, investors and auditors: tranche balances over
time, each period's waterfall as a chart and a table, triggers with headroom, credit
enhancement, the investor report, and an investor's own holdings and claims."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.console.auth import allow
from api.console.render import POOLS, PageError, render
from api.console.svg import PALETTE, Bar, Column, hbars, stacked
from api.deps import Caller, Role, services
from ledger.deals.service import DealError
from ledger.guarantees import positions
from ledger.store.deal_tables import DealPeriod, DealPeriodTranche, DealPool

router = APIRouter(prefix="/console/pools", include_in_schema=False)
PoolReader = Annotated[Caller, Depends(allow(POOLS))]
BPS = 10_000


def _deals(request: Request) -> Any:
    return services(request).deals


def _pool(request: Request, address: str) -> DealPool:
    try:
        return _deals(request).pool_row(address)
    except DealError as exc:
        raise PageError(404, str(exc), field="address") from exc


def tx_link(tx_hash: str) -> str:
    return f"/console/tx/{tx_hash}"


@router.get("", response_class=HTMLResponse)
def pools(request: Request, caller: PoolReader) -> Response:
    return render(request, caller, "pools.html", pools=_deals(request).pools())


def credit_enhancement(pool: DealPool, balances: list[int]) -> list[int | None]:
    """Per tranche, in bps of the pool balance: collateral and reserve not needed by it
    and the tranches senior to it, rounded down; None once the pool balance is zero."""
    if pool.pool_balance == 0:
        return [None] * len(balances)
    out, senior = [], 0
    for balance in balances:
        senior += balance
        cover = pool.pool_balance + pool.reserve - senior
        out.append(cover * BPS // pool.pool_balance)
    return out


def triggers(pool: DealPool, last: DealPeriod | None) -> list[dict[str, Any]]:
    """OC and IC tests: ratio, minimum, headroom (ratio less minimum) and the period's tx."""
    if last is None:
        return []
    return [
        {
            "name": name,
            "ratio": ratio,
            "minimum": minimum,
            "headroom": ratio - minimum,
            "passed": passed,
            "tx": last.tx_hash,
        }
        for name, ratio, minimum, passed in (
            ("over-collateralisation", last.oc_ratio_bps, pool.oc_trigger_bps, last.oc_pass),
            ("interest coverage", last.ic_ratio_bps, pool.ic_trigger_bps, last.ic_pass),
        )
    ]


def _holder(request: Request, caller: Caller) -> str | None:
    if caller.role is not Role.investor or caller.investor is None:
        return None
    return _deals(request).account(caller.investor).address


@router.get("/{address}", response_class=HTMLResponse)
def pool_page(request: Request, address: str, caller: PoolReader) -> Response:
    deals = _deals(request)
    pool = _pool(request, address)
    tranches = deals.tranches(pool.address)
    names = [name for name, _ in tranches]
    periods = deals.periods(pool.address)
    columns = [
        Column("close", [(n, t.face) for n, t in tranches], tx_link(pool.tx_hash))
    ] + [
        Column(f"P{p.period}", [(names[t.tranche], t.balance) for t in rows], f"{pool.address}/periods/{p.period}")
        for p, rows in periods
    ]  # fmt: skip
    holder = _holder(request, caller)
    own = deals.holdings(pool.address, holder) if holder else []
    claimable = dict(deals.claimable(pool.address, holder)) if holder else {}
    last = periods[-1][0] if periods else None
    engine = services(request).runtime.engine
    return render(
        request, caller, "pool.html", pool=pool, tranches=tranches, periods=periods,
        chart=stacked(columns, names), triggers=triggers(pool, last),
        enhancement=credit_enhancement(pool, [t.balance for _, t in tranches]),
        facilities=positions.facilities(engine, pool.address),
        cover_periods=positions.pool_enhancement(engine, pool.address),
        holder=holder, holdings=own, claimable=claimable,
        subscriptions=deals.subscriptions(pool.address), names=names,
    )  # fmt: skip


def waterfall_bars(
    period: DealPeriod,
    rows: list[DealPeriodTranche],
    names: list[str],
    cover: dict[str, Any] | None = None,
) -> list[Bar]:
    """The period's cash, in waterfall order, each bar linking to the period's transaction;
    ``cover`` (a ``positions.pool_enhancement`` row) adds the facilities' cash."""
    link = tx_link(period.tx_hash)
    bars = [Bar("collections (cash in)", period.cash_in, link, PALETTE[5])]
    if cover:
        bars += [
            Bar("guarantee draw (cash in)", cover["draw"], link, PALETTE[5]),
            Bar("insurance claim (cash in)", cover["claim_paid"], link, PALETTE[5]),
        ]
    bars += [
        Bar("servicer fee", period.servicer_fee_paid, link, PALETTE[4]),
        Bar("trustee fee", period.trustee_fee_paid, link, PALETTE[4]),
    ]
    if cover:
        bars.append(Bar("cover premiums", cover["premiums"], link, PALETTE[4]))
    for t in rows:
        bars.append(Bar(f"{names[t.tranche]} interest", t.interest_paid, link, PALETTE[1]))
    for t in rows:
        bars.append(Bar(f"{names[t.tranche]} principal", t.principal_paid, link, PALETTE[0]))
    bars.append(
        Bar("reserve change", period.reserve_after - period.reserve_before, link, PALETTE[3])
    )
    if cover:
        back = cover["subrogation"] + cover["insurer_recoveries"]
        bars.append(Bar("recoveries to guarantor and insurer", back, link, PALETTE[3]))
    bars.append(Bar("residual to equity", period.residual_to_equity, link, PALETTE[2]))
    return bars


@router.get("/{address}/periods/{number}", response_class=HTMLResponse)
def period_page(request: Request, address: str, number: int, caller: PoolReader) -> Response:
    deals = _deals(request)
    pool = _pool(request, address)
    try:
        period, rows = deals.period(pool.address, number)
    except DealError as exc:
        raise PageError(404, str(exc), field="period") from exc
    names = deals.tranche_names(pool.address, pool.tranche_count)
    settled = positions.pool_enhancement(services(request).runtime.engine, pool.address)
    cover = next((c for c in settled if c["period"] == number), None)
    bars = waterfall_bars(period, rows, names, cover)
    return render(
        request, caller, "period.html", pool=pool, period=period, rows=rows, names=names,
        bars=bars, chart=hbars(bars), triggers=triggers(pool, period),
    )  # fmt: skip


@router.get("/{address}/report", response_class=HTMLResponse)
def report_page(request: Request, address: str, caller: PoolReader) -> Response:
    deals = _deals(request)
    pool = _pool(request, address)
    reports = deals.investor_reports(pool.address)
    txs = {p.period: p.tx_hash for p, _ in deals.periods(pool.address)}
    return render(request, caller, "report.html", pool=pool, reports=reports, txs=txs)
