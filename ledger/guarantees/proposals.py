"""Proposing a guarantee's or a policy's price on this deployment, and checking a pricing record before a
facility commits it (docs/waterfall.md §14.5).

``propose`` prices the loans of a tape (each PD checked against the score record this
service issued, then on the registry) or loans given with their PD disclosures.
``check_record`` is what deploying with a record requires: it prices the facility's kind,
on the pool's current tape, with PDs valid on this deployment's registry, and it
recomputes to the result it states; the terms it priced are ``ledger.guarantees.priced``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.attest.verify import Web3Reader
from ledger.deals.cover import GuaranteeTerms, InsuranceTerms
from ledger.deals.pool import PoolClient
from ledger.deals.service import DealError
from ledger.deals.spec import DealSpec
from ledger.guarantees.attested import (
    attested_price,
    inputs_from_tape,
    inputs_from_tape_text,
    issued_disclosures,
)
from ledger.guarantees.priced import PricedRecord, check_priced, read_record
from ledger.guarantees.pricing import (
    Price,
    PricingError,
    PricingInputs,
    check_params,
    record,
    record_hash,
)

if TYPE_CHECKING:
    from ledger.runtime import Runtime


@dataclass(frozen=True)
class Proposal:
    inputs: PricingInputs
    result: Price
    record: str  # canonical JSON of inputs and result

    @property
    def pricing_hash(self) -> str:
        return "0x" + record_hash(self.record).hex()


def registry_address(rt: Runtime) -> str:
    return rt.contract("AttestationRegistry").address.lower()


def propose(
    rt: Runtime,
    spec: DealSpec,
    params: PricingInputs,
    *,
    tape: Path | None = None,
    tape_text: str | None = None,
) -> Proposal:
    """The price of ``params`` on the loans of ``tape`` (a file) or ``tape_text`` (CSV),
    or on ``params.loans``; PricingError names the field (``row N, column C`` for a tape)."""
    check_params(params, spec)  # before any chain read
    ours = registry_address(rt)
    inputs = params if params.registry else replace(params, registry=ours)
    if tape is not None or tape_text is not None:
        find = issued_disclosures(rt.engine, rt.w3.eth.chain_id, ours)
        key = rt.pseudonym_secret()
        inputs = (
            inputs_from_tape(inputs, tape, key, spec, find, ours)
            if tape is not None
            else inputs_from_tape_text(inputs, tape_text or "", key, spec, find, ours)
        )
    result = attested_price(inputs, spec, Web3Reader(rt.w3), rt.w3.provider)
    return Proposal(inputs, result, record(inputs, result))


def check_record(
    rt: Runtime,
    pool: PoolClient,
    spec: DealSpec | None,
    terms: GuaranteeTerms | InsuranceTerms,
    text: str,
) -> PricedRecord:
    """The record read (hash, inputs, result), or DealError naming ``pricing_record`` and
    what does not hold: it prices this kind of cover, on the pool's tape and this
    deployment's registry, and recomputes. Without the pool's spec (a pool this service
    did not create) the result is taken as recorded. Whether the terms are the ones it
    priced is ``ledger.guarantees.priced.check_priced``."""
    priced = read_record(text)
    inputs = priced.inputs
    check_priced(priced, terms, priced.collateral)  # the terms, before any chain read
    root = "0x" + pool.tape().root.hex()
    if inputs.tape_root.lower() != root:
        raise DealError("pricing_record", f"prices tape {inputs.tape_root}, the pool's is {root}")
    if inputs.registry.lower() != registry_address(rt):
        raise DealError(
            "pricing_record", f"its PDs were checked on {inputs.registry or 'no registry'}"
        )
    if spec is not None:
        try:
            again = asdict(attested_price(inputs, spec, Web3Reader(rt.w3), rt.w3.provider))
        except PricingError as exc:
            raise DealError(f"pricing_record.inputs.{exc.field}", exc.reason) from None
        if again != priced.result:
            raise DealError("pricing_record", "its result does not recompute from its inputs")
    return priced
