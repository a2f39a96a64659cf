"""SQLModel tables of the securitization side: pools, tranches, periods, investors, holdings.

*Indexed* tables (``DealPool`` .. ``DealForcedTransfer``) are projections of the events of
the PoolFactory, the pools and tranche tokens it creates, and the InvestorRegistry, written
only by ``ledger.indexer.deals`` and rebuilt from the event log. *Service* tables
(``DealSpecRecord``, ``InvestorAccount``) hold what only this service knows: the deal spec a
pool was created from, and which custodial key and API key belong to which investor.

Amounts are token units up to 2**128 (and the tokens' magnified accumulators up to 2**256),
beyond a 64-bit SQL integer, so they are stored as decimal text (``BigInt``) and read back
as Python ints.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, String, Text, true
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class BigInt(TypeDecorator):
    """An arbitrary-size non-negative integer kept as decimal text."""

    impl = String(80)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(int(value))

    def process_result_value(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else int(value)


def big(default: int = 0) -> Any:
    return Field(default=default, sa_column=Column(BigInt(), nullable=False))


def block() -> Any:
    return Field(default=0, sa_column=Column(BigInteger, nullable=False))


# --- indexed ------------------------------------------------------------------------------------


class DealPool(SQLModel, table=True):
    """One pool: parties, terms summary, lifecycle state, tape commitment, running totals."""

    address: str = Field(primary_key=True)
    deal_id: str = ""
    creator: str = ""
    created_block: int = block()
    tx_hash: str = ""
    state: str = "structuring"
    admin: str = ""
    structurer: str = ""
    servicer: str = ""
    originator: str = ""
    servicer_fee_recipient: str = ""
    trustee_fee_recipient: str = ""
    settlement_token: str = ""
    investor_registry: str = ""
    closing_time: int = block()
    tranche_count: int = 0
    period_months: int = 0
    principal_mode: str = ""
    initial_pool_balance: int = big()
    servicer_fee_bps: int = 0
    trustee_fee_bps: int = 0
    oc_trigger_bps: int = 0
    ic_trigger_bps: int = 0
    # Cumulative-default trigger schedule as JSON {first period: max bps}; {} = no test.
    cd_trigger: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    reserve_target: int = big()
    cleanup_call_bps: int = 0
    initial_reserve: int = big()
    terms: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # event JSON
    tape_root: str = ""
    tape_count: int = big()
    tape_balance: int = big()
    tape_wa_rate_bps: int = big()
    tape_wa_score: int = big()
    tape_wa_remaining_term_months: int = big()
    proceeds: int = big()  # paid to the originator at close
    periods: int = 0
    pool_balance: int = big()
    reserve: int = big()
    trigger_breached: bool = False
    released_to_equity: int = big()
    # Close's treatment of unsubscribed parts, JSON {tranche: amount retained by the
    # originator} (from Retained; resized tranches show in their faces).
    retained: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class DealTrancheFigures(SQLModel):
    token: str = Field(default="", index=True)
    size: int = big()  # the terms' size; the subscribed face from close on
    coupon_bps: int = 0
    day_count: int = 0
    subscribed: int = big()  # subscribed less refunded
    face: int = big()
    balance: int = big()
    factor_bps: int = 0
    interest_shortfall: int = big()
    writedowns: int = big()  # written down and not yet written back up
    supply: int = big()
    distributed: int = big()
    claimed: int = big()


class DealTranche(DealTrancheFigures, table=True):
    """One tranche of a pool and its permissioned token."""

    pool: str = Field(primary_key=True)
    tranche: int = Field(primary_key=True)  # 0 = most senior
    per_token: int = big()  # the token's magnified (x 2**128) accumulator
    carried: int = big()  # magnified remainder carried to the next distribution


class DealSubscription(SQLModel, table=True):
    """A subscription or a refund (after a cancel), one row per event."""

    id: int | None = Field(default=None, primary_key=True)
    pool: str = Field(index=True)
    tranche: int
    investor: str = Field(index=True)
    kind: str  # subscribe | refund
    amount: int = big()
    block_number: int = block()
    tx_hash: str


class DealPeriodFigures(SQLModel):
    block_number: int = block()
    tx_hash: str
    period_end: int = block()
    interest: int = big()
    scheduled_principal: int = big()
    prepayments: int = big()
    recoveries: int = big()
    new_defaults: int = big()
    delinquent_30: int = big()
    delinquent_60: int = big()
    delinquent_90: int = big()
    pool_balance: int = big()
    tape_root: str
    tape_count: int = big()
    tape_wa_rate_bps: int = big()
    tape_wa_score: int = big()
    tape_wa_remaining_term_months: int = big()
    accrual_days: int = 0
    servicer_fee_due: int = big()
    servicer_fee_paid: int = big()
    trustee_fee_due: int = big()
    trustee_fee_paid: int = big()
    principal_due: int = big()
    reserve_before: int = big()
    reserve_target: int = big()
    reserve_trapped: int = big()
    reserve_after: int = big()
    residual_to_equity: int = big()
    oc_ratio_bps: int = big()
    ic_ratio_bps: int = big()
    cd_ratio_bps: int = big()
    cd_threshold_bps: int = big()
    cumulative_defaults: int = big()
    oc_pass: bool
    ic_pass: bool
    cd_pass: bool
    trigger_breached: bool  # this period's tests: sequential principal and trapping
    sequential: bool
    cleanup_eligible: bool
    cash_in: int = big()
    # the rating test (§8); rows indexed before it existed passed it (no trigger)
    rating_pass: bool = Field(default=True, sa_column_kwargs={"server_default": true()})


class DealPeriod(DealPeriodFigures, table=True):
    """Every figure of one ``PeriodReported`` event (per-tranche ones in DealPeriodTranche)."""

    pool: str = Field(primary_key=True)
    period: int = Field(primary_key=True)
    event_args: str = Field(sa_column=Column(Text, nullable=False))  # the event, as JSON


class DealPeriodTrancheFigures(SQLModel):
    interest_due: int = big()
    interest_paid: int = big()
    interest_shortfall: int = big()
    principal_paid: int = big()
    writedown: int = big()
    writeup: int = big()  # by recoveries and cures
    cured: int = big()  # cured from revenue
    balance: int = big()
    writedowns_outstanding: int = big()


class DealPeriodTranche(DealPeriodTrancheFigures, table=True):
    pool: str = Field(primary_key=True)
    period: int = Field(primary_key=True)
    tranche: int = Field(primary_key=True)


class DealInvestor(SQLModel, table=True):
    """An address's record in the InvestorRegistry."""

    address: str = Field(primary_key=True)
    listed: bool = False
    kyc_expiry: int = block()
    jurisdiction: str = ""
    frozen: bool = False
    freeze_reason: int = 0
    updated_block: int = block()


class DealJurisdiction(SQLModel, table=True):
    code: str = Field(primary_key=True)
    blocked: bool


class DealHolding(SQLModel, table=True):
    """A holder of a tranche token: balance, distribution accrual (the token's own
    bookkeeping, replayed from Transfer / Distributed / Claimed) and token-level freeze."""

    token: str = Field(primary_key=True)
    holder: str = Field(primary_key=True)
    pool: str = Field(index=True)
    tranche: int
    balance: int = big()
    owed: int = big()  # magnified, settled accrual
    paid_per_token: int = big()
    claimed: int = big()
    frozen: bool = False
    freeze_reason: int = 0


class DealForcedTransfer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(index=True)
    sender: str
    receiver: str
    amount: int = big()
    reason_code: str
    agent: str
    block_number: int = block()
    tx_hash: str


# --- service ------------------------------------------------------------------------------------


class DealSpecRecord(SQLModel, table=True):
    """The spec a pool was created from by this service (names, token, dates)."""

    pool: str = Field(primary_key=True)
    spec: str = Field(sa_column=Column(Text, nullable=False))  # DealSpec JSON
    tape_as_of: str
    created_at: int


class InvestorAccount(SQLModel, table=True):
    """An investor known by name: its address, whether the service holds its key (custodial,
    keystore role ``investor-<name>``) and the hash of its API key."""

    name: str = Field(primary_key=True)
    address: str = Field(index=True, unique=True)
    custodial: bool
    api_key_hash: str | None = Field(default=None, index=True)
    created_at: int
