"""Hypothesis strategies for credit enhancement: a guarantee on a random note and a pool
insurance policy, either or both, with random collateral and capital."""

from __future__ import annotations

from hypothesis import strategies as st

from ledger.deals.cover import (
    Cover,
    Guarantee,
    GuaranteeState,
    GuaranteeTerms,
    Insurance,
    InsuranceState,
    InsuranceTerms,
)
from ledger.deals.waterfall import DealTerms

big = st.integers(min_value=0, max_value=10**12)


@st.composite
def covers(draw: st.DrawFn, terms: DealTerms) -> Cover:
    notes = len(terms.tranches) - 1
    guarantee = insurance = None
    if draw(st.booleans()):
        guarantee = Guarantee(
            GuaranteeTerms(
                tranche=draw(st.integers(0, notes - 1)),
                limit=draw(big),
                premium_bps=draw(st.integers(0, 500)),
                last_period=draw(st.integers(0, 6)),
            ),
            GuaranteeState(collateral=draw(big)),
        )
    if draw(st.booleans()):
        insurance = Insurance(
            InsuranceTerms(
                deductible=draw(big),
                limit=draw(big),
                coinsurance_bps=draw(st.integers(0, 10_000)),
                premium_bps=draw(st.integers(0, 500)),
                last_period=draw(st.integers(0, 6)),
            ),
            InsuranceState(capital=draw(big)),
        )
    return Cover(guarantee, insurance)
