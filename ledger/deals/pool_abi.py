"""Conversion between the pool client's Python values and the contract's ABI tuples.

Each converter checks what it sends (raising ``PoolInputError`` naming the field) and
decodes what the contract returns into the simulator's values (``DealTerms``, ``DealState``,
``PeriodResult``), so an on-chain period compares with ``apply_period`` by plain equality.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from web3 import Web3

from ledger.deals.pool_types import (
    Parties,
    PoolInputError,
    PoolSetup,
    TapeCommitment,
    checked_address,
    checked_amount,
)
from ledger.deals.tape import TapeAggregates
from ledger.deals.waterfall import (
    REPORT_AMOUNTS,
    DayCount,
    DealState,
    DealTerms,
    PeriodReport,
    PeriodResult,
    PrincipalMode,
    RatingTrigger,
    TrancheResult,
    TrancheTerms,
    TriggerStep,
)
from ledger.errors import checked_uint


def terms_tuple(terms: DealTerms) -> tuple:
    tranches = [(t.size, t.coupon_bps, int(t.day_count)) for t in terms.tranches]
    return (
        tranches,
        terms.period_months,
        terms.initial_pool_balance,
        terms.servicer_fee_bps,
        terms.trustee_fee_bps,
        int(terms.fee_day_count),
        int(terms.principal_mode),
        terms.oc_trigger_bps,
        terms.ic_trigger_bps,
        terms.reserve_target,
        terms.cleanup_call_bps,
        [(s.from_period, s.max_bps) for s in terms.cd_trigger],
    )


def terms_from_tuple(raw: Any) -> DealTerms:
    (tranches, months, initial, servicer, trustee, fee_dc, mode, oc, ic, target, cleanup, cd) = raw
    return DealTerms(
        tranches=tuple(TrancheTerms(s, c, DayCount(d)) for s, c, d in tranches),
        period_months=months,
        initial_pool_balance=initial,
        servicer_fee_bps=servicer,
        trustee_fee_bps=trustee,
        fee_day_count=DayCount(fee_dc),
        principal_mode=PrincipalMode(mode),
        oc_trigger_bps=oc,
        ic_trigger_bps=ic,
        reserve_target=target,
        cleanup_call_bps=cleanup,
        cd_trigger=tuple(TriggerStep(p, bps) for p, bps in cd),
    )


def state_from_tuple(raw: Any) -> DealState:
    balances, shortfalls, writedowns, servicer, trustee, reserve, pool, last, *rest = raw
    trigger, period, cumulative = rest
    return DealState(
        balances=tuple(balances),
        interest_shortfalls=tuple(shortfalls),
        writedowns=tuple(writedowns),
        servicer_fee_shortfall=servicer,
        trustee_fee_shortfall=trustee,
        reserve=reserve,
        pool_balance=pool,
        last_period_end=last,
        trigger_breached=bool(trigger),
        period=period,
        cumulative_defaults=cumulative,
    )


REPORT_FIELDS = ("period_end", *REPORT_AMOUNTS)
# ``PeriodResult``'s own values (not its tranches or the state after it) and a tranche's.
RESULT_SCALARS = tuple(
    f.name for f in fields(PeriodResult) if f.name not in ("tranches", "state", "cover")
)
TRANCHE_RESULT_FIELDS = tuple(f.name for f in fields(TrancheResult))


def event_fields(struct: Any, names: Iterable[str]) -> dict[str, Any]:
    """``struct``'s values by snake_case ``names``: the contract's structs name their fields
    as the Python dataclasses do, in camelCase (``delinquent_30`` is ``delinquent30``)."""
    return {name: struct[_camel(name)] for name in names}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def report_tuple(report: PeriodReport) -> tuple:
    values = [checked_amount(f"report.{name}", getattr(report, name)) for name in REPORT_FIELDS]
    if len(report.tape_root) != 32:
        raise PoolInputError("report.tape_root", "must be 32 bytes")
    return (*values, report.tape_root)


def stats_tuple(stats: TapeAggregates | None, pool_balance: int) -> tuple:
    """The new tape's aggregates; without them only the balance (the report's) is known."""
    if stats is None:
        return (0, 0, 0, 0)
    if stats.balance != pool_balance:
        raise PoolInputError(
            "stats.balance", f"must equal report.pool_balance ({pool_balance}), got {stats.balance}"
        )
    return (stats.count, stats.wa_rate_bps, stats.wa_score, stats.wa_remaining_term_months)


def result_from_event(args: Any, previous: DealState) -> PeriodResult:
    """Rebuild a period's ``PeriodResult`` (and the state after it) from ``PeriodReported``
    and the state before it: the event carries everything else."""
    res, report = args["result"], args["report"]
    tranches = tuple(
        TrancheResult(**event_fields(t, TRANCHE_RESULT_FIELDS)) for t in res["tranches"]
    )
    writedowns = tuple(
        before + t.writedown - t.writeup
        for before, t in zip(previous.writedowns, tranches, strict=True)
    )
    state = DealState(
        balances=tuple(t.balance for t in tranches),
        interest_shortfalls=tuple(t.interest_shortfall for t in tranches),
        writedowns=writedowns,
        servicer_fee_shortfall=res["servicerFeeDue"] - res["servicerFeePaid"],
        trustee_fee_shortfall=res["trusteeFeeDue"] - res["trusteeFeePaid"],
        reserve=res["reserveAfter"],
        pool_balance=report["poolBalance"],
        last_period_end=report["periodEnd"],
        trigger_breached=bool(res["triggerBreached"]),
        period=args["period"],
        cumulative_defaults=res["cumulativeDefaults"],
    )
    return PeriodResult(tranches=tranches, **event_fields(res, RESULT_SCALARS), state=state)


def init_params(
    setup: PoolSetup, parties: Parties, settlement_token: str, registry: str, tape: TapeCommitment
) -> tuple:
    """``ISecuritizationPool.InitParams`` for ``setup``, every field checked."""
    terms = setup.terms
    if tape.aggregates.balance != terms.initial_pool_balance:
        raise PoolInputError(
            "tape.aggregates.balance",
            f"must equal the initial pool balance ({terms.initial_pool_balance} units), "
            f"got {tape.aggregates.balance}",
        )
    if len(tape.root) != 32:
        raise PoolInputError("tape.root", "must be 32 bytes")
    agg = tape.aggregates
    return (
        checked_address("parties.admin", parties.admin),
        checked_address("parties.structurer", parties.structurer),
        checked_address("parties.servicer", parties.servicer),
        checked_address("parties.originator", parties.originator),
        checked_address("parties.servicer_fee_recipient", parties.servicer_fee_recipient),
        checked_address("parties.trustee_fee_recipient", parties.trustee_fee_recipient),
        checked_address("settlement_token", settlement_token),
        checked_address("registry", registry),
        setup.closing_time,
        checked_amount("initial_reserve", setup.initial_reserve),
        terms_tuple(terms),
        (
            tape.root,
            agg.count,
            agg.balance,
            agg.wa_rate_bps,
            agg.wa_score,
            agg.wa_remaining_term_months,
        ),
        rating_tuple(setup.rating),
    )


def rating_tuple(rt: RatingTrigger) -> tuple:
    if int(rt.feed, 16) == 0:
        return (Web3.to_checksum_address(rt.feed), 0, 0, 0)
    return (
        checked_address("rating.feed", rt.feed),
        checked_uint("rating.agency", rt.agency, 2**32 - 1, 0, PoolInputError),
        checked_uint("rating.tranche", rt.tranche, 255, 0, PoolInputError),
        checked_uint("rating.floor_rank", rt.floor_rank, 255, 0, PoolInputError),
    )
