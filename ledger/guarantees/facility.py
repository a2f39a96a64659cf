"""Typed client for GuaranteeFacility and InsurancePolicy (docs/waterfall.md §14).

A facility is deployed for one pool by its provider (the guarantor or insurer, admitted
in the investor registry), funded with ``post``, bound by the pool's structurer, and
released once the pool, the term or the covered note allows it. Terms, states and the
per-period ``*Settled`` events convert to the same dataclasses ``ledger.deals.cover`` uses,
so a chain period compares with ``apply_period`` by plain equality.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Self

from web3.logs import DISCARD
from web3.types import TxReceipt

from ledger.chain.client import ContractClient
from ledger.chain.deploy import DeployedContract, contract_at, deploy
from ledger.deals.cover import (
    Cover,
    CoverResult,
    Guarantee,
    GuaranteeResult,
    GuaranteeState,
    GuaranteeTerms,
    Insurance,
    InsuranceResult,
    InsuranceState,
    InsuranceTerms,
)
from ledger.deals.pool import PoolClient
from ledger.deals.pool_abi import event_fields
from ledger.errors import checked_uint
from ledger.tx import Sender

KINDS = {"guarantee": "GuaranteeFacility", "insurance": "InsurancePolicy"}
_TERMS = {"guarantee": GuaranteeTerms, "insurance": InsuranceTerms}
_STATES = {"guarantee": GuaranteeState, "insurance": InsuranceState}
_RESULTS = {"guarantee": GuaranteeResult, "insurance": InsuranceResult}
_EVENTS = {"guarantee": "GuaranteeSettled", "insurance": "InsuranceSettled"}


def _names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def terms_tuple(terms: GuaranteeTerms | InsuranceTerms) -> tuple[int, ...]:
    return tuple(checked_uint(f"terms.{n}", getattr(terms, n)) for n in _names(type(terms)))


def _struct(cls: type, raw: Any) -> Any:
    """A contract struct (a call's tuple, or an event's named fields) as ``cls``."""
    names = _names(cls)
    values = [raw[i] for i in range(len(names))] if isinstance(raw, tuple | list) else None
    data = dict(zip(names, values, strict=True)) if values else event_fields(raw, names)
    return cls(**{k: bool(v) if k == "released" else v for k, v in data.items()})


def _result(kind: str, raw: Any) -> Any:
    cls = _RESULTS[kind]
    data = event_fields(raw, [n for n in _names(cls) if n != "state"])
    return cls(**data, state=_struct(_STATES[kind], raw["state"]))


@dataclass(frozen=True)
class FacilityClient(ContractClient):
    """One GuaranteeFacility (``kind="guarantee"``) or InsurancePolicy (``"insurance"``)."""

    kind: str
    deployment: DeployedContract | None = None  # set by ``deploy``: its transaction, block

    @classmethod
    def deploy(
        cls,
        provider: Sender,
        pool: PoolClient,
        registry: str,
        terms: GuaranteeTerms | InsuranceTerms,
        required: int,
        pricing_hash: bytes = bytes(32),
        idempotency_key: str | None = None,
    ) -> Self:
        """Deploy a facility for ``pool``, ``provider`` being the guarantor or insurer."""
        kind = "guarantee" if isinstance(terms, GuaranteeTerms) else "insurance"
        token = pool.contract.functions.settlementToken().call()
        contract, record = deploy(
            provider,
            KINDS[kind],
            pool.address,
            provider.address,
            token,
            registry,
            terms_tuple(terms),
            checked_uint("required", required),
            pricing_hash,
            idempotency_key=idempotency_key,
        )
        return cls(contract, provider, kind, record)

    @classmethod
    def at(cls, sender: Sender, kind: str, address: str) -> Self:
        return cls(contract_at(sender.w3, KINDS[kind], address), sender, kind)

    def terms(self) -> GuaranteeTerms | InsuranceTerms:
        return _struct(_TERMS[self.kind], self.contract.functions.terms().call())

    def state(self) -> GuaranteeState | InsuranceState:
        return _struct(_STATES[self.kind], self.contract.functions.coverState().call())

    def cover(self) -> Guarantee | Insurance:
        pair = Guarantee if self.kind == "guarantee" else Insurance
        return pair(self.terms(), self.state())

    def required(self) -> int:
        return self.contract.functions.required().call()

    def post(self, amount: int, idempotency_key: str | None = None) -> TxReceipt:
        """Approve and post (or top up) ``amount`` of collateral; with ``idempotency_key``
        each of the two transactions is sent at most once."""
        amount = checked_uint("amount", amount)
        token = contract_at(self.w3, "MockStablecoin", self.contract.functions.token().call())
        key = idempotency_key
        approve = token.functions.approve(self.address, amount)
        self._send(approve, f"{key}:approve" if key else None)
        return self._send(self.contract.functions.post(amount), f"{key}:post" if key else None)

    def withdraw(self, amount: int) -> TxReceipt:
        return self._send(self.contract.functions.withdraw(checked_uint("amount", amount)))

    def release(self, idempotency_key: str | None = None) -> TxReceipt:
        return self._send(self.contract.functions.release(), idempotency_key)

    def settled(self, receipt: TxReceipt) -> GuaranteeResult | InsuranceResult | None:
        """This facility's figures for the period ``receipt`` ran (None if not bound)."""
        event = getattr(self.contract.events, _EVENTS[self.kind])()
        logs = event.process_receipt(receipt, errors=DISCARD)
        return _result(self.kind, logs[0]["args"]["result"]) if logs else None


def bind(
    structurer: PoolClient, facility: FacilityClient, idempotency_key: str | None = None
) -> TxReceipt:
    """The pool's structurer binds ``facility``; from the next period it is in the rule."""
    fn = structurer.contract.functions
    call = fn.bindGuarantee if facility.kind == "guarantee" else fn.bindInsurance
    return structurer.sender.send(call(facility.address), idempotency_key=idempotency_key)


def bound_cover(pool: PoolClient) -> tuple[FacilityClient | None, FacilityClient | None]:
    """The pool's bound guarantee facility and insurance policy (None where unbound)."""
    zero = "0x" + "0" * 40
    found: list[FacilityClient | None] = []
    for kind, getter in (("guarantee", "guarantee"), ("insurance", "insurance")):
        address = getattr(pool.contract.functions, getter)().call()
        found.append(None if address == zero else FacilityClient.at(pool.sender, kind, address))
    return found[0], found[1]


def read_cover(pool: PoolClient) -> Cover:
    """The cover the pool's next period runs with, read from the chain."""
    g, i = bound_cover(pool)
    return Cover(g.cover() if g else None, i.cover() if i else None)  # type: ignore[arg-type]


def cover_result(pool: PoolClient, receipt: TxReceipt) -> CoverResult | None:
    """A period's cover figures from its receipt's ``*Settled`` events."""
    g, i = bound_cover(pool)
    if g is None and i is None:
        return None
    return CoverResult(g.settled(receipt) if g else None, i.settled(receipt) if i else None)  # type: ignore[arg-type]
