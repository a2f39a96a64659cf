"""The values a pool is created and run with, and the input error its client raises.

``PoolInputError`` names the field an argument was rejected for, before anything is sent;
``checked_address`` and ``checked_amount`` raise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_utils import keccak
from web3.types import TxReceipt

from ledger.deals.spec import DealSpec
from ledger.deals.tape import TapeAggregates
from ledger.deals.waterfall import MAX_AMOUNT, DealTerms, PeriodResult, RatingTrigger
from ledger.errors import FieldError, checked_uint
from ledger.errors import checked_address as _checked_address


class PoolInputError(FieldError):
    """An argument was rejected before anything was sent; the message names the field."""


NO_RATING_TRIGGER = RatingTrigger("0x" + "00" * 20, 0, 0, 0)


class Unsubscribed(IntEnum):
    """``ISecuritizationPool.Unsubscribed``: what close does with a tranche not fully subscribed."""

    REFUSE = 0
    RETAIN = 1  # the remainder is minted to the originator (risk retention)
    RESIZE = 2  # the face becomes what was subscribed

    @classmethod
    def named(cls, field: str, name: str) -> Unsubscribed:
        try:
            return cls[name.upper()]
        except KeyError:
            choices = ", ".join(m.name.lower() for m in cls)
            raise PoolInputError(field, f"must be one of {choices}, got {name!r}") from None


class PoolState(IntEnum):
    """``ISecuritizationPool.State``."""

    STRUCTURING = 0
    SUBSCRIPTION = 1
    ACTIVE = 2
    AMORTISING = 3
    MATURED = 4
    CALLED = 5
    WOUND_DOWN = 6
    CANCELLED = 7


@dataclass(frozen=True)
class Parties:
    """Who holds which role in a pool and where its money goes."""

    admin: str  # DEFAULT_ADMIN_ROLE: grants and revokes roles
    structurer: str  # opens subscription, closes or cancels, winds down
    servicer: str  # reports periods and pays the cash in; exercises the clean-up call
    originator: str  # receives the proceeds at close
    servicer_fee_recipient: str
    trustee_fee_recipient: str


@dataclass(frozen=True)
class TapeCommitment:
    """The loan tape as the pool stores it: the Merkle root and the aggregates."""

    root: bytes
    aggregates: TapeAggregates


@dataclass(frozen=True)
class PoolSetup:
    """What a pool is created with: the waterfall terms, the closing time, the reserve
    funded at close out of the proceeds, and names for the deal and its tranches."""

    name: str
    tranche_names: tuple[str, ...]
    terms: DealTerms
    closing_time: int
    initial_reserve: int = 0
    rating: RatingTrigger = NO_RATING_TRIGGER  # §8 the rating test (a zero feed: none)

    @classmethod
    def from_spec(
        cls, spec: DealSpec, feed: str | None = None, agency: int | None = None
    ) -> PoolSetup:
        """The setup of ``spec``; ``feed`` and ``agency`` fill in its rating trigger's
        defaults (the deployment's RatingFeed, the service's rating agency)."""
        try:
            rating = spec.rating_terms(feed, agency)
        except ValueError as exc:
            raise PoolInputError("spec.rating_trigger", str(exc).partition(": ")[2]) from None
        return cls(
            name=spec.name,
            tranche_names=tuple(spec.tranche_names),
            terms=spec.to_terms(),
            closing_time=spec.closing_time,
            initial_reserve=spec.units(spec.reserve.initial),
            rating=rating,
        )

    @property
    def deal_id(self) -> bytes:
        """A stable identifier of the deal: the hash of its setup."""
        return keccak(text=repr(self))


@dataclass(frozen=True)
class PeriodOutcome:
    """A reported period: the waterfall's result and the transaction that ran it."""

    result: PeriodResult
    receipt: TxReceipt

    @property
    def gas_used(self) -> int:
        return int(self.receipt["gasUsed"])


def checked_address(field: str, value: str) -> str:
    return _checked_address(field, value, PoolInputError)


def checked_amount(field: str, value: int, minimum: int = 0) -> int:
    return checked_uint(field, value, MAX_AMOUNT, minimum, PoolInputError)
