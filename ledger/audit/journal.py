"""A pool's double-entry journal of every cash movement, from its contracts' events.

Amounts are settlement-token units, signed: positive into an account, negative out of it,
so each transaction's entries sum to zero. Three kinds of account are held on chain and
their balances must equal the settlement token's ``balanceOf``: ``pool:cash`` (the pool
contract: subscriptions until close, then the reserve), ``tranche:<i>:cash`` (each
tranche token: distributed and not yet claimed) and ``cover:<facility>:collateral`` (each
guarantee facility's collateral or insurance policy's capital: posted, not drawn). The
others are counterparties (investors, originator, servicer, fee recipients, guarantors and
insurers) whose flows are shown, not their whole balances.

| event | debit (+) | credit (-) |
| --- | --- | --- |
| Subscribed | pool:cash | investor |
| Refunded | investor | pool:cash |
| Closed | originator (proceeds less reserve) | pool:cash |
| PeriodReported | pool:cash (collections) | servicer |
| | fee recipients, tranche:<i>:cash (interest, principal; residual to the last) | pool:cash |
| WoundDown | tranche:<last>:cash (released reserve) | pool:cash |
| Claimed | holder | tranche:<i>:cash |
| CollateralPosted | cover:<f>:collateral | provider |
| CollateralWithdrawn, Released | provider | cover:<f>:collateral |
| GuaranteeSettled | pool:cash (draw) | cover:<f>:collateral |
| | provider (premium, subrogation from recoveries and from revenue) | pool:cash |
| InsuranceSettled | pool:cash (claim paid) | cover:<f>:collateral |
| | provider (premium, its share of recoveries) | pool:cash |
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ledger.store.cover_tables import CoverFacility
from ledger.store.deal_tables import DealPool, DealTranche
from ledger.store.tables import EventLog

POOL_CASH = "pool:cash"


@dataclass(frozen=True)
class Entry:
    tx_hash: str
    block: int
    log_index: int
    event: str
    account: str
    amount: int  # signed settlement-token units
    memo: str


def tranche_cash(index: int) -> str:
    return f"tranche:{index}:cash"


def cover_collateral(facility: str) -> str:
    return f"cover:{facility}:collateral"


def _pair(ev: EventLog, debit: str, credit: str, amount: int, memo: str) -> list[Entry]:
    if amount == 0:
        return []
    base = (ev.tx_hash, ev.block_number, ev.log_index, ev.event)
    return [Entry(*base, debit, amount, memo), Entry(*base, credit, -amount, memo)]


def _period(ev: EventLog, a: dict[str, Any], pool: DealPool, last: int) -> list[Entry]:
    r = a["result"]
    n = a["period"]
    out = _pair(ev, POOL_CASH, f"servicer:{pool.servicer}", r["cashIn"], f"period {n} collections")
    fees = (
        ("servicerFeePaid", pool.servicer_fee_recipient, "servicer fee"),
        ("trusteeFeePaid", pool.trustee_fee_recipient, "trustee fee"),
    )
    for name, recipient, memo in fees:
        out += _pair(ev, f"fee:{recipient}", POOL_CASH, r[name], f"period {n} {memo}")
    for i, t in enumerate(r["tranches"]):
        out += _pair(ev, tranche_cash(i), POOL_CASH, t["interestPaid"], f"period {n} interest")
        out += _pair(ev, tranche_cash(i), POOL_CASH, t["principalPaid"], f"period {n} principal")
    out += _pair(ev, tranche_cash(last), POOL_CASH, r["residualToEquity"], f"period {n} residual")
    return out


def _cover(ev: EventLog, a: dict[str, Any], f: CoverFacility) -> list[Entry]:
    """A guarantee facility's or insurance policy's cash movements (docstring table)."""
    held, provider = cover_collateral(f.address), f"{f.kind}-provider:{f.provider}"
    if ev.event == "CollateralPosted":
        return _pair(ev, held, provider, a["amount"], f"{f.kind} collateral posted")
    if ev.event == "CollateralWithdrawn":
        return _pair(ev, provider, held, a["amount"], f"{f.kind} collateral withdrawn")
    if ev.event == "Released":
        return _pair(ev, provider, held, a["amount"], f"{f.kind} collateral released")
    if ev.event not in ("GuaranteeSettled", "InsuranceSettled"):
        return []
    r, n = a["result"], a["period"]
    guarantee = ev.event == "GuaranteeSettled"
    paid_in = r["draw"] if guarantee else r["claimPaid"]
    out = _pair(ev, POOL_CASH, held, paid_in, f"period {n} {'draw' if guarantee else 'claim'}")
    out += _pair(ev, provider, POOL_CASH, r["premiumPaid"], f"period {n} {f.kind} premium")
    if guarantee:
        back = r["fromRecoveries"] + r["fromRevenue"]
        out += _pair(ev, provider, POOL_CASH, back, f"period {n} subrogation")
    else:
        out += _pair(ev, provider, POOL_CASH, r["recovered"], f"period {n} insurer recoveries")
    return out


def journal(engine: Engine, pool_address: str) -> list[Entry]:
    """Every cash movement of the pool, its tranche tokens and its cover, in chain order."""
    with Session(engine) as session:
        pool = session.get(DealPool, pool_address)
        if pool is None:
            raise KeyError(pool_address)
        tokens = {
            t.token: t.tranche
            for t in session.exec(select(DealTranche).where(DealTranche.pool == pool_address))
        }
        cover = {f.address: f for f in _facilities(session, pool_address)}
        rows = session.exec(
            select(EventLog)
            .where(EventLog.address.in_([pool_address, *tokens, *cover]))
            .order_by(EventLog.block_number, EventLog.log_index)
        ).all()
    last = len(tokens) - 1
    out: list[Entry] = []
    for ev in rows:
        a = json.loads(ev.args)
        if ev.address in cover:
            out += _cover(ev, a, cover[ev.address])
        elif ev.event == "Subscribed":
            memo = f"subscription, tranche {a['tranche']}"
            out += _pair(ev, POOL_CASH, f"investor:{a['investor']}", a["amount"], memo)
        elif ev.event == "Refunded":
            memo = f"refund, tranche {a['tranche']}"
            out += _pair(ev, f"investor:{a['investor']}", POOL_CASH, a["amount"], memo)
        elif ev.event == "Closed":
            memo = "proceeds to originator"
            out += _pair(ev, f"originator:{a['originator']}", POOL_CASH, a["proceeds"], memo)
        elif ev.event == "PeriodReported":
            out += _period(ev, a, pool, last)
        elif ev.event == "WoundDown":
            memo = "reserve released to equity"
            out += _pair(ev, tranche_cash(last), POOL_CASH, a["releasedToEquity"], memo)
        elif ev.event == "Claimed" and ev.address in tokens:
            memo = f"claim, tranche {tokens[ev.address]}"
            out += _pair(ev, f"holder:{a['holder']}", tranche_cash(tokens[ev.address]), a["amount"], memo)  # fmt: skip
    return out


def balances(entries: list[Entry]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for e in entries:
        out[e.account] += e.amount
    return dict(out)


def held_check(entries: list[Entry], chain: dict[str, int]) -> list[dict[str, Any]]:
    """Each held account's journal balance beside the chain's, and whether they agree."""
    book = balances(entries)
    return [
        {"account": a, "journal": book.get(a, 0), "chain": v, "equal": book.get(a, 0) == v}
        for a, v in chain.items()
    ]


def unbalanced(entries: list[Entry]) -> dict[str, int]:
    """Transactions whose entries do not sum to zero (empty for a sound journal)."""
    sums: dict[str, int] = defaultdict(int)
    for e in entries:
        sums[e.tx_hash] += e.amount
    return {tx: total for tx, total in sums.items() if total != 0}


ERC20_BALANCE_ABI = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


def _facilities(session: Session, pool_address: str) -> list[CoverFacility]:
    """The pool's bound guarantee facilities and insurance policies."""
    query = select(CoverFacility).where(CoverFacility.pool == pool_address, CoverFacility.bound)
    return list(session.exec(query.order_by(CoverFacility.address)).all())


def held_accounts(engine: Engine, pool_address: str) -> dict[str, str]:
    """The journal's on-chain accounts and the addresses that hold them."""
    with Session(engine) as session:
        tranches = session.exec(select(DealTranche).where(DealTranche.pool == pool_address)).all()
        cover = _facilities(session, pool_address)
    return (
        {POOL_CASH: pool_address}
        | {tranche_cash(t.tranche): t.token for t in tranches}
        | {cover_collateral(f.address): f.address for f in cover}
    )


def chain_balances(w3: Any, engine: Engine, pool_address: str) -> dict[str, int]:
    """The settlement token's ``balanceOf`` for each held account, read from the chain."""
    with Session(engine) as session:
        pool = session.get(DealPool, pool_address)
        if pool is None:
            raise KeyError(pool_address)
        token = w3.eth.contract(address=pool.settlement_token, abi=ERC20_BALANCE_ABI)
    return {
        account: token.functions.balanceOf(holder).call()
        for account, holder in held_accounts(engine, pool_address).items()
    }
