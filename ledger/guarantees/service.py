"""Cover as a service (issue 11 §5, write side): a provider deploys a guarantee facility or
an insurance policy for a pool, posts and tops up its collateral, the pool's structurer
binds it, and it is released; every position is read back from the chain.

Providers are named (``ledger.guarantees.providers``): the defaults ``guarantor`` and
``insurer`` sign with the keystore keys of those roles (``PROVIDER_ROLES``), an admitted
provider with its own key (``cover-<name>``). A provider deploys only its own kind of
cover and acts only on facilities whose on-chain ``provider`` is its address
(``CoverForbidden`` otherwise); the service refuses to sign for a provider that holds its
own key (409). Binding is the structurer's (the pool's
STRUCTURER_ROLE); release may be sent by the provider or the structurer (the contract
lets anyone, and pays the provider). Each transaction carries an idempotency key derived
from the caller's, recorded before broadcast (``ledger.tx``), so a retried request finds
its first transactions instead of sending new ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from web3 import Web3

from ledger.chain.compiler import artifact
from ledger.chain.deploy import mask_immutables
from ledger.deals.cover import (
    Cover,
    Guarantee,
    GuaranteeState,
    GuaranteeTerms,
    Insurance,
    InsuranceState,
    InsuranceTerms,
    check_cover,
)
from ledger.deals.pool import PoolClient
from ledger.deals.pool_types import PoolState
from ledger.deals.service import DealConflict, DealError, DealNotFound, DealService, Written
from ledger.deals.spec import DealSpec
from ledger.deals.terms import WaterfallInputError
from ledger.guarantees.facility import KINDS, FacilityClient, bind
from ledger.guarantees.priced import check_deployed, check_priced
from ledger.guarantees.pricing import PricingInputs
from ledger.guarantees.proposals import Proposal, check_record, propose
from ledger.guarantees.providers import DEFAULTS, Provider, ProviderBook
from ledger.tx import Sender

if TYPE_CHECKING:
    from ledger.runtime import Runtime

PROVIDER_ROLES = {kind: name for name, kind in DEFAULTS.items()}  # kind -> default provider
_TERMS = {"guarantee": GuaranteeTerms, "insurance": InsuranceTerms}


class CoverForbidden(DealError):
    """The caller's key is not the facility's provider."""

    status = 403


@dataclass(frozen=True)
class Deployed:
    address: str
    kind: str
    pool: str
    provider: str
    required: int
    pricing_hash: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class Position:
    """A facility as the chain has it now."""

    address: str
    kind: str
    pool: str
    provider: str
    bound: bool
    releasable: bool
    required: int  # collateral that must stay posted now
    collateral_required: int  # fixed at deployment (the pricing's stressed loss)
    pricing_hash: str
    terms: dict[str, int]
    state: dict[str, int | bool]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def facility_kind(w3: Web3, address: str) -> str | None:
    """``guarantee`` or ``insurance`` when the code at ``address`` is one of Credence's
    facilities (runtime code equal to the compiled one, immutables masked), else None."""
    code = bytes(w3.eth.get_code(Web3.to_checksum_address(address)))
    for kind, name in KINDS.items():
        art = artifact(name)
        expected = bytes.fromhex(art.deployed_bytecode.removeprefix("0x"))
        if code and mask_immutables(code, art) == mask_immutables(expected, art):
            return kind
    return None


def terms_of(kind: str, raw: dict[str, int]) -> GuaranteeTerms | InsuranceTerms:
    """The terms of a ``kind`` facility as ``Position.terms`` holds them."""
    return _TERMS[kind](**raw)


def parse_terms(kind: str, raw: dict[str, Any], tranches: int) -> GuaranteeTerms | InsuranceTerms:
    """The terms of a ``kind`` facility from a mapping; DealError naming ``terms.<field>``."""
    if kind not in _TERMS:
        raise DealError("kind", "must be guarantee or insurance")
    cls = _TERMS[kind]
    names = list(cls.__dataclass_fields__)
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise DealError(f"terms.{unknown[0]}", f"not a {kind} term (terms: {', '.join(names)})")
    missing = [n for n in names if n not in raw]
    if missing:
        raise DealError(f"terms.{missing[0]}", "required")
    terms = cls(**{n: raw[n] for n in names})
    pair = (
        Cover(guarantee=Guarantee(terms, GuaranteeState(0)))  # type: ignore[arg-type]
        if kind == "guarantee"
        else Cover(insurance=Insurance(terms, InsuranceState(0)))  # type: ignore[arg-type]
    )
    try:
        check_cover(pair, tranches)
    except WaterfallInputError as exc:
        field, _, reason = str(exc).partition(": ")
        raise DealError("terms." + field.split(".", 1)[-1], reason) from None
    return terms


def _key(key: str | None, *parts: str) -> str | None:
    """A transaction's idempotency key from the caller's, namespaced by the operation."""
    return ":".join(("cover", *parts, key)) if key else None


class CoverService:
    """Deploy, fund, bind, release and read cover positions over one runtime."""

    def __init__(self, runtime: Runtime, deals: DealService | None = None) -> None:
        self.runtime = runtime
        self.deals = deals or DealService(runtime)

    # -- keys ------------------------------------------------------------------------------

    @property
    def providers(self) -> ProviderBook:
        return ProviderBook(self.runtime, self.deals)

    def provider_sender(self, name: str) -> Sender:
        """The key provider ``name`` signs with (gas on a dev chain); 409 when the provider
        holds its own key."""
        return self._sender(self.providers.get(name))

    def _sender(self, provider: Provider) -> Sender:
        role = provider.key_role
        if role is None:
            raise DealConflict(
                "provider",
                f"the service does not hold {provider.name}'s key ({provider.address}): "
                "it sends its own transactions",
            )
        if self.runtime.is_dev_chain():
            self.runtime.fund_dev_keys((role,))
        return self.runtime.sender(role)

    def provider_address(self, name: str) -> str:
        return self.providers.get(name).address

    def _own(self, name: str, facility: FacilityClient) -> Sender:
        """``name``'s sender if its address is the facility's provider, else CoverForbidden."""
        provider = self.providers.get(name)
        owner = facility.contract.functions.provider().call()
        if owner != provider.address:
            raise CoverForbidden(
                "address", f"facility {facility.address} belongs to provider {owner}, not {name}"
            )
        return self._sender(provider)

    # -- reads from the chain -----------------------------------------------------------------

    def facility(self, address: str) -> FacilityClient:
        """The facility at ``address`` (DealNotFound if there is none, or not for one of
        this factory's pools)."""
        if not Web3.is_address(address):
            raise DealError("address", f"not an address: {address!r}")
        address = Web3.to_checksum_address(address)
        kind = facility_kind(self.runtime.w3, address)
        if kind is None:
            raise DealNotFound("address", f"no guarantee facility or insurance policy at {address}")
        client = FacilityClient.at(self.runtime.sender("structurer"), kind, address)
        self.deals.pool(client.contract.functions.pool().call())  # one of this deployment's
        return client

    def show(self, address: str) -> Position:
        f = self.facility(address)
        fn = f.contract.functions
        state = asdict(f.state())
        return Position(
            address=f.address,
            kind=f.kind,
            pool=fn.pool().call(),
            provider=fn.provider().call(),
            bound=fn.bound().call(),
            releasable=fn.releasable().call() and not state["released"],
            required=f.required(),
            collateral_required=fn.collateralRequired().call(),
            pricing_hash="0x" + bytes(fn.pricingHash().call()).hex(),
            terms=asdict(f.terms()),
            state=state,
        )

    # -- writes ---------------------------------------------------------------------------

    def propose(
        self,
        spec: DealSpec,
        params: PricingInputs,
        *,
        tape: Path | None = None,
        tape_text: str | None = None,
    ) -> Proposal:
        """A guarantee's (or, with ``kind`` "insurance", a policy's) proposed premium and
        collateral, each loan's PD checked on the registry (``ledger.guarantees.proposals``); nothing is sent."""
        return propose(self.runtime, spec, params, tape=tape, tape_text=tape_text)

    def deploy(
        self,
        name: str,
        kind: str,
        pool: str,
        terms: dict[str, Any],
        *,
        required: int | None = None,
        pricing_record: str | None = None,
        idempotency_key: str | None = None,
    ) -> Deployed:
        """Deploy a ``kind`` facility for ``pool`` with provider ``name``'s key as its provider
        (a guarantor deploys guarantees, an insurer policies). The collateral required is
        ``required``, else the pricing record's collateral; the record's Keccak-256 is
        committed as ``pricingHash``, and the terms must be the ones it priced (a premium
        equal to the priced one, collateral and a guarantee's limit at least the priced
        collateral: ``ledger.guarantees.priced``)."""
        provider = self.providers.get(name)
        if kind in _TERMS and provider.kind != kind:
            raise CoverForbidden("kind", f"{name} is a {provider.kind} provider, not {kind}")
        client = self.deals.pool(pool)
        parsed = parse_terms(kind, terms, client.contract.functions.trancheCount().call())
        digest, priced = bytes(32), None
        if pricing_record is not None:
            spec = self.deals.stored_spec(client.address)
            priced = check_record(self.runtime, client, spec, parsed, pricing_record)
            digest = priced.digest
        if required is None:
            if priced is None:
                raise DealError("required", "give the collateral required or a pricing record")
            required = priced.collateral
        if not 0 <= required <= 2**256 - 1:
            raise DealError("required", "must be a non-negative integer")
        if priced is not None:
            check_priced(priced, parsed, required)  # the price recorded is the price deployed
        sender = self._sender(provider)
        if not self.deals.registry.is_allowed(sender.address):
            how = (
                f"investor add {name} --address {sender.address}"
                if provider.default
                else f"cover provider add {name} --kind {provider.kind}"
            )
            raise DealConflict(
                "provider",
                f"{name} {sender.address} is not admitted in the investor registry: the agent "
                f"admits it first (credence {how} ...)",
            )
        registry = client.contract.functions.registry().call()
        # namespaced by provider too: two providers reusing one key deploy two facilities
        key = _key(idempotency_key, "deploy", client.address, sender.address)
        facility = FacilityClient.deploy(
            sender, client, registry, parsed, required, digest, idempotency_key=key
        )
        record = facility.deployment
        assert record is not None
        return Deployed(
            facility.address,
            kind,
            client.address,
            sender.address,
            required,
            "0x" + digest.hex(),
            record.tx_hash,
            record.block,
        )

    def post(
        self, name: str, address: str, amount: int, idempotency_key: str | None = None
    ) -> Written:
        """Post or top up ``amount`` of collateral on the provider's own facility."""
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise DealError("amount", "must be a positive integer")
        facility = self.facility(address)
        sender = self._own(name, facility)
        if facility.state().released:
            raise DealConflict("address", "the facility is released: nothing more can be posted")
        pool = self.deals.pool(facility.contract.functions.pool().call())
        key = _key(idempotency_key, "post", facility.address)
        store = sender.idempotency
        if not (key and store and store.get(f"{key}:post")):  # a retry has paid already
            self.deals._ensure_funds(pool, sender.address, amount)
        return Written.of(facility.as_sender(sender).post(amount, idempotency_key=key))

    def bind(
        self,
        address: str,
        idempotency_key: str | None = None,
        pricing_record: str | None = None,
    ) -> Written:
        """The pool's structurer binds the facility (funded to its requirement). With
        ``pricing_record``, only a facility that commits that record and was deployed on the
        terms it priced (§14.6): what a provider deploying with its own key must show."""
        facility = self.facility(address)
        pool = self.deals.pool(facility.contract.functions.pool().call())
        if facility.contract.functions.bound().call():
            raise DealConflict("address", "the facility is already bound")
        state = pool.state()
        if state > PoolState.AMORTISING:
            raise DealConflict("pool", f"is {state.name.lower()}: cover binds only before that")
        if pricing_record is not None:
            self._check_deployed(facility.address, pool, pricing_record)
        key = _key(idempotency_key, "bind", facility.address)
        return Written.of(bind(pool, facility, idempotency_key=key))

    def _check_deployed(self, address: str, pool: PoolClient, text: str) -> None:
        """DealError unless the facility commits ``text`` (a valid record for ``pool``, as
        deploying checks it) and has the terms it priced, as the chain has them."""
        p = self.show(address)
        terms = terms_of(p.kind, p.terms)
        spec = self.deals.stored_spec(pool.address)
        priced = check_record(self.runtime, pool, spec, terms, text)
        check = check_deployed(priced, address, terms, p.collateral_required, p.pricing_hash)
        if not check.hash_matches:
            raise DealError(
                "pricing_record",
                f"the facility commits {check.pricing_hash}, not this record "
                f"(0x{priced.digest.hex()})",
            )
        if check.differences:
            raise DealError(check.differences[0].field, check.differences[0].reason)

    def release(self, name: str, address: str, idempotency_key: str | None = None) -> Written:
        """Release the facility, returning its collateral to the provider. ``name`` is a
        provider (its own facilities only) or ``structurer``."""
        facility = self.facility(address)
        sender = self.runtime.sender("structurer") if name == "structurer" else None
        sender = sender or self._own(name, facility)
        if facility.state().released:
            raise DealConflict("address", "the facility is already released")
        if not facility.contract.functions.releasable().call():
            raise DealConflict(
                "address",
                "not releasable yet: the pool must have matured, been called or wound down, "
                "the term be over, or the covered position be repaid",
            )
        key = _key(idempotency_key, "release", facility.address)
        return Written.of(facility.as_sender(sender).release(idempotency_key=key))
