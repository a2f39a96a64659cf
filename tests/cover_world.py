"""A pool with a guarantee facility on its mezzanine note and a pool insurance policy, run
through a stressed period (a draw that the collateral cannot fully meet, an insurance
claim) and a recovery period, all on a real node: shared by the cover index, API and
console tests. The figures follow docs/guarantees-worked-example.md, in USDC units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pool_samples import REPORT_FIELDS, SPEC, loans

from ledger.chain.deploy import contract_at
from ledger.deals.cover import GuaranteeTerms, InsuranceTerms
from ledger.deals.service import DealService, LoanRow, PeriodInput, tape_from_rows
from ledger.deals.spec import parse_spec
from ledger.guarantees.facility import FacilityClient, bind
from ledger.runtime import Runtime

KYC_UNTIL = 4_102_444_800  # 2100-01-01
U = 10**6  # one USDC
GUARANTEE = GuaranteeTerms(tranche=1, limit=100_000 * U, premium_bps=100, last_period=12)
INSURANCE = InsuranceTerms(50_000 * U, 100_000 * U, 8_000, 60, 12)
PRICING_HASH = bytes.fromhex("ab" * 32)
PERIODS = (
    {"period_end": "2016-02-01", "interest": 5_000 * U, "new_defaults": 250_000 * U,
     "pool_balance": 750_000 * U},
    {"period_end": "2016-03-01", "interest": 4_000 * U, "recoveries": 120_000 * U,
     "pool_balance": 750_000 * U},
)  # fmt: skip


@dataclass(frozen=True)
class CoveredDeal:
    pool: str
    guarantee: str
    insurance: str
    guarantor: str
    insurer: str


def _mint(rt: Runtime, token: str, holder: str, amount: int) -> None:
    mock = contract_at(rt.w3, "MockStablecoin", token)
    rt.sender("admin").send(mock.functions.mint(holder, amount))


def covered_deal_pool(rt: Runtime, name: str = "Covered 2016-1") -> str:
    """Create, fill and close a pool, and admit its guarantor and insurer (named
    ``gina-<pool>`` and ``ivan-<pool>``, after the pool address's first hex digits)."""
    svc = DealService(rt)
    spec = parse_spec({**SPEC, "name": name})
    rows = [LoanRow(**row) for row in loans(spec.units(spec.pool_balance))]
    pool = svc.create_pool(spec, tape_from_rows(rows, rt.pseudonym_secret(), date(2016, 1, 1)))
    suffix = pool.address[2:8].lower()
    holders = [f"erin-{suffix}", f"frank-{suffix}"]
    guarantor, insurer = f"gina-{suffix}", f"ivan-{suffix}"
    for who in (*holders, guarantor, insurer):
        svc.add_investor(who, KYC_UNTIL, "GB")
    svc.transition(pool.address, "open")
    for i, t in enumerate(spec.to_terms().tranches):
        svc.subscribe(pool.address, holders[0], i, t.size - t.size // 3)
        svc.subscribe(pool.address, holders[1], i, t.size // 3)
    svc.transition(pool.address, "close")
    return pool.address


def covered_deal(rt: Runtime, name: str = "Covered 2016-1") -> CoveredDeal:
    """A closed pool (``covered_deal_pool``) with a guarantee on B bound (collateral 60,000,
    posted as 70,000 less 10,000 withdrawn) and an insurance policy; two periods run."""
    svc = DealService(rt)
    address = covered_deal_pool(rt, name)
    suffix = address[2:8].lower()
    guarantor, insurer = f"gina-{suffix}", f"ivan-{suffix}"
    client = svc.pool(address)
    token = client.contract.functions.settlementToken().call()
    registry = svc.registry.address
    facilities = []
    for who, terms, required, posted in (
        (guarantor, GUARANTEE, 60_000 * U, 70_000 * U),
        (insurer, INSURANCE, 100_000 * U, 400_000 * U),
    ):
        sender = svc.investor_sender(who)
        facility = FacilityClient.deploy(sender, client, registry, terms, required, PRICING_HASH)
        _mint(rt, token, sender.address, posted)
        facility.post(posted)
        facilities.append(facility)
    facilities[0].withdraw(10_000 * U)
    for facility in facilities:
        bind(client, facility)
    zero = dict.fromkeys(REPORT_FIELDS, 0)
    for body in PERIODS:
        svc.report_period(address, PeriodInput.model_validate({**zero, **body}))
    return CoveredDeal(
        address,
        facilities[0].address,
        facilities[1].address,
        svc.resolve(guarantor),
        svc.resolve(insurer),
    )
