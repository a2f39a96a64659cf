"""TrancheToken gas: distribute and claim do not grow with the number of holders."""

from __future__ import annotations

import pytest
from web3 import Web3

from tests.contracts.tranche_token.helpers import Deal, kyc_expiry, rolled_back

# ---------------------------------------------------------------- gas


def gas_with_holders(deal: Deal, extra_holders: int) -> dict[str, int]:
    """Gas of a distribute, a claim and a transfer with ``2 + extra_holders`` holders, in
    steady state (each storage slot touched once before, as in a deal's later periods)."""
    expiry = kyc_expiry(deal.w3)
    others = [
        Web3.to_checksum_address(Web3.keccak(text=f"h{i}")[:20]) for i in range(extra_holders)
    ]
    for start in range(0, extra_holders, 100):  # multicall batches keep the set-up quick
        chunk = others[start : start + 100]
        deal.registry.set_investors([(h, expiry, "GB") for h in chunk])
        deal.pool.mint_many([(h, 1_000_000 + start + i) for i, h in enumerate(chunk)])
    a, b = deal.holders[:2]
    deal.pool.mint_many([(a, 5_000_000), (b, 5_000_000)])
    deal.fund_and_distribute(1_234_567)
    deal.as_holder(a).claim()
    deal.as_holder(b).claim()
    deal.as_holder(a).transfer(b, 1_000)
    return {
        "distribute": deal.fund_and_distribute(7_654_321)["gasUsed"],
        "claim": deal.as_holder(a).claim()["gasUsed"],
        "transfer": deal.as_holder(a).transfer(b, 1_000)["gasUsed"],
    }


@pytest.mark.slow
def test_gas_does_not_grow_with_the_number_of_holders(module_deal: Deal):
    deal = module_deal
    senders = list(deal.senders.values())
    with rolled_back(deal.w3, senders):
        small = gas_with_holders(deal, 8)  # 10 holders
    with rolled_back(deal.w3, senders):
        large = gas_with_holders(deal, 998)  # 1,000 holders
        assert deal.pool.contract.functions.totalSupply().call() > 998 * 1_000_000
    print(f"\ngas at 10 holders: {small}\ngas at 1,000 holders: {large}")
    assert small == large
    assert small["distribute"] < 60_000
    assert small["claim"] < 80_000
    assert small["transfer"] < 90_000
