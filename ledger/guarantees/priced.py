"""The price recorded is the price deployed (docs/waterfall.md §14.6).

A facility deployed with a pricing record commits the record's hash; its terms must then
be the ones the record priced: the same kind, tranche and policy terms and the priced
premium exactly, and, since more collateral only protects the pool, a collateral required
of at least the priced one (a guarantee's limit too, or ``required = min(collateral_required,
limit - drawn)`` would hold less than priced). ``differences`` lists what does not hold;
the service refuses a deployment on the first, ``cover verify --facility`` reports them
all for the terms a deployed facility has on chain.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from ledger.deals.cover import GuaranteeTerms, InsuranceTerms
from ledger.deals.service import DealError
from ledger.guarantees.pricing import PricingInputs, inputs_from_record, record_hash

_POLICY_TERMS = ("deductible", "limit", "coinsurance_bps", "last_period")


@dataclass(frozen=True)
class Difference:
    """One term that is not what the record priced."""

    field: str  # as a request names it: ``terms.premium_bps``, ``required``
    priced: int | str
    value: int | str  # asked for, or deployed
    rule: Literal["equal", "at least"]

    @property
    def reason(self) -> str:
        if self.field == "kind":
            return f"the pricing record prices kind {self.priced}, not {self.value}"
        need = "the priced" if self.rule == "equal" else "at least the priced"
        return f"must be {need} {self.priced} (the pricing record's), not {self.value}"


@dataclass(frozen=True)
class PricedRecord:
    """A pricing record read: its hash, inputs and stated result."""

    digest: bytes
    inputs: PricingInputs
    result: dict[str, int]

    @property
    def collateral(self) -> int:
        return self.result["collateral"]


def read_record(text: str) -> PricedRecord:
    """The record's hash, inputs and result; DealError naming ``pricing_record``."""
    try:
        inputs = inputs_from_record(text)
        result = json.loads(text)["result"]
        for name in ("premium_bps", "collateral"):
            result[name]  # a record states both (KeyError otherwise)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DealError("pricing_record", f"not a pricing record ({exc})") from None
    if not all(type(v) is int for v in result.values()):  # no floats, strings or booleans
        raise DealError("pricing_record", "not a pricing record (its result is not integers)")
    return PricedRecord(record_hash(text), inputs, result)


def _kind(terms: GuaranteeTerms | InsuranceTerms) -> str:
    return "guarantee" if isinstance(terms, GuaranteeTerms) else "insurance"


def differences(
    priced: PricedRecord, terms: GuaranteeTerms | InsuranceTerms, required: int
) -> list[Difference]:
    """Every term of a facility (``terms``, ``required``) the record did not price; for a
    record of the other kind, only that."""
    inputs, kind = priced.inputs, _kind(terms)
    if inputs.kind != kind:
        return [Difference("kind", inputs.kind, kind, "equal")]
    pairs: list[tuple[str, int, int, Literal["equal", "at least"]]]
    if isinstance(terms, GuaranteeTerms):
        pairs = [
            ("tranche", inputs.tranche, terms.tranche, "equal"),
            ("limit", priced.collateral, terms.limit, "at least"),
        ]
    else:
        pairs = [(n, getattr(inputs, n), getattr(terms, n), "equal") for n in _POLICY_TERMS]
    pairs.append(("premium_bps", priced.result["premium_bps"], terms.premium_bps, "equal"))
    found = [
        Difference(f"terms.{name}", want, got, rule)
        for name, want, got, rule in pairs
        if (got != want if rule == "equal" else got < want)
    ]
    if required < priced.collateral:
        found.append(Difference("required", priced.collateral, required, "at least"))
    return found


def check_priced(
    priced: PricedRecord, terms: GuaranteeTerms | InsuranceTerms, required: int
) -> None:
    """DealError naming the first term the record did not price (nothing is sent before)."""
    found = differences(priced, terms, required)
    if found:
        raise DealError(found[0].field, found[0].reason)


@dataclass(frozen=True)
class DeployedCheck:
    """A deployed facility against a pricing record: the hash it commits and its terms."""

    address: str
    pricing_hash: str  # as committed on chain
    hash_matches: bool
    differences: list[Difference]

    @property
    def holds(self) -> bool:
        return self.hash_matches and not self.differences

    def to_dict(self) -> dict[str, object]:
        return {
            "address": self.address,
            "pricing_hash": self.pricing_hash,
            "hash_matches": self.hash_matches,
            "terms_match": not self.differences,
            "differences": [asdict(d) for d in self.differences],
        }


def check_deployed(
    priced: PricedRecord,
    address: str,
    terms: GuaranteeTerms | InsuranceTerms,
    collateral_required: int,
    pricing_hash: str,
) -> DeployedCheck:
    """``differences`` for the terms and collateral a facility was deployed with (read from
    the chain), and whether it commits this record's hash."""
    committed = pricing_hash.lower()
    same = committed == "0x" + priced.digest.hex()
    found = differences(priced, terms, collateral_required)
    return DeployedCheck(address, committed, same, found)
