"""SQLModel tables of guarantees and credit insurance (docs/waterfall.md §14).

Projections of the GuaranteeFacility and InsurancePolicy events, written only by
``ledger.indexer.cover`` and rebuilt from the event log: one row per facility (terms, state,
running totals), one per collateral movement, and one per facility and period (the
``GuaranteeResult`` or ``InsuranceResult`` the pool's waterfall settled). Amounts are token
units kept as decimal text (``BigInt``), like the deal tables.

One *service* table, not rebuilt: ``CoverProvider``, the guarantors and insurers the agent
admitted by name, with the hash of the API key bound to each (``ledger.guarantees.providers``).
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from ledger.store.deal_tables import big, block


class CoverFacility(SQLModel, table=True):
    """One guarantee facility (``kind="guarantee"``) or insurance policy (``"insurance"``).

    ``paid`` is what the provider paid into the pool (draws, or claims paid), ``recovered``
    what came back to it (subrogation, or its share of recoveries); ``owed`` their gap."""

    address: str = Field(primary_key=True)
    kind: str = ""
    pool: str = Field(default="", index=True)
    provider: str = ""
    tranche: int | None = None  # the covered note (guarantees only)
    cover_limit: int = big()
    premium_bps: int = 0
    last_period: int = 0
    deductible: int = big()  # insurance only
    coinsurance_bps: int = 0  # insurance only
    required: int = big()  # collateral to keep posted while in force
    pricing_hash: str = ""
    created_block: int = block()
    tx_hash: str = ""  # the deployment
    bound: bool = False
    bound_block: int | None = None
    bound_tx: str = ""
    released: bool = False
    released_amount: int = big()
    released_tx: str = ""
    collateral: int = big()  # posted and not yet drawn or paid out
    posted: int = big()
    withdrawn: int = big()
    premium_paid: int = big()
    premium_shortfall: int = big()
    paid: int = big()
    recovered: int = big()
    owed: int = big()
    unpaid_claims: int = big()
    losses: int = big()  # insurance: defaults reported while in force
    periods: int = 0  # periods settled


class CoverCollateralMove(SQLModel, table=True):
    """Collateral posted, withdrawn or released (returned to the provider)."""

    id: int | None = Field(default=None, primary_key=True)
    facility: str = Field(index=True)
    pool: str = ""
    kind: str  # posted | withdrawn | released
    amount: int = big()
    collateral_after: int = big()
    block_number: int = block()
    tx_hash: str = ""
    log_index: int = 0


class CoverSettlement(SQLModel, table=True):
    """A facility's figures for one period of its pool, and its state after the period.

    Guarantees fill ``demand``..``from_revenue``; policies ``claim``..``recovered``."""

    facility: str = Field(primary_key=True)
    period: int = Field(primary_key=True)
    pool: str = Field(default="", index=True)
    kind: str = ""
    premium_due: int = big()
    premium_paid: int = big()
    demand: int = big()
    draw: int = big()
    draw_interest: int = big()
    draw_cure: int = big()
    from_recoveries: int = big()
    from_revenue: int = big()
    claim: int = big()
    claim_paid: int = big()
    recovered: int = big()
    unpaid_claim: int = big()
    collateral_after: int = big()
    paid_total: int = big()  # drawn, or claims paid, in total after the period
    recovered_total: int = big()
    losses_total: int = big()
    premium_shortfall: int = big()
    unpaid_claims_total: int = big()
    released: bool = False
    block_number: int = block()
    tx_hash: str = ""


class CoverProvider(SQLModel, table=True):
    """A guarantor or insurer admitted by name: its kind (``guarantee`` or ``insurance``), its
    address (the ``provider`` of the facilities it deploys), whether the service holds its
    key (custodial, keystore role ``cover-<name>``) and the SHA-256 of its API key.

    A rotation replaces the hash; a removal keeps the row (its facilities still name its
    address, and neither the name nor the address is given to another provider) with no
    hash, so no key resolves to it."""

    name: str = Field(primary_key=True)
    kind: str
    address: str = Field(index=True, unique=True)
    custodial: bool
    api_key_hash: str = Field(index=True)  # "" once removed
    created_at: int
    key_rotated_at: int | None = None  # the last rotation
    removed_at: int | None = None
    removed_tx: str = ""  # its investor-registry removal ("" when it was no longer listed)
