"""Reads from the index (``ledger.store.deal_tables``), which the chain's events fill."""

from __future__ import annotations

from sqlmodel import Session, select

from ledger.deals.service.base import ServiceBase
from ledger.deals.service.inputs import (
    DealNotFound,
)
from ledger.store.deal_tables import (
    DealHolding,
    DealInvestor,
    DealPeriod,
    DealPeriodTranche,
    DealPool,
    DealSubscription,
    DealTranche,
    InvestorAccount,
)


class IndexReads(ServiceBase):
    """Pools, tranches, periods, holdings and investors as indexed."""

    def sync(self) -> int:
        """Bring the index up to the chain head (the CLI's reads; the API's indexer runs on
        its own thread)."""
        return self.runtime.indexer().poll_once()

    def pools(self) -> list[DealPool]:
        with Session(self.runtime.engine) as session:
            return list(session.exec(select(DealPool).order_by(DealPool.created_block)).all())

    def tranches(self, address: str) -> list[tuple[str, DealTranche]]:
        """``(name, tranche)``, most senior first."""
        pool = self.pool_row(address)
        with Session(self.runtime.engine) as session:
            rows = session.exec(
                select(DealTranche).where(DealTranche.pool == pool.address).order_by("tranche")
            ).all()
        names = self.tranche_names(pool.address, len(rows))
        return list(zip(names, rows, strict=True))

    def subscriptions(self, address: str) -> list[DealSubscription]:
        pool = self.pool_row(address)
        with Session(self.runtime.engine) as session:
            query = select(DealSubscription).where(DealSubscription.pool == pool.address)
            return list(session.exec(query.order_by("id")).all())

    def periods(self, address: str) -> list[tuple[DealPeriod, list[DealPeriodTranche]]]:
        pool = self.pool_row(address)
        with Session(self.runtime.engine) as session:
            periods = session.exec(
                select(DealPeriod).where(DealPeriod.pool == pool.address).order_by("period")
            ).all()
            tranches = session.exec(
                select(DealPeriodTranche)
                .where(DealPeriodTranche.pool == pool.address)
                .order_by("period", "tranche")
            ).all()
        by_period: dict[int, list[DealPeriodTranche]] = {}
        for row in tranches:
            by_period.setdefault(row.period, []).append(row)
        return [(p, by_period.get(p.period, [])) for p in periods]

    def period(self, address: str, number: int) -> tuple[DealPeriod, list[DealPeriodTranche]]:
        for row in self.periods(address):
            if row[0].period == number:
                return row
        raise DealNotFound("period", f"period {number} of {address} is not indexed")

    def holdings(self, address: str, holder: str | None = None) -> list[DealHolding]:
        pool = self.pool_row(address)
        query = select(DealHolding).where(DealHolding.pool == pool.address)
        if holder is not None:
            query = query.where(DealHolding.holder == self.resolve(holder))
        with Session(self.runtime.engine) as session:
            return list(session.exec(query.order_by("tranche", "holder")).all())

    def investors(self) -> list[tuple[str | None, DealInvestor]]:
        """``(name if this service knows it, registry record)`` for every indexed address."""
        with Session(self.runtime.engine) as session:
            rows = session.exec(select(DealInvestor).order_by("address")).all()
            names = {a.address: a.name for a in session.exec(select(InvestorAccount)).all()}
        return [(names.get(r.address), r) for r in rows]

    def investor(self, ident: str) -> tuple[str | None, DealInvestor]:
        address = self.resolve(ident)
        for name, row in self.investors():
            if row.address == address:
                return name, row
        raise DealNotFound("investor", f"{ident} is not in the indexed registry")
