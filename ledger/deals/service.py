"""The securitization service: what the API and the CLI do with pools, tranches and investors.

Writes go to the chain through the typed clients (``ledger.deals.pool``,
``ledger.deals.investors``), each signed by the keystore key of the role that the contract
requires: ``structurer`` creates, opens, closes, cancels and winds down; ``servicer``
reports periods, matures and exercises the clean-up call; ``agent`` keeps the investor
registry (COMPLIANCE_ROLE) and holds AGENT_ROLE on every tranche token; ``admin`` is each
pool's and token's DEFAULT_ADMIN_ROLE. Investors sign with their own keys in a real
deployment; here the service may hold a custodial key per investor (keystore role
``investor-<name>``), bound to the investor's API key.

Reads come from the index (``ledger.store.deal_tables``), which the chain's events fill.

Errors: ``DealError`` (bad input, naming the field), ``DealNotFound`` and ``DealConflict``;
a contract revert surfaces as ``ledger.tx.ContractRevert``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select
from web3 import Web3
from web3.types import TxReceipt

from ledger.apikeys import key_hash, new_key
from ledger.bounds import UINT128_MAX, UInt16, UInt32, UInt40, UInt128
from ledger.chain.deploy import contract_at
from ledger.deals.investors import InvestorInputError, InvestorRegistryClient, TrancheTokenClient
from ledger.deals.pool import (
    Parties,
    PeriodOutcome,
    PoolClient,
    PoolFactoryClient,
    PoolInputError,
    PoolSetup,
    TapeCommitment,
    result_from_event,
)
from ledger.deals.reports import investor_report
from ledger.deals.spec import DAY_COUNTS, DealSpec, DealSpecError, add_months, parse_spec
from ledger.deals.tape import COLUMNS, LoanTape, TapeAggregates, TapeError, read_tape
from ledger.deals.waterfall import DealState, PeriodReport, WaterfallInputError
from ledger.store.db import session_scope
from ledger.store.deal_tables import (
    DealHolding,
    DealInvestor,
    DealPeriod,
    DealPeriodTranche,
    DealPool,
    DealSpecRecord,
    DealSubscription,
    DealTranche,
    InvestorAccount,
)
from ledger.tx import Sender

if TYPE_CHECKING:
    from ledger.runtime import Runtime

INVESTOR_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
DAY_COUNT_NAMES = {int(v): k for k, v in DAY_COUNTS.items()}
UINT128 = UINT128_MAX


class DealError(ValueError):
    """Bad input; ``field`` names it. ``status`` is the HTTP status an API answers with."""

    status = 422

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DealNotFound(DealError):
    status = 404


class DealConflict(DealError):
    """The request is well formed but cannot be done in the current state."""

    status = 409


@contextmanager
def input_errors(field: str = "body") -> Iterator[None]:
    """Turn the deal libraries' input errors into ``DealError`` naming the field."""
    try:
        yield
    except (PoolInputError, InvestorInputError) as exc:
        raise DealError(exc.field, exc.reason) from None
    except DealSpecError as exc:
        raise DealError("spec", str(exc)) from None
    except (TapeError, WaterfallInputError) as exc:
        raise DealError(field, str(exc)) from None


# --- inputs shared by the API and the CLI -------------------------------------------------------

Units = Field(description="settlement-token units (smallest unit)")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoanRow(_Input):
    """One loan of a tape (the loan-tape CSV's columns); amounts in token units."""

    loan_id: str = Field(min_length=1)
    original_principal: UInt128
    current_principal: UInt128
    rate_bps: UInt32
    term_months: UInt16
    origination_date: date
    score_uid: str
    score: UInt16


class TapeStatsInput(_Input):
    count: UInt32
    wa_rate_bps: UInt32
    wa_score: UInt32
    wa_remaining_term_months: UInt32


class PeriodInput(_Input):
    """A servicer's period report: collections, defaults, delinquency and the new tape."""

    period_end: date | UInt40 = Field(description="payment date (00:00 UTC) or unix seconds")
    interest: UInt128 = Units
    scheduled_principal: UInt128 = Units
    prepayments: UInt128 = Units
    recoveries: UInt128 = Units
    new_defaults: UInt128 = Units
    delinquent_30: UInt128 = Units
    delinquent_60: UInt128 = Units
    delinquent_90: UInt128 = Units
    pool_balance: UInt128 = Units
    tape_root: str = Field(default="0x" + "00" * 32, pattern=r"^0x[0-9a-fA-F]{64}$")
    stats: TapeStatsInput | None = None

    def to_report(self) -> PeriodReport:
        end = self.period_end
        if isinstance(end, date):
            end = int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp())
        values = self.model_dump(exclude={"period_end", "tape_root", "stats"})
        return PeriodReport(period_end=end, tape_root=bytes.fromhex(self.tape_root[2:]), **values)

    def to_stats(self) -> TapeAggregates | None:
        if self.stats is None:
            return None
        return TapeAggregates(balance=self.pool_balance, **self.stats.model_dump())


def tape_from_csv(text: str, key: bytes, as_of: date) -> LoanTape:
    """A loan tape from CSV text (checked by ``ledger.deals.tape.read_tape``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tape.csv"
        path.write_text(text)
        try:
            return read_tape(path, key, as_of)
        except TapeError as exc:
            raise TapeError(str(exc).replace(str(path), "tape")) from None


def tape_from_rows(rows: list[LoanRow], key: bytes, as_of: date) -> LoanTape:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.model_dump(mode="json") for row in rows)
    return tape_from_csv(out.getvalue(), key, as_of)


def investor_role(name: str) -> str:
    """The keystore role of an investor's custodial key."""
    return f"investor-{name}"


@dataclass(frozen=True)
class Written:
    """A write that went through: its transaction and block (wait for the index to pass it)."""

    tx_hash: str
    block_number: int

    @classmethod
    def of(cls, receipt: TxReceipt) -> Written:
        return cls(receipt["transactionHash"].to_0x_hex(), int(receipt["blockNumber"]))


@dataclass(frozen=True)
class CreatedPool:
    address: str
    deal_id: str
    tokens: list[str]
    tranche_names: list[str]
    block_number: int


@dataclass(frozen=True)
class NewInvestor:
    account: InvestorAccount
    api_key: str | None  # only when the account was created by this call
    written: Written


# --- the service --------------------------------------------------------------------------------


@dataclass
class DealService:
    runtime: Runtime

    # -- contracts and keys ------------------------------------------------------------

    def _deployed(self, name: str) -> str:
        manifest = self.runtime.manifest
        if manifest is None or name not in manifest.contracts:
            raise DealConflict(
                "deployment", f"no {name} on this chain: deploy on a fresh chain (credence up)"
            )
        return manifest.address(name)

    @cached_property
    def factory(self) -> PoolFactoryClient:
        return PoolFactoryClient.at(
            self.runtime.sender("structurer"), self._deployed("PoolFactory")
        )

    @cached_property
    def registry(self) -> InvestorRegistryClient:
        address = self._deployed("InvestorRegistry")
        return InvestorRegistryClient.at(self.runtime.sender("agent"), address)

    def pool(self, address: str, role: str = "structurer") -> PoolClient:
        """A pool this deployment's factory created, sending as ``role``; else DealNotFound."""
        if not Web3.is_address(address):
            raise DealError("pool", f"not an address: {address!r}")
        address = Web3.to_checksum_address(address)
        if not self.factory.contract.functions.isPool(address).call():
            raise DealNotFound("pool", f"no pool {address} was created by this factory")
        return PoolClient.at(self.runtime.sender(role), address)

    def _mock_token(self) -> str | None:
        manifest = self.runtime.manifest
        if manifest is None or "MockStablecoin" not in manifest.contracts:
            return None
        return manifest.address("MockStablecoin")

    def _ensure_funds(self, pool: PoolClient, holder: str, amount: int) -> None:
        """Dev chains only: mint a custodial payer what it lacks (no borrowers or banks exist
        there). On any other token a shortfall is a conflict naming the balance."""
        token = pool.settlement_token()
        balance = token.functions.balanceOf(holder).call()
        if balance >= amount:
            return
        if token.address != self._mock_token():
            raise DealConflict("amount", f"{holder} holds {balance} units, needs {amount}")
        mock = contract_at(self.runtime.w3, "MockStablecoin", token.address)
        self.runtime.sender("admin").send(mock.functions.mint(holder, amount - balance))

    # -- pools -------------------------------------------------------------------------

    def create_pool(
        self, spec: DealSpec, tape: LoanTape, parties: dict[str, str] | None = None
    ) -> CreatedPool:
        """Create the pool of ``spec`` over ``tape`` (structurer), grant the agent its token
        role (admin) and keep the spec for names and reports."""
        token = self._settlement_token(spec)
        keys = self.runtime.keystore
        chosen = {
            "originator": keys.signer("structurer").address,
            "servicer_fee_recipient": keys.signer("servicer").address,
            "trustee_fee_recipient": keys.signer("admin").address,
            **(parties or {}),
        }
        with input_errors("tape"):
            pool = self.factory.create_pool(
                PoolSetup.from_spec(spec),
                parties=Parties(
                    admin=keys.signer("admin").address,
                    structurer=keys.signer("structurer").address,
                    servicer=keys.signer("servicer").address,
                    **chosen,
                ),
                settlement_token=token,
                registry=self.registry.address,
                tape=TapeCommitment(tape.root, tape.aggregates),
            )
        admin, agent = self.runtime.sender("admin"), keys.signer("agent").address
        tokens = pool.tokens()
        for address in tokens:
            TrancheTokenClient.at(admin, address).grant_role("AGENT_ROLE", agent)
        with session_scope(self.runtime.engine) as session:
            session.add(
                DealSpecRecord(
                    pool=pool.address,
                    spec=spec.model_dump_json(),
                    tape_as_of=tape.as_of.isoformat(),
                    created_at=int(time.time()),
                )
            )
        deal_id = "0x" + PoolSetup.from_spec(spec).deal_id.hex()
        block = self.runtime.w3.eth.block_number
        return CreatedPool(pool.address, deal_id, tokens, spec.tranche_names, block)

    def _settlement_token(self, spec: DealSpec) -> str:
        address = spec.settlement_token.address or self._mock_token()
        if address is None:
            raise DealError(
                "spec.settlement_token.address", "required: this chain has no mock stablecoin"
            )
        address = Web3.to_checksum_address(address)
        token = contract_at(self.runtime.w3, "MockStablecoin", address)  # any ERC-20 metadata
        try:
            decimals = token.functions.decimals().call()
        except Exception:
            raise DealError(
                "spec.settlement_token.address", f"{address} is not an ERC-20 token"
            ) from None
        if decimals != spec.settlement_token.decimals:
            raise DealError(
                "spec.settlement_token.decimals",
                f"the token at {address} has {decimals} decimals, the spec says "
                f"{spec.settlement_token.decimals}",
            )
        return address

    def transition(self, address: str, action: str) -> Written:
        """open | close | cancel | wind-down (structurer) or mature (servicer)."""
        if action == "mature":
            return Written.of(self.pool(address, "servicer").mature())
        pool = self.pool(address)
        calls = {
            "open": pool.open_subscription,
            "close": pool.close,
            "cancel": pool.cancel,
            "wind-down": pool.wind_down,
        }
        if action not in calls:
            raise DealError("action", f"must be one of {', '.join(calls)} or mature")
        return Written.of(calls[action]())

    def report_period(
        self, address: str, period: PeriodInput, *, call: bool = False
    ) -> PeriodOutcome:
        """Pay the period's cash in and run the waterfall on chain (servicer); with ``call``
        the period is the clean-up call (the price in prepayments, pool balance 0)."""
        pool = self.pool(address, "servicer")
        with input_errors("report"):
            report, stats = period.to_report(), period.to_stats()
            self._ensure_funds(pool, pool.sender.address, report.cash_in)
            run = pool.exercise_call if call else pool.report_period
            return run(report, stats)

    # -- investors' own operations -----------------------------------------------------

    def investor_sender(self, name: str) -> Sender:
        account = self.account(name)
        if not account.custodial:
            raise DealConflict(
                "investor", f"{name} signs with its own key; the service holds none for it"
            )
        return self.runtime.sender(investor_role(name))

    def tranche_index(self, address: str, tranche: int | str) -> int:
        """A tranche by index (0 = most senior) or by its name in the deal spec."""
        count = self.pool(address).contract.functions.trancheCount().call()
        if isinstance(tranche, int) or (isinstance(tranche, str) and tranche.isdigit()):
            if not 0 <= int(tranche) < count:
                raise DealError("tranche", f"the deal has tranches 0..{count - 1}, not {tranche}")
            return int(tranche)
        names = self.tranche_names(address, count)
        if tranche not in names:
            raise DealError("tranche", f"no tranche {tranche!r}; the deal has {', '.join(names)}")
        return names.index(tranche)

    def subscribe(self, address: str, name: str, tranche: int | str, amount: int) -> Written:
        pool = self.pool(address).as_sender(self.investor_sender(name))
        index = self.tranche_index(address, tranche)
        with input_errors("amount"):
            self._ensure_funds(pool, pool.sender.address, amount)
            return Written.of(pool.subscribe(index, amount))

    def refund(self, address: str, name: str, tranche: int | str) -> Written:
        pool = self.pool(address).as_sender(self.investor_sender(name))
        return Written.of(pool.refund(self.tranche_index(address, tranche)))

    def claim(self, address: str, name: str, tranche: int | str) -> int:
        pool = self.pool(address).as_sender(self.investor_sender(name))
        return pool.claim(self.tranche_index(address, tranche))

    def claimable(self, address: str, holder: str) -> list[tuple[int, int]]:
        """``(tranche, claimable units)`` for every tranche, read from the chain."""
        pool = self.pool(address)
        return [(i, pool.claimable(i, holder)) for i in range(len(pool.tokens()))]

    def transfer(
        self, address: str, name: str, tranche: int | str, to: str, amount: int
    ) -> Written:
        token = self._token(address, tranche, self.investor_sender(name))
        with input_errors("amount"):
            return Written.of(token.transfer(self.resolve(to), amount))

    def _token(self, address: str, tranche: int | str, sender: Sender) -> TrancheTokenClient:
        index = self.tranche_index(address, tranche)
        return TrancheTokenClient.at(sender, self.pool(address).tokens()[index])

    # -- compliance (agent) ------------------------------------------------------------

    def account(self, name: str) -> InvestorAccount:
        with Session(self.runtime.engine) as session:
            row = session.get(InvestorAccount, name)
        if row is None:
            raise DealNotFound("investor", f"no investor named {name!r}")
        return row

    def resolve(self, ident: str) -> str:
        """An investor's address from its name or an address."""
        if Web3.is_address(ident):
            return Web3.to_checksum_address(ident)
        return self.account(ident).address

    def investor_for_key(self, api_key: str) -> str | None:
        with Session(self.runtime.engine) as session:
            row = session.exec(
                select(InvestorAccount).where(InvestorAccount.api_key_hash == key_hash(api_key))
            ).first()
        return row.name if row else None

    def add_investor(
        self, name: str, kyc_expiry: int, jurisdiction: str, address: str | None = None
    ) -> NewInvestor:
        """Admit or update an investor; without ``address`` the service holds its key."""
        if not INVESTOR_NAME.fullmatch(name):
            raise DealError("name", "1-32 of a-z, 0-9, '-', '_', starting with a letter or digit")
        with Session(self.runtime.engine) as session:
            existing = session.get(InvestorAccount, name)
        custodial = address is None and existing is None
        if address is None:
            address = existing.address if existing else self._custodial_address(name)
        if not Web3.is_address(address):
            raise DealError("address", f"not an address: {address!r}")
        address = Web3.to_checksum_address(address)
        if existing and existing.address != address:
            raise DealConflict("address", f"{name} is already {existing.address}")
        with input_errors():
            written = Written.of(self.registry.set_investor(address, kyc_expiry, jurisdiction))
        if existing:
            return NewInvestor(existing, None, written)
        api_key = new_key("investor")
        account = InvestorAccount(
            name=name,
            address=address,
            custodial=custodial,
            api_key_hash=key_hash(api_key),
            created_at=int(time.time()),
        )
        with session_scope(self.runtime.engine) as session:
            session.add(account)
        return NewInvestor(account, api_key, written)

    def _custodial_address(self, name: str) -> str:
        role = investor_role(name)
        address = self.runtime.keystore.signer(role).address
        if self.runtime.is_dev_chain():
            self.runtime.fund_dev_keys((role,))
        return address

    def remove_investor(self, ident: str) -> Written:
        with input_errors():
            return Written.of(self.registry.remove_investor(self.resolve(ident)))

    def freeze(self, ident: str, reason: int) -> Written:
        with input_errors():
            return Written.of(self.registry.freeze(self.resolve(ident), reason))

    def unfreeze(self, ident: str) -> Written:
        with input_errors():
            return Written.of(self.registry.unfreeze(self.resolve(ident)))

    def forced_transfer(
        self,
        address: str,
        tranche: int | str,
        holder: str,
        to: str,
        amount: int,
        reason: str,
    ) -> Written:
        token = self._token(address, tranche, self.runtime.sender("agent"))
        with input_errors():
            receipt = token.forced_transfer(self.resolve(holder), self.resolve(to), amount, reason)
        return Written.of(receipt)

    # -- reads (from the index) --------------------------------------------------------

    def sync(self) -> int:
        """Bring the index up to the chain head (the CLI's reads; the API's indexer runs on
        its own thread)."""
        return self.runtime.indexer().poll_once()

    def pools(self) -> list[DealPool]:
        with Session(self.runtime.engine) as session:
            return list(session.exec(select(DealPool).order_by(DealPool.created_block)).all())

    def pool_row(self, address: str) -> DealPool:
        key = Web3.to_checksum_address(address) if Web3.is_address(address) else address
        with Session(self.runtime.engine) as session:
            row = session.get(DealPool, key)
        if row is None:
            raise DealNotFound("pool", f"no pool {address} in the index")
        return row

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

    # -- investor reports --------------------------------------------------------------

    def investor_reports(self, address: str) -> list[dict[str, Any]]:
        """The investor report of every indexed period, rebuilt from the period events."""
        pool = self.pool_row(address)
        tranches = [t for _, t in self.tranches(address)]
        spec = self._report_spec(pool, tranches)
        zeros = (0,) * len(tranches)
        state = DealState(
            balances=tuple(t.face for t in tranches),
            interest_shortfalls=zeros,
            writedowns=zeros,
            servicer_fee_shortfall=0,
            trustee_fee_shortfall=0,
            reserve=pool.initial_reserve,
            pool_balance=pool.initial_pool_balance,
            last_period_end=pool.closing_time,
            trigger_breached=False,
            period=0,
        )
        reports = []
        for row, _ in self.periods(address):
            args = json.loads(row.event_args)
            result = result_from_event(args, state)
            report = _report_from_event(args["report"])
            reports.append(investor_report(spec, row.period, state, report, result))
            state = result.state
        return reports

    def investor_report(self, address: str, number: int) -> dict[str, Any]:
        for report in self.investor_reports(address):
            if report["period"] == number:
                return report
        raise DealNotFound("period", f"period {number} of {address} is not indexed")

    def stored_spec(self, address: str) -> DealSpec | None:
        with Session(self.runtime.engine) as session:
            row = session.get(DealSpecRecord, address)
        return parse_spec(json.loads(row.spec)) if row else None

    def tranche_names(self, address: str, count: int | None = None) -> list[str]:
        spec = self.stored_spec(Web3.to_checksum_address(address))
        if spec is not None:
            return spec.tranche_names
        if count is None:
            count = self.pool_row(address).tranche_count
        return [f"class-{i + 1}" for i in range(count)]

    def _report_spec(self, pool: DealPool, tranches: list[DealTranche]) -> DealSpec:
        """The deal as the chain has it (faces, terms, dates), named as in the stored spec;
        a pool created elsewhere gets its token's symbol and numbered class names."""
        stored = self.stored_spec(pool.address)
        if stored is not None:
            name, symbol, decimals = (
                stored.name,
                stored.settlement_token.symbol,
                stored.settlement_token.decimals,
            )
        else:
            token = contract_at(self.runtime.w3, "MockStablecoin", pool.settlement_token)
            name = f"pool {pool.address}"
            symbol = token.functions.symbol().call()[:11] or "TOKEN"
            decimals = token.functions.decimals().call()
        names = self.tranche_names(pool.address, len(tranches))
        terms = json.loads(pool.terms)
        closing = datetime.fromtimestamp(pool.closing_time, UTC).date()

        def whole(units: int) -> str:
            return str(Decimal(units).scaleb(-decimals))

        return parse_spec(
            {
                "name": name,
                "settlement_token": {"symbol": symbol, "decimals": decimals},
                "period": {
                    "months": pool.period_months,
                    "closing_date": closing.isoformat(),
                    "first_payment_date": add_months(closing, pool.period_months).isoformat(),
                },
                "pool_balance": whole(pool.initial_pool_balance),
                "tranches": [
                    {
                        "name": names[t.tranche],
                        "size": whole(t.face),
                        "coupon_bps": t.coupon_bps,
                        "day_count": DAY_COUNT_NAMES[t.day_count],
                        "seniority": t.tranche + 1,
                    }
                    for t in tranches
                ],
                "fees": {
                    "servicer_bps": pool.servicer_fee_bps,
                    "trustee_bps": pool.trustee_fee_bps,
                    "day_count": DAY_COUNT_NAMES[terms["feeDayCount"]],
                },
                "principal_mode": pool.principal_mode,
                "triggers": {"oc_min_bps": pool.oc_trigger_bps, "ic_min_bps": pool.ic_trigger_bps},
                "reserve": {
                    "target": whole(pool.reserve_target),
                    "initial": whole(pool.initial_reserve),
                },
                "cleanup_call_bps": pool.cleanup_call_bps,
            }
        )


def _report_from_event(r: dict[str, Any]) -> PeriodReport:
    return PeriodReport(
        period_end=r["periodEnd"],
        interest=r["interest"],
        scheduled_principal=r["scheduledPrincipal"],
        prepayments=r["prepayments"],
        recoveries=r["recoveries"],
        new_defaults=r["newDefaults"],
        delinquent_30=r["delinquent30"],
        delinquent_60=r["delinquent60"],
        delinquent_90=r["delinquent90"],
        pool_balance=r["poolBalance"],
        tape_root=bytes.fromhex(r["tapeRoot"][2:]),
    )
