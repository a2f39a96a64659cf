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

One module per resource: ``pools`` (create, lifecycle, periods), ``holdings`` (an
investor's own operations), ``accounts`` (investor accounts and compliance), ``reads``
(the index), ``reports`` (investor reports); ``inputs`` holds the request models, errors
and results the API and the CLI share, ``base`` the contracts and keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.deals.service.accounts import AccountOps
from ledger.deals.service.holdings import HoldingOps
from ledger.deals.service.inputs import (
    UINT128,
    CreatedPool,
    DealConflict,
    DealError,
    DealNotFound,
    LoanRow,
    NewInvestor,
    PeriodInput,
    TapeStatsInput,
    Written,
    api_key_hash,
    input_errors,
    investor_role,
    tape_from_csv,
    tape_from_rows,
)
from ledger.deals.service.pools import PoolOps
from ledger.deals.service.reads import IndexReads
from ledger.deals.service.reports import ReportOps

__all__ = [
    "UINT128",
    "CreatedPool",
    "DealConflict",
    "DealError",
    "DealNotFound",
    "DealService",
    "LoanRow",
    "NewInvestor",
    "PeriodInput",
    "TapeStatsInput",
    "Written",
    "api_key_hash",
    "input_errors",
    "investor_role",
    "tape_from_csv",
    "tape_from_rows",
]


@dataclass
class DealService(PoolOps, HoldingOps, AccountOps, IndexReads, ReportOps):
    """Every deal operation over one runtime; each resource's methods live in its module."""
