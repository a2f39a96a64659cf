"""Pricing a guarantee from the loans' probabilities of default (issue step 3, partly).

Inputs: each loan's current principal and the ``pd_bps`` of its score record (with the
score's attestation uid and a disclosure of that field, which ``ledger.guarantees.attested``
checks against the registry the inputs name), a stated loss given default, a stress multiple and a prepayment rate. The
pool's expected annual default rate is the balance-weighted PD (rounded down); the
simulator runs the deal at that rate and at the stressed rate (capped at 100%), and the
covered tranche's principal loss in each run is its expected and stressed loss, so the
tranche's attachment and detachment act through the waterfall itself. Proposed: the
premium (expected loss per year of the deal's life over the tranche's size, plus a
margin; rounded down) and the collateral (the stressed loss). The record (inputs and
result) is canonical JSON whose Keccak-256 is committed in the facility (``pricingHash``).
An insurance policy (``kind`` "insurance") is priced on its layer of the pool's losses
instead (``ledger.guarantees.insurance_pricing``), into the same record and result.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from eth_utils import keccak

from ledger.deals.scenario import Scenario
from ledger.deals.simulator import simulate
from ledger.deals.spec import DealSpec
from ledger.errors import FieldError
from ledger.guarantees.insurance_pricing import Layer, claims, pool_run, premium_bps

BPS = 10_000


class PricingError(FieldError):
    """A pricing input is out of its domain; the message names the field."""


@dataclass(frozen=True)
class LoanPd:
    loan: str  # the tape's pseudonym, 0x-hex
    balance: int  # current principal, smallest unit
    pd_bps: int  # annual probability of default of the attested score record
    score_uid: str  # the attestation carrying the record, 0x-hex
    # docs/disclosure.md: the record's pd_bps field with its salt and proofs (attested.py)
    disclosure: dict[str, Any] | None = None


@dataclass(frozen=True)
class PricingInputs:
    tape_root: str
    model_ids: tuple[str, ...]
    loans: tuple[LoanPd, ...]
    tranche: int
    lgd_bps: int
    stress_bps: int  # stress multiple in bps (30000 = 3x)
    cpr_bps: int
    margin_bps: int
    registry: str = ""  # the AttestationRegistry each loan's PD was checked on
    # "guarantee" (the tranche) or "insurance" (the policy's terms below, no tranche)
    kind: str = "guarantee"
    deductible: int = 0
    limit: int = 0
    coinsurance_bps: int = 0
    last_period: int = 0


@dataclass(frozen=True)
class Price:
    pool_pd_bps: int
    expected_loss: int
    stressed_loss: int
    periods: int
    premium_bps: int
    collateral: int


def check(inputs: PricingInputs, spec: DealSpec) -> None:
    check_params(inputs, spec)
    if not inputs.loans or sum(loan.balance for loan in inputs.loans) <= 0:
        raise PricingError("loans", "need at least one loan with a balance")
    for k, loan in enumerate(inputs.loans):
        if loan.balance < 0 or not 0 <= loan.pd_bps <= BPS:
            raise PricingError(f"loans[{k}]", "balance >= 0 and pd_bps 0 to 10000")


def check_params(inputs: PricingInputs, spec: DealSpec) -> None:
    """The parameters (tranche or policy terms, LGD, CPR, margin, stress), whatever the
    loans."""
    if inputs.kind == "insurance":
        check_policy(inputs)
    elif inputs.kind != "guarantee":
        raise PricingError("kind", "must be guarantee or insurance")
    elif not 0 <= inputs.tranche < len(spec.tranches) - 1:
        raise PricingError("tranche", "must be a note (not the equity tranche)")
    for name, top in (("lgd_bps", BPS), ("cpr_bps", BPS), ("margin_bps", 100_000)):
        if not 0 <= getattr(inputs, name) <= top:
            raise PricingError(name, f"must be 0 to {top}")
    if inputs.stress_bps < BPS:
        raise PricingError("stress_bps", "must be at least 10000 (1x)")


def check_policy(inputs: PricingInputs) -> None:
    for name in ("deductible", "limit"):
        if not 0 <= getattr(inputs, name) < 2**256:
            raise PricingError(name, "must be a non-negative amount")
    if not 0 <= inputs.coinsurance_bps <= BPS:
        raise PricingError("coinsurance_bps", f"must be 0 to {BPS}")
    if inputs.last_period < 1:
        raise PricingError("last_period", "must be at least 1")


def pool_pds(inputs: PricingInputs) -> tuple[int, int]:
    """The balance-weighted PD (down) and the stressed one (capped at 100%)."""
    total = sum(loan.balance for loan in inputs.loans)
    pool_pd = sum(loan.balance * loan.pd_bps for loan in inputs.loans) // total
    return pool_pd, min(pool_pd * inputs.stress_bps // BPS, BPS)


def price(inputs: PricingInputs, spec: DealSpec) -> Price:
    """The proposed premium and collateral; integer except the simulator's rate inputs."""
    check(inputs, spec)
    if inputs.kind == "insurance":
        return price_policy(inputs, spec)
    pool_pd, stressed_pd = pool_pds(inputs)
    losses = []
    for pd in (pool_pd, stressed_pd):
        scenario = Scenario(
            name=f"pd{pd}",
            cdr=pd / BPS,
            cpr=inputs.cpr_bps / BPS,
            severity=inputs.lgd_bps / BPS,
        )
        sim = simulate(spec, scenario)
        losses.append((sim.tranches[inputs.tranche].loss, len(sim.periods)))
    (expected, periods), (stressed, _) = losses
    size = spec.to_terms().tranches[inputs.tranche].size
    months = periods * spec.period.months
    premium = expected * BPS * 12 // (size * months) if size and months else 0
    return Price(pool_pd, expected, stressed, periods, premium + inputs.margin_bps, stressed)


def price_policy(inputs: PricingInputs, spec: DealSpec) -> Price:
    """An insurance policy's premium and capital (``ledger.guarantees.insurance_pricing``)."""
    pool_pd, stressed_pd = pool_pds(inputs)
    layer = Layer(
        inputs.deductible, inputs.limit, inputs.coinsurance_bps, inputs.lgd_bps, inputs.margin_bps
    )
    runs = [
        pool_run(spec, pd, inputs.cpr_bps, inputs.lgd_bps, inputs.last_period)
        for pd in (pool_pd, stressed_pd)
    ]
    expected_claims, stressed_claims = (claims(layer, run.defaults) for run in runs)
    expected = expected_claims * inputs.lgd_bps // BPS
    stressed = stressed_claims * inputs.lgd_bps // BPS
    premium = premium_bps(layer, expected, runs[0].balance_months)
    return Price(pool_pd, expected, stressed, runs[0].periods, premium, stressed_claims)


_POLICY = ("kind", "deductible", "limit", "coinsurance_bps", "last_period")


def record(inputs: PricingInputs, result: Price) -> str:
    """The canonical JSON of the pricing: sorted keys, no spaces. A guarantee's inputs
    carry no policy fields (its records read as before this kind existed), a policy's
    carry ``kind`` and its terms and no tranche."""
    raw = asdict(inputs)
    drop = ("tranche",) if inputs.kind == "insurance" else _POLICY
    raw = {k: v for k, v in raw.items() if k not in drop}
    return json.dumps(
        {"inputs": raw, "result": asdict(result)}, sort_keys=True, separators=(",", ":")
    )


def record_hash(text: str) -> bytes:
    return keccak(text=text)


def inputs_from_record(text: str) -> PricingInputs:
    """The inputs of a recorded pricing, to recompute it."""
    raw = json.loads(text)["inputs"]
    loans = tuple(LoanPd(**loan) for loan in raw.pop("loans"))
    if raw.get("kind") == "insurance":
        raw.setdefault("tranche", 0)  # a policy prices no tranche
    return PricingInputs(**{**raw, "model_ids": tuple(raw["model_ids"]), "loans": loans})
