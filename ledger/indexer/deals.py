"""Projections of the securitization contracts' events into ``ledger.store.deal_tables``.

The PoolFactory is followed from deployment; every pool and tranche token it creates is
followed from its ``PoolCreated`` event on (``POOL_DISCOVERY``). Within the creation
transaction the pool's ``PoolInitialized`` comes before ``PoolCreated``, so both handlers
create the pool's rows if they are missing. Token holdings replay the token's own
accumulator arithmetic (docs/tranche-token.md), so claimable amounts are exact.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select
from web3 import Web3

from ledger.deals.pool_abi import REPORT_FIELDS, RESULT_SCALARS, TRANCHE_RESULT_FIELDS, event_fields
from ledger.deals.pool_types import PoolState
from ledger.deals.waterfall import BPS, PrincipalMode
from ledger.indexer.projection import Discovery, Event, Projection
from ledger.store.deal_tables import (
    DealForcedTransfer,
    DealHolding,
    DealInvestor,
    DealJurisdiction,
    DealPeriod,
    DealPeriodTranche,
    DealPool,
    DealSubscription,
    DealTranche,
)

Args = dict[str, Any]
MAGNITUDE = 2**128
ZERO_ADDRESS = "0x" + "00" * 20
POOL_CONTRACTS = ("PoolFactory", "SecuritizationPool", "TrancheToken", "InvestorRegistry")


def _reveal_pool(args: Args) -> list[tuple[str, str]]:
    return [("SecuritizationPool", args["pool"])] + [("TrancheToken", t) for t in args["tokens"]]


POOL_DISCOVERY = Discovery(source="PoolFactory", event="PoolCreated", reveal=_reveal_pool)


def state_name(value: int) -> str:
    return PoolState(value).name.lower()


def _address(value: str) -> str:
    return Web3.to_checksum_address(value)


def _pool(session: Session, address: str, ev: Event) -> DealPool:
    address = _address(address)
    row = session.get(DealPool, address)
    if row is None:
        row = DealPool(address=address, created_block=ev.block_number, tx_hash=ev.tx_hash)
        session.add(row)
        session.flush()
    return row


def _tranche(session: Session, pool: str, index: int) -> DealTranche:
    row = session.get(DealTranche, (_address(pool), index))
    if row is None:
        row = DealTranche(pool=_address(pool), tranche=index)
        session.add(row)
        session.flush()
    return row


def _set_tokens(session: Session, pool: str, tokens: list[str]) -> None:
    for i, token in enumerate(tokens):
        _tranche(session, pool, i).token = _address(token)


# --- pools --------------------------------------------------------------------------------------


def pool_created(session: Session, a: Args, ev: Event) -> None:
    row = _pool(session, a["pool"], ev)
    row.deal_id, row.creator = a["dealId"], _address(a["creator"])
    _set_tokens(session, row.address, a["tokens"])


def pool_initialized(session: Session, a: Args, ev: Event) -> None:
    p = a["params"]
    row = _pool(session, ev.address, ev)
    for name in ("admin", "structurer", "servicer", "originator"):
        setattr(row, name, _address(p[name]))
    row.servicer_fee_recipient = _address(p["servicerFeeRecipient"])
    row.trustee_fee_recipient = _address(p["trusteeFeeRecipient"])
    row.settlement_token = _address(p["settlementToken"])
    row.investor_registry = _address(p["registry"])
    row.closing_time, row.initial_reserve = p["closingTime"], p["initialReserve"]
    terms = p["terms"]
    row.terms = json.dumps(terms)
    row.tranche_count, row.period_months = len(terms["tranches"]), terms["periodMonths"]
    row.principal_mode = PrincipalMode(terms["principalMode"]).name.lower()
    row.initial_pool_balance = row.pool_balance = terms["initialPoolBalance"]
    row.servicer_fee_bps, row.trustee_fee_bps = terms["servicerFeeBps"], terms["trusteeFeeBps"]
    row.oc_trigger_bps, row.ic_trigger_bps = terms["ocTriggerBps"], terms["icTriggerBps"]
    row.cd_trigger = json.dumps({str(s["fromPeriod"]): s["maxBps"] for s in terms["cdTrigger"]})
    row.reserve_target, row.cleanup_call_bps = terms["reserveTarget"], terms["cleanupCallBps"]
    tape = p["tape"]
    row.tape_root, row.tape_count, row.tape_balance = tape["root"], tape["count"], tape["balance"]
    row.tape_wa_rate_bps, row.tape_wa_score = tape["waRateBps"], tape["waScore"]
    row.tape_wa_remaining_term_months = tape["waRemainingTermMonths"]
    _set_tokens(session, row.address, a["tokens"])
    for i, t in enumerate(terms["tranches"]):
        tranche = _tranche(session, row.address, i)
        tranche.size, tranche.coupon_bps, tranche.day_count = (
            t["size"],
            t["couponBps"],
            t["dayCount"],
        )


def state_changed(session: Session, a: Args, ev: Event) -> None:
    _pool(session, ev.address, ev).state = state_name(a["to"])


def _subscription(session: Session, a: Args, ev: Event, kind: str) -> int:
    session.add(
        DealSubscription(
            pool=_address(ev.address),
            tranche=a["tranche"],
            investor=_address(a["investor"]),
            kind=kind,
            amount=a["amount"],
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
        )
    )
    return a["amount"]


def subscribed(session: Session, a: Args, ev: Event) -> None:
    amount = _subscription(session, a, ev, "subscribe")
    _tranche(session, ev.address, a["tranche"]).subscribed += amount


def refunded(session: Session, a: Args, ev: Event) -> None:
    amount = _subscription(session, a, ev, "refund")
    _tranche(session, ev.address, a["tranche"]).subscribed -= amount


def closed(session: Session, a: Args, ev: Event) -> None:
    row = _pool(session, ev.address, ev)
    row.proceeds, row.reserve = a["proceeds"], a["reserve"]
    for i, face in enumerate(a["faces"]):
        tranche = _tranche(session, row.address, i)
        tranche.size = tranche.face = tranche.balance = face
        tranche.factor_bps = BPS if face else 0


def retained(session: Session, a: Args, ev: Event) -> None:
    """Close minted a tranche's unsubscribed part to the originator (risk retention); the
    tokens themselves are projected from their Transfer, this records the treatment."""
    row = _pool(session, ev.address, ev)
    retained = json.loads(row.retained)
    retained[str(a["tranche"])] = a["amount"]
    row.retained = json.dumps(retained)


def period_reported(session: Session, a: Args, ev: Event) -> None:
    report, stats, res = a["report"], a["stats"], a["result"]
    pool = _pool(session, ev.address, ev)
    period = a["period"]
    session.add(
        DealPeriod(
            pool=pool.address,
            period=period,
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
            **event_fields(report, (*REPORT_FIELDS, "tape_root")),
            tape_count=stats["count"],
            tape_wa_rate_bps=stats["waRateBps"],
            tape_wa_score=stats["waScore"],
            tape_wa_remaining_term_months=stats["waRemainingTermMonths"],
            **event_fields(res, RESULT_SCALARS),
            event_args=json.dumps(a),
        )
    )
    for i, t in enumerate(res["tranches"]):
        tranche = _tranche(session, pool.address, i)
        tranche.writedowns += t["writedown"] - t["writeup"]
        tranche.balance, tranche.interest_shortfall = t["balance"], t["interestShortfall"]
        tranche.factor_bps = t["balance"] * BPS // tranche.face if tranche.face else 0
        session.add(
            DealPeriodTranche(
                pool=pool.address,
                period=period,
                tranche=i,
                **event_fields(t, TRANCHE_RESULT_FIELDS),
                writedowns_outstanding=tranche.writedowns,
            )
        )
    pool.periods, pool.pool_balance = period, report["poolBalance"]
    pool.reserve, pool.trigger_breached = res["reserveAfter"], res["triggerBreached"]
    pool.tape_root, pool.tape_balance = report["tapeRoot"], report["poolBalance"]
    pool.tape_count, pool.tape_wa_rate_bps = stats["count"], stats["waRateBps"]
    pool.tape_wa_score = stats["waScore"]
    pool.tape_wa_remaining_term_months = stats["waRemainingTermMonths"]


def wound_down(session: Session, a: Args, ev: Event) -> None:
    row = _pool(session, ev.address, ev)
    row.released_to_equity, row.reserve = a["releasedToEquity"], 0


# --- tranche tokens -----------------------------------------------------------------------------


def _token(session: Session, ev: Event) -> DealTranche:
    row = session.exec(select(DealTranche).where(DealTranche.token == _address(ev.address))).first()
    if row is None:  # PoolCreated comes first in every transaction that moves a token
        raise LookupError(f"event of unindexed tranche token {ev.address}")
    return row


def _holding(session: Session, tranche: DealTranche, holder: str) -> DealHolding:
    holder = _address(holder)
    row = session.get(DealHolding, (tranche.token, holder))
    if row is None:
        row = DealHolding(
            token=tranche.token, holder=holder, pool=tranche.pool, tranche=tranche.tranche
        )
        session.add(row)
        session.flush()
    return row


def _settle(holding: DealHolding, tranche: DealTranche) -> None:
    """Fold what ``holding`` accrued at its balance into ``owed`` (TrancheToken._settle)."""
    holding.owed += holding.balance * (tranche.per_token - holding.paid_per_token)
    holding.paid_per_token = tranche.per_token


def claimable(holding: DealHolding, tranche: DealTranche) -> int:
    """What ``holding`` can claim now (TrancheToken.claimable)."""
    accrued = holding.owed + holding.balance * (tranche.per_token - holding.paid_per_token)
    return accrued // MAGNITUDE


def transfer(session: Session, a: Args, ev: Event) -> None:
    if ev.contract != "TrancheToken":
        return
    tranche = _token(session, ev)
    sender, receiver, amount = a["from"], a["to"], a["value"]
    if sender != ZERO_ADDRESS:
        holding = _holding(session, tranche, sender)
        _settle(holding, tranche)
        holding.balance -= amount
    else:
        tranche.supply += amount
    if receiver != ZERO_ADDRESS:
        holding = _holding(session, tranche, receiver)
        _settle(holding, tranche)
        holding.balance += amount
    else:
        tranche.supply -= amount


def distributed(session: Session, a: Args, ev: Event) -> None:
    tranche = _token(session, ev)
    tranche.per_token += a["perTokenIncrement"]
    tranche.carried = a["carriedRemainder"]
    tranche.distributed += a["amount"]


def claimed(session: Session, a: Args, ev: Event) -> None:
    tranche = _token(session, ev)
    holding = _holding(session, tranche, a["holder"])
    _settle(holding, tranche)
    holding.owed -= a["amount"] * MAGNITUDE
    holding.claimed += a["amount"]
    tranche.claimed += a["amount"]


def token_frozen(session: Session, a: Args, ev: Event) -> None:
    holding = _holding(session, _token(session, ev), a["account"])
    holding.frozen, holding.freeze_reason = True, a["reason"]


def token_unfrozen(session: Session, a: Args, ev: Event) -> None:
    holding = _holding(session, _token(session, ev), a["account"])
    holding.frozen, holding.freeze_reason = False, 0


def forced_transfer(session: Session, a: Args, ev: Event) -> None:
    session.add(
        DealForcedTransfer(
            token=_address(ev.address),
            sender=_address(a["from"]),
            receiver=_address(a["to"]),
            amount=a["amount"],
            reason_code=a["reasonCode"],
            agent=_address(a["agent"]),
            block_number=ev.block_number,
            tx_hash=ev.tx_hash,
        )
    )


# --- investor registry --------------------------------------------------------------------------


def jurisdiction_text(raw: str) -> str:
    """``bytes2`` as JSON hex (``0x4742``) -> ``GB``; empty when unset."""
    code = bytes.fromhex(raw[2:])
    return code.decode("ascii") if any(code) else ""


def _investor(session: Session, address: str, ev: Event) -> DealInvestor:
    address = _address(address)
    row = session.get(DealInvestor, address)
    if row is None:
        row = DealInvestor(address=address)
        session.add(row)
    row.updated_block = ev.block_number
    return row


def investor_set(session: Session, a: Args, ev: Event) -> None:
    row = _investor(session, a["investor"], ev)
    row.listed, row.kyc_expiry = True, a["kycExpiry"]
    row.jurisdiction = jurisdiction_text(a["jurisdiction"])


def investor_removed(session: Session, a: Args, ev: Event) -> None:
    row = _investor(session, a["investor"], ev)
    row.listed, row.kyc_expiry, row.jurisdiction = False, 0, ""


def investor_frozen(session: Session, a: Args, ev: Event) -> None:
    row = _investor(session, a["investor"], ev)
    row.frozen, row.freeze_reason = True, a["reason"]


def investor_unfrozen(session: Session, a: Args, ev: Event) -> None:
    row = _investor(session, a["investor"], ev)
    row.frozen, row.freeze_reason = False, 0


def jurisdiction_blocked(session: Session, a: Args, _: Event) -> None:
    code = jurisdiction_text(a["jurisdiction"])
    session.merge(DealJurisdiction(code=code, blocked=a["blocked"]))


DEALS_PROJECTION = Projection(
    handlers={
        "PoolCreated": pool_created,
        "PoolInitialized": pool_initialized,
        "StateChanged": state_changed,
        "Subscribed": subscribed,
        "Refunded": refunded,
        "Closed": closed,
        "Retained": retained,
        "PeriodReported": period_reported,
        "WoundDown": wound_down,
        "Transfer": transfer,
        "Distributed": distributed,
        "Claimed": claimed,
        "Frozen": token_frozen,
        "Unfrozen": token_unfrozen,
        "ForcedTransfer": forced_transfer,
        "InvestorSet": investor_set,
        "InvestorRemoved": investor_removed,
        "InvestorFrozen": investor_frozen,
        "InvestorUnfrozen": investor_unfrozen,
        "JurisdictionBlockedSet": jurisdiction_blocked,
    },
    tables=[
        DealForcedTransfer,
        DealHolding,
        DealJurisdiction,
        DealInvestor,
        DealPeriodTranche,
        DealPeriod,
        DealSubscription,
        DealTranche,
        DealPool,
    ],
)
