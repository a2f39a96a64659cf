"""Guarantee facilities and insurance policies as the index has them: terms, state and
totals, collateral movements, and each period's settlement, with the cover figures of a
pool's period rebuilt as the ``CoverResult`` the waterfall produced (for investor reports).
Reads only ``ledger.store.cover_tables``; written by ``ledger.indexer.cover``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ledger.deals.cover import (
    CoverResult,
    GuaranteeResult,
    GuaranteeState,
    InsuranceResult,
    InsuranceState,
)
from ledger.deals.service.inputs import DealNotFound
from ledger.store.cover_tables import CoverCollateralMove, CoverFacility, CoverSettlement


def facilities(engine: Engine, pool: str | None = None) -> list[CoverFacility]:
    """Every indexed facility (of ``pool`` if given), guarantees first, then by address."""
    query = select(CoverFacility)
    if pool is not None:
        query = query.where(CoverFacility.pool == pool)
    with Session(engine) as session:
        rows = session.exec(query.order_by(CoverFacility.kind, CoverFacility.address)).all()
    return list(rows)


def facility(engine: Engine, address: str) -> CoverFacility:
    with Session(engine) as session:
        row = session.get(CoverFacility, address)
    if row is None:
        raise DealNotFound("address", f"no guarantee facility or insurance policy {address}")
    return row


def settlements(engine: Engine, address: str) -> list[CoverSettlement]:
    """One facility's settlements, by period."""
    query = select(CoverSettlement).where(CoverSettlement.facility == address)
    with Session(engine) as session:
        return list(session.exec(query.order_by(CoverSettlement.period)).all())


def collateral_moves(engine: Engine, address: str) -> list[CoverCollateralMove]:
    query = select(CoverCollateralMove).where(CoverCollateralMove.facility == address)
    order = (CoverCollateralMove.block_number, CoverCollateralMove.log_index)
    with Session(engine) as session:
        return list(session.exec(query.order_by(*order)).all())


def period_figures(s: CoverSettlement) -> dict[str, Any]:
    """A settlement in the provider's terms: what it paid in (draw or claim), what came back
    to it (subrogation or recoveries), and the demand its collateral could not meet."""
    guarantee = s.kind == "guarantee"
    return {
        "period": s.period,
        "premium_due": s.premium_due,
        "premium_paid": s.premium_paid,
        "demand": s.demand if guarantee else s.claim,
        "paid": s.draw if guarantee else s.claim_paid,
        "draw_interest": s.draw_interest,
        "draw_cure": s.draw_cure,
        "recovered": s.from_recoveries + s.from_revenue if guarantee else s.recovered,
        "recovered_from_revenue": s.from_revenue,
        "unpaid_claim": s.unpaid_claim,
        "collateral_after": s.collateral_after,
        "owed_after": s.paid_total - s.recovered_total,
        "unpaid_claims_total": s.unpaid_claims_total,
        "block_number": s.block_number,
        "tx_hash": s.tx_hash,
    }


def _guarantee(s: CoverSettlement) -> GuaranteeResult:
    state = GuaranteeState(
        s.collateral_after, s.paid_total, s.recovered_total, s.premium_shortfall,
        s.unpaid_claims_total, s.released,
    )  # fmt: skip
    return GuaranteeResult(
        s.premium_due, s.premium_paid, s.demand, s.draw, s.draw_interest, s.draw_cure,
        s.unpaid_claim, s.from_recoveries, s.from_revenue, state,
    )  # fmt: skip


def _insurance(s: CoverSettlement) -> InsuranceResult:
    state = InsuranceState(
        s.collateral_after, s.losses_total, s.paid_total, s.recovered_total,
        s.premium_shortfall, s.unpaid_claims_total, s.released,
    )  # fmt: skip
    return InsuranceResult(
        s.premium_due, s.premium_paid, s.claim, s.claim_paid, s.unpaid_claim, s.recovered, state
    )


def pool_cover_results(engine: Engine, pool: str) -> dict[int, CoverResult]:
    """Per period of ``pool``, the cover figures its waterfall settled (periods without a
    bound facility are absent)."""
    query = select(CoverSettlement).where(CoverSettlement.pool == pool)
    with Session(engine) as session:
        rows = session.exec(query).all()
    parts: dict[int, dict[str, Any]] = {}
    for s in rows:
        part = _guarantee(s) if s.kind == "guarantee" else _insurance(s)
        parts.setdefault(s.period, {})[s.kind] = part
    return {
        n: CoverResult(p.get("guarantee"), p.get("insurance")) for n, p in sorted(parts.items())
    }


def pool_enhancement(engine: Engine, pool: str) -> list[dict[str, Any]]:
    """Per period of ``pool``: guarantee draws, insurance claims, recoveries to each
    provider and unpaid claims, with the period's transaction (for the console)."""
    query = select(CoverSettlement).where(CoverSettlement.pool == pool)
    with Session(engine) as session:
        rows = session.exec(query.order_by(CoverSettlement.period)).all()
    out: dict[int, dict[str, Any]] = {}
    for s in rows:
        row = out.setdefault(
            s.period,
            {"period": s.period, "tx_hash": s.tx_hash, "block_number": s.block_number,
             "premiums": 0, "draw": 0, "claim_paid": 0, "subrogation": 0,
             "insurer_recoveries": 0, "unpaid_claims": 0},
        )  # fmt: skip
        row["premiums"] += s.premium_paid
        row["draw"] += s.draw
        row["claim_paid"] += s.claim_paid
        row["subrogation"] += s.from_recoveries + s.from_revenue
        row["insurer_recoveries"] += s.recovered
        row["unpaid_claims"] += s.unpaid_claim
    return list(out.values())
