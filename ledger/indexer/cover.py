"""Projections of guarantee facilities' and insurance policies' events into
``ledger.store.cover_tables``.

A facility is deployed, funded and only then bound: the pool's ``CoverBound`` reveals it
(``COVER_DISCOVERY``), and the indexer reads its earlier events (``*Opened`` at deployment,
collateral posted before the binding) from the index's first block on. On first indexing
those earlier events are applied after ``CoverBound``, on a replay before it, so every
handler here creates the facility's row if it is missing and touches only its own fields.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from web3 import Web3

from ledger.indexer.core import Discovery, Projection
from ledger.store.cover_tables import CoverCollateralMove, CoverFacility, CoverSettlement
from ledger.store.tables import EventLog

Args = dict[str, Any]
KIND = {"GuaranteeFacility": "guarantee", "InsurancePolicy": "insurance"}


def _reveal_facility(args: Args) -> list[tuple[str, str]]:
    name = "GuaranteeFacility" if args["guarantee"] else "InsurancePolicy"
    return [(name, args["facility"])]


COVER_DISCOVERY = Discovery(
    source="SecuritizationPool", event="CoverBound", reveal=_reveal_facility, backfill=True
)


def _address(value: str) -> str:
    return Web3.to_checksum_address(value)


def _facility(session: Session, address: str, kind: str) -> CoverFacility:
    address = _address(address)
    row = session.get(CoverFacility, address)
    if row is None:
        row = CoverFacility(address=address, kind=kind)
        session.add(row)
        session.flush()
    return row


def cover_bound(session: Session, a: Args, ev: EventLog) -> None:
    row = _facility(session, a["facility"], "guarantee" if a["guarantee"] else "insurance")
    row.pool, row.bound = _address(ev.address), True
    row.bound_block, row.bound_tx = ev.block_number, ev.tx_hash


def opened(session: Session, a: Args, ev: EventLog) -> None:
    row = _facility(session, ev.address, KIND[ev.contract])
    row.pool, row.provider = _address(a["pool"]), _address(a["provider"])
    t = a["terms"]
    row.cover_limit, row.premium_bps, row.last_period = t["limit"], t["premiumBps"], t["lastPeriod"]
    if row.kind == "guarantee":
        row.tranche = t["tranche"]
    else:
        row.deductible, row.coinsurance_bps = t["deductible"], t["coinsuranceBps"]
    row.required, row.pricing_hash = a["required"], a["pricingHash"]
    row.created_block, row.tx_hash = ev.block_number, ev.tx_hash


def _move(session: Session, row: CoverFacility, ev: EventLog, kind: str, amount: int) -> None:
    session.add(
        CoverCollateralMove(
            facility=row.address,
            pool=row.pool,
            kind=kind,
            amount=amount,
            collateral_after=row.collateral,
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
            log_index=ev.log_index,
        )
    )


def _collateral(session: Session, a: Args, ev: EventLog, what: str) -> None:
    """Collateral ``posted`` or ``withdrawn``: the running total of that name, the balance
    after it, and the move."""
    if ev.contract not in KIND:
        return
    row = _facility(session, ev.address, KIND[ev.contract])
    setattr(row, what, getattr(row, what) + a["amount"])
    row.collateral = a["collateral"]
    _move(session, row, ev, what, a["amount"])


def collateral_posted(session: Session, a: Args, ev: EventLog) -> None:
    _collateral(session, a, ev, "posted")


def collateral_withdrawn(session: Session, a: Args, ev: EventLog) -> None:
    _collateral(session, a, ev, "withdrawn")


def released(session: Session, a: Args, ev: EventLog) -> None:
    if ev.contract not in KIND:
        return
    row = _facility(session, ev.address, KIND[ev.contract])
    row.released, row.released_amount, row.released_tx = True, a["amount"], ev.tx_hash
    row.collateral = 0
    _move(session, row, ev, "released", a["amount"])


def _settled(session: Session, a: Args, ev: EventLog, kind: str) -> CoverSettlement:
    row = _facility(session, ev.address, kind)
    r, s = a["result"], a["result"]["state"]
    row.premium_paid += r["premiumPaid"]
    row.premium_shortfall, row.unpaid_claims = s["premiumShortfall"], s["unpaidClaims"]
    row.periods += 1
    settlement = CoverSettlement(
        facility=row.address,
        period=a["period"],
        pool=row.pool,
        kind=kind,
        premium_due=r["premiumDue"],
        premium_paid=r["premiumPaid"],
        unpaid_claim=r["unpaidClaim"],
        premium_shortfall=s["premiumShortfall"],
        unpaid_claims_total=s["unpaidClaims"],
        released=s["released"],
        block_number=ev.block_number,
        tx_hash=ev.tx_hash,
    )
    session.add(settlement)
    return settlement


def guarantee_settled(session: Session, a: Args, ev: EventLog) -> None:
    out = _settled(session, a, ev, "guarantee")
    r, s = a["result"], a["result"]["state"]
    out.demand, out.draw = r["demand"], r["draw"]
    out.draw_interest, out.draw_cure = r["drawInterest"], r["drawCure"]
    out.from_recoveries, out.from_revenue = r["fromRecoveries"], r["fromRevenue"]
    out.collateral_after, out.paid_total = s["collateral"], s["drawn"]
    out.recovered_total = s["reimbursed"]
    row = _facility(session, ev.address, "guarantee")
    row.collateral, row.paid, row.recovered = s["collateral"], s["drawn"], s["reimbursed"]
    row.owed = row.paid - row.recovered


def insurance_settled(session: Session, a: Args, ev: EventLog) -> None:
    out = _settled(session, a, ev, "insurance")
    r, s = a["result"], a["result"]["state"]
    out.claim, out.claim_paid, out.recovered = r["claim"], r["claimPaid"], r["recovered"]
    out.collateral_after, out.paid_total = s["capital"], s["claimsPaid"]
    out.recovered_total, out.losses_total = s["recovered"], s["losses"]
    row = _facility(session, ev.address, "insurance")
    row.collateral, row.paid, row.recovered = s["capital"], s["claimsPaid"], s["recovered"]
    row.owed, row.losses = row.paid - row.recovered, s["losses"]


COVER_PROJECTION = Projection(
    handlers={
        "CoverBound": cover_bound,
        "GuaranteeOpened": opened,
        "InsuranceOpened": opened,
        "CollateralPosted": collateral_posted,
        "CollateralWithdrawn": collateral_withdrawn,
        "Released": released,
        "GuaranteeSettled": guarantee_settled,
        "InsuranceSettled": insurance_settled,
    },
    tables=[CoverSettlement, CoverCollateralMove, CoverFacility],
)
