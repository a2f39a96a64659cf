"""Credit enhancement in the waterfall (docs/waterfall.md §14): a guarantee facility behind
one note and a credit-insurance policy on the pool's defaults.

Terms are fixed when a facility is bound; the state is what the facility's contract keeps
between periods (collateral or capital posted, what was drawn, paid, recovered). The pool's
rule (``ledger.deals.waterfall.apply_period``) takes a ``Cover`` and returns the next one
in ``PeriodResult.cover``; the helpers here are its steps 3a, 3b, 4a, 7a, 9.2a-b, 9.3c-d.
Amounts are integers in the settlement token's smallest unit; every division rounds down.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ledger.deals.terms import BPS, MAX_BPS, check_amount, require


@dataclass(frozen=True)
class GuaranteeTerms:
    """Covers note ``tranche`` for periods 1 .. ``last_period``: its interest shortfall and
    uncured deficiency, up to ``limit`` drawn in total, for ``premium_bps`` a year on its
    start-of-period balance (the tranche's own day count)."""

    tranche: int
    limit: int
    premium_bps: int
    last_period: int


@dataclass(frozen=True)
class GuaranteeState:
    collateral: int  # posted and not yet drawn
    drawn: int = 0  # drawn in total, never above the limit
    reimbursed: int = 0  # subrogation received so far, never above ``drawn``
    premium_shortfall: int = 0
    unpaid_claims: int = 0  # demands the collateral could not meet (recorded, not re-presented)
    released: bool = False  # collateral released: no more draws or premium

    @property
    def owed(self) -> int:
        return self.drawn - self.reimbursed


@dataclass(frozen=True)
class InsuranceTerms:
    """Pays ``coinsurance_bps`` of the pool's defaults past an aggregate ``deductible``, up to
    ``limit`` paid in total, for ``premium_bps`` a year on the start-of-period pool balance
    (the fees' day count), for periods 1 .. ``last_period``."""

    deductible: int
    limit: int
    coinsurance_bps: int
    premium_bps: int
    last_period: int


@dataclass(frozen=True)
class InsuranceState:
    capital: int  # posted and not yet paid out
    losses: int = 0  # defaults reported while the policy was in force
    claims_paid: int = 0
    recovered: int = 0  # recoveries received, never above ``claims_paid``
    premium_shortfall: int = 0
    unpaid_claims: int = 0
    released: bool = False


@dataclass(frozen=True)
class Guarantee:
    terms: GuaranteeTerms
    state: GuaranteeState


@dataclass(frozen=True)
class Insurance:
    terms: InsuranceTerms
    state: InsuranceState


@dataclass(frozen=True)
class Cover:
    guarantee: Guarantee | None = None
    insurance: Insurance | None = None


@dataclass(frozen=True)
class GuaranteeResult:
    premium_due: int
    premium_paid: int
    demand: int  # min(need, limit left)
    draw: int  # min(demand, collateral)
    draw_interest: int  # of ``draw``, paid as the note's interest
    draw_cure: int  # of ``draw``, curing the note's deficiency
    unpaid_claim: int  # demand - draw
    from_recoveries: int  # subrogation from recoveries, after the notes, before equity (§7a)
    from_revenue: int  # subrogation from excess spread (9.3d)
    state: GuaranteeState


@dataclass(frozen=True)
class InsuranceResult:
    premium_due: int
    premium_paid: int
    claim: int  # the period's claim after deductible, coinsurance and limit
    claim_paid: int  # min(claim, capital), into revenue
    unpaid_claim: int
    recovered: int  # recoveries passed to the insurer (§3b)
    state: InsuranceState


@dataclass(frozen=True)
class CoverResult:
    guarantee: GuaranteeResult | None
    insurance: InsuranceResult | None

    @property
    def cash_in(self) -> int:
        """Cash the facilities pay into the pool: the draw and the claim."""
        g, i = self.guarantee, self.insurance
        return (g.draw if g else 0) + (i.claim_paid if i else 0)

    @property
    def cash_out(self) -> int:
        """Cash the pool pays the facilities: premiums, subrogation, insurer recoveries."""
        g, i = self.guarantee, self.insurance
        out = g.premium_paid + g.from_recoveries + g.from_revenue if g else 0
        return out + (i.premium_paid + i.recovered if i else 0)


def in_force(last_period: int, released: bool, period: int) -> bool:
    """Whether a facility covers ``period`` (1-based)."""
    return not released and period <= last_period


def check_cover(cover: Cover, tranches: int) -> None:
    """§14.1 domains; raises ``WaterfallInputError`` naming the field."""
    if cover.guarantee is not None:
        t, s = cover.guarantee.terms, cover.guarantee.state
        require(
            isinstance(t.tranche, int) and 0 <= t.tranche < tranches - 1,
            "guarantee.tranche",
            "must be a note (not the equity tranche)",
        )
        check_amount(t.limit, "guarantee.limit")
        require(0 <= t.premium_bps <= MAX_BPS, "guarantee.premium_bps", "must be 0 to 100000")
        require(0 <= t.last_period <= 100_000, "guarantee.last_period", "must be 0 to 100000")
        for name in ("collateral", "drawn", "reimbursed", "premium_shortfall", "unpaid_claims"):
            check_amount(getattr(s, name), f"guarantee.{name}")
        require(s.drawn <= t.limit, "guarantee.drawn", "must not exceed the limit")
        require(s.reimbursed <= s.drawn, "guarantee.reimbursed", "must not exceed drawn")
    if cover.insurance is not None:
        t2, s2 = cover.insurance.terms, cover.insurance.state
        check_amount(t2.deductible, "insurance.deductible")
        check_amount(t2.limit, "insurance.limit")
        require(0 <= t2.coinsurance_bps <= BPS, "insurance.coinsurance_bps", "must be 0 to 10000")
        require(0 <= t2.premium_bps <= MAX_BPS, "insurance.premium_bps", "must be 0 to 100000")
        require(0 <= t2.last_period <= 100_000, "insurance.last_period", "must be 0 to 100000")
        for name in ("capital", "losses", "claims_paid", "recovered", "premium_shortfall"):
            check_amount(getattr(s2, name), f"insurance.{name}")
        check_amount(s2.unpaid_claims, "insurance.unpaid_claims")
        require(s2.claims_paid <= t2.limit, "insurance.claims_paid", "must not exceed the limit")
        require(s2.recovered <= s2.claims_paid, "insurance.recovered", "must not exceed paid")


def insured(terms: InsuranceTerms, losses: int) -> int:
    """§3a: the insurer's share of aggregate losses past the deductible, rounded down."""
    return max(losses - terms.deductible, 0) * terms.coinsurance_bps // BPS


@dataclass
class CoverRun:
    """One period's cover figures while the waterfall runs (filled in step by step)."""

    cover: Cover
    period: int
    g_active: bool = False
    i_active: bool = False
    g_premium_due: int = 0
    g_premium_paid: int = 0
    g_demand: int = 0
    g_draw_interest: int = 0
    g_draw_cure: int = 0
    g_from_recoveries: int = 0
    g_from_revenue: int = 0
    i_premium_due: int = 0
    i_premium_paid: int = 0
    i_claim: int = 0
    i_claim_paid: int = 0
    i_recovered: int = 0
    i_losses: int = 0

    def __post_init__(self) -> None:
        g, i = self.cover.guarantee, self.cover.insurance
        if g is not None:
            self.g_active = in_force(g.terms.last_period, g.state.released, self.period)
        if i is not None:
            self.i_active = in_force(i.terms.last_period, i.state.released, self.period)

    # §3a the insurance claim, into revenue; §3b the insurer's recoveries.
    def claim_and_recover(self, new_defaults: int, recoveries: int) -> tuple[int, int]:
        """Returns (claim paid into revenue, recoveries passed to the insurer)."""
        ins = self.cover.insurance
        if ins is None:
            return 0, 0
        t, s = ins.terms, ins.state
        self.i_losses = s.losses + (new_defaults if self.i_active else 0)
        if self.i_active:
            due = insured(t, self.i_losses) - insured(t, s.losses)
            self.i_claim = min(due, t.limit - s.claims_paid)
            self.i_claim_paid = min(self.i_claim, s.capital)
        # recoveries belong to the insurer in the share its claims bear to the losses
        paid = s.claims_paid + self.i_claim_paid
        share = recoveries * paid // self.i_losses if self.i_losses else 0
        self.i_recovered = min(share, paid - s.recovered)
        return self.i_claim_paid, self.i_recovered

    # §4a premiums accrue; the carried shortfall keeps its rank.
    def accrue_premiums(self, g_current: int, i_current: int) -> None:
        g, i = self.cover.guarantee, self.cover.insurance
        if g is not None:
            self.g_premium_due = (g_current if self.g_active else 0) + g.state.premium_shortfall
        if i is not None:
            self.i_premium_due = (i_current if self.i_active else 0) + i.state.premium_shortfall

    # §7a subrogation from the recoveries left after the notes' write-up, before equity's.
    def subrogate_recoveries(self, unapplied: int) -> int:
        g = self.cover.guarantee
        if g is None:
            return 0
        self.g_from_recoveries = min(unapplied, g.state.owed)
        return self.g_from_recoveries

    # 9.3c the guarantee draw for the covered note, after its own interest and cure.
    def draw(self, interest_short: int, deficiency: int) -> tuple[int, int]:
        """Returns (interest paid from the draw, deficiency cured by it)."""
        g = self.cover.guarantee
        if g is None or not self.g_active:
            return 0, 0
        s = g.state
        self.g_demand = min(interest_short + deficiency, g.terms.limit - s.drawn)
        draw = min(self.g_demand, s.collateral)
        self.g_draw_interest = min(draw, interest_short)
        self.g_draw_cure = draw - self.g_draw_interest
        return self.g_draw_interest, self.g_draw_cure

    def reimbursement_due(self) -> int:
        """9.3d: what the guarantor is still owed after this period's draw and §7a."""
        g = self.cover.guarantee
        if g is None:
            return 0
        return g.state.owed + self.g_draw_interest + self.g_draw_cure - self.g_from_recoveries

    def result(self) -> CoverResult | None:
        if self.cover.guarantee is None and self.cover.insurance is None:
            return None
        return CoverResult(self._guarantee(), self._insurance())

    def _guarantee(self) -> GuaranteeResult | None:
        g = self.cover.guarantee
        if g is None:
            return None
        s = g.state
        draw = self.g_draw_interest + self.g_draw_cure
        state = replace(
            s,
            collateral=s.collateral - draw,
            drawn=s.drawn + draw,
            reimbursed=s.reimbursed + self.g_from_recoveries + self.g_from_revenue,
            premium_shortfall=self.g_premium_due - self.g_premium_paid,
            unpaid_claims=s.unpaid_claims + self.g_demand - draw,
        )
        return GuaranteeResult(
            premium_due=self.g_premium_due,
            premium_paid=self.g_premium_paid,
            demand=self.g_demand,
            draw=draw,
            draw_interest=self.g_draw_interest,
            draw_cure=self.g_draw_cure,
            unpaid_claim=self.g_demand - draw,
            from_recoveries=self.g_from_recoveries,
            from_revenue=self.g_from_revenue,
            state=state,
        )

    def _insurance(self) -> InsuranceResult | None:
        i = self.cover.insurance
        if i is None:
            return None
        s = i.state
        state = replace(
            s,
            capital=s.capital - self.i_claim_paid,
            losses=self.i_losses,
            claims_paid=s.claims_paid + self.i_claim_paid,
            recovered=s.recovered + self.i_recovered,
            premium_shortfall=self.i_premium_due - self.i_premium_paid,
            unpaid_claims=s.unpaid_claims + self.i_claim - self.i_claim_paid,
        )
        return InsuranceResult(
            premium_due=self.i_premium_due,
            premium_paid=self.i_premium_paid,
            claim=self.i_claim,
            claim_paid=self.i_claim_paid,
            unpaid_claim=self.i_claim - self.i_claim_paid,
            recovered=self.i_recovered,
            state=state,
        )


def next_cover(cover: Cover, result: CoverResult | None) -> Cover:
    """The cover to pass to the next period: same terms, the states after this one."""
    if result is None:
        return cover
    g, i = cover.guarantee, cover.insurance
    return Cover(
        guarantee=None
        if g is None or result.guarantee is None
        else Guarantee(g.terms, result.guarantee.state),
        insurance=None
        if i is None or result.insurance is None
        else Insurance(i.terms, result.insurance.state),
    )
