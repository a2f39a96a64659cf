"""A pool's double-entry journal of every cash movement, from its contracts' events.

Amounts are settlement-token units, signed: positive into an account, negative out of it,
so each transaction's entries sum to zero. Two accounts are held on chain and their
balances must equal the settlement token's ``balanceOf``: ``pool:cash`` (the pool
contract: subscriptions until close, then the reserve) and ``tranche:<i>:cash`` (each
tranche token: distributed and not yet claimed). The others are counterparties (investors,
originator, servicer, fee recipients) whose flows are shown, not their whole balances.

| event | debit (+) | credit (-) |
| --- | --- | --- |
| Subscribed | pool:cash | investor |
| Refunded | investor | pool:cash |
| Closed | originator (proceeds less reserve) | pool:cash |
| PeriodReported | pool:cash (collections) | servicer |
| | fee recipients, tranche:<i>:cash (interest, principal; residual to the last) | pool:cash |
| WoundDown | tranche:<last>:cash (released reserve) | pool:cash |
| Claimed | holder | tranche:<i>:cash |
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

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


def journal(engine: Engine, pool_address: str) -> list[Entry]:
    """Every cash movement of the pool and its tranche tokens, in chain order."""
    with Session(engine) as session:
        pool = session.get(DealPool, pool_address)
        if pool is None:
            raise KeyError(pool_address)
        tokens = {
            t.token: t.tranche
            for t in session.exec(select(DealTranche).where(DealTranche.pool == pool_address))
        }
        rows = session.exec(
            select(EventLog)
            .where(EventLog.address.in_([pool_address, *tokens]))
            .order_by(EventLog.block_number, EventLog.log_index)
        ).all()
    last = len(tokens) - 1
    out: list[Entry] = []
    for ev in rows:
        a = json.loads(ev.args)
        if ev.event == "Subscribed":
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


def held_accounts(engine: Engine, pool_address: str) -> dict[str, str]:
    """The journal's on-chain accounts and the addresses that hold them."""
    with Session(engine) as session:
        tranches = session.exec(select(DealTranche).where(DealTranche.pool == pool_address)).all()
    return {POOL_CASH: pool_address} | {tranche_cash(t.tranche): t.token for t in tranches}


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
