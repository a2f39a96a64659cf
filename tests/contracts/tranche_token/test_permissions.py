"""TrancheToken against a real Anvil node: construction, permissions, forced transfers."""

from __future__ import annotations

import pytest
from web3 import Web3

from ledger.chain.compiler import artifact
from ledger.chain.deploy import deploy
from ledger.deals.investors import InvestorInputError
from tests.contracts.evm import events
from tests.contracts.reverts import err, reverts
from tests.contracts.tranche_token.helpers import (
    AGENT_ROLE,
    MAG,
    OUTSIDER,
    RESTRICTIONS,
    ZERO,
    Deal,
    restrict,
)

# ---------------------------------------------------------------- construction


def test_metadata_roles_and_wiring(module_deal: Deal, dev_accounts):
    token = module_deal.pool
    fns = token.contract.functions
    assert (fns.name().call(), fns.symbol().call(), fns.decimals().call()) == (
        "Credence 2026-1 Class A",
        "CRD-A",
        6,
    )
    assert fns.registry().call() == module_deal.registry.address
    assert fns.settlementToken().call() == module_deal.stable.address
    assert fns.pool().call() == dev_accounts[1].address
    assert token.has_role("DEFAULT_ADMIN_ROLE", dev_accounts[0].address)
    assert token.has_role("AGENT_ROLE", dev_accounts[2].address)
    assert not token.has_role("AGENT_ROLE", dev_accounts[0].address)
    assert fns.MAGNITUDE().call() == MAG
    assert fns.supportsInterface(interface_id("ITrancheToken")).call()
    assert fns.supportsInterface(bytes.fromhex("7965db0b")).call()  # IAccessControl


ERC20_FUNCTIONS = {"totalSupply", "balanceOf", "transfer", "allowance", "approve", "transferFrom"}


def interface_id(name: str) -> bytes:
    """ERC-165 id of ``name``: XOR of the selectors it declares (its IERC20 base excluded)."""
    result = 0
    for item in artifact(name).abi:
        if item["type"] == "function" and item["name"] not in ERC20_FUNCTIONS:
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            result ^= int.from_bytes(Web3.keccak(text=signature)[:4], "big")
    return result.to_bytes(4, "big")


@pytest.mark.parametrize("position", ["registry", "settlementToken", "pool", "admin"])
def test_constructor_rejects_zero_addresses(deal: Deal, position):
    args = {
        "registry": deal.registry.address,
        "settlementToken": deal.stable.address,
        "pool": OUTSIDER,
        "admin": OUTSIDER,
    }
    args[position] = ZERO
    reverts(
        lambda: deploy(deal.registry.sender, "TrancheToken", "A", "A", 6, *args.values()),
        f"ZeroAddress({position})",
    )


def test_client_rejects_bad_input_naming_the_field(deal: Deal):
    bad = [
        (lambda: deal.pool.mint(OUTSIDER, -1), "amount"),
        (lambda: deal.pool.distribute(0), "amount"),
        (lambda: deal.pool.mint("not an address", 1), "to"),
        (lambda: deal.agent.freeze(OUTSIDER, 2**16), "reason"),
        (lambda: deal.agent.forced_transfer(OUTSIDER, OUTSIDER, 1, "x" * 33), "reason_code"),
        (lambda: deal.agent.forced_transfer(OUTSIDER, OUTSIDER, 1, b"short"), "reason_code"),
    ]
    for call, name in bad:
        with pytest.raises(InvestorInputError) as exc:
            call()
        assert exc.value.field == name


# ---------------------------------------------------------------- permissions


def test_only_the_pool_mints_burns_and_distributes(deal: Deal):
    holder = deal.holders[0]
    outsider = deal.agent
    expected = err("NotPool", outsider.sender.address)
    reverts(lambda: outsider.mint(holder, 1), expected)
    reverts(lambda: outsider.burn(holder, 1), expected)
    reverts(lambda: outsider.distribute(1), expected)


def test_mint_transfer_burn_between_allowed_investors(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 1_000)
    deal.as_holder(a).transfer(b, 300)
    deal.pool.burn(b, 100)
    assert (deal.pool.balance_of(a), deal.pool.balance_of(b)) == (700, 200)
    assert deal.pool.total_supply() == 900


@pytest.mark.parametrize("how", RESTRICTIONS)
def test_a_restricted_address_can_neither_send_nor_receive(deal: Deal, how):
    a, b, c = deal.holders[:3]
    deal.pool.mint(a, 500)
    deal.pool.mint(b, 500)
    expected = restrict(deal, b, how)

    reverts(lambda: deal.as_holder(a).transfer(b, 1), expected)  # receive
    reverts(lambda: deal.as_holder(b).transfer(c, 1), expected)  # send
    reverts(lambda: deal.pool.mint(b, 1), expected)
    reverts(lambda: deal.pool.burn(b, 1), expected)
    # through an allowance too: an eligible spender cannot move a restricted holder's tokens
    deal.as_holder(b).sender.send(deal.pool.contract.functions.approve(c, 10))
    pull = deal.as_holder(c).contract.functions.transferFrom(b, c, 1)
    reverts(lambda: deal.senders[c].send(pull), expected)
    assert deal.pool.balance_of(b) == 500

    deal.as_holder(a).transfer(c, 1)  # others are unaffected


def test_unfreeze_restores_transfers(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 10)
    receipt = deal.agent.freeze(a, 3)
    assert events(deal.agent, receipt, "Frozen") == [
        {"account": a, "reason": 3, "agent": deal.agent.sender.address}
    ]
    assert deal.pool.frozen_status(a) == (True, 3)
    receipt = deal.agent.unfreeze(a)
    assert events(deal.agent, receipt, "Unfrozen") == [
        {"account": a, "agent": deal.agent.sender.address}
    ]
    assert deal.pool.frozen_status(a) == (False, 0)
    deal.as_holder(a).transfer(b, 10)


def test_freeze_errors_and_access(deal: Deal):
    a = deal.holders[0]
    reverts(lambda: deal.agent.unfreeze(a), err("NotFrozen", a))
    deal.agent.freeze(a, 1)
    reverts(lambda: deal.agent.freeze(a, 1), err("AlreadyFrozen", a))
    outsider = deal.pool  # the pool has no agent powers
    denied = err("AccessControlUnauthorizedAccount", outsider.sender.address, AGENT_ROLE)
    reverts(lambda: outsider.freeze(deal.holders[1], 1), denied)
    reverts(lambda: outsider.unfreeze(a), denied)
    reverts(lambda: outsider.forced_transfer(a, deal.holders[1], 1, "ORDER-1"), denied)


# ---------------------------------------------------------------- forced transfer


def test_forced_transfer_moves_tokens_of_a_frozen_delisted_holder(deal: Deal):
    lost, replacement = deal.holders[:2]
    deal.pool.mint(lost, 1_000)
    deal.fund_and_distribute(500)  # accrues 500 to `lost`
    deal.agent.freeze(lost, 11)
    deal.registry.remove_investor(lost)

    receipt = deal.agent.forced_transfer(lost, replacement, 1_000, "COURT-2026-117")
    [forced] = events(deal.agent, receipt, "ForcedTransfer")
    assert forced == {
        "from": lost,
        "to": replacement,
        "amount": 1_000,
        "reasonCode": b"COURT-2026-117".ljust(32, b"\0"),
        "agent": deal.agent.sender.address,
    }
    assert events(deal.agent, receipt, "Transfer") == [
        {"from": lost, "to": replacement, "value": 1_000}
    ]
    assert (deal.pool.balance_of(lost), deal.pool.balance_of(replacement)) == (0, 1_000)
    # past distributions stayed with the old address; new ones go to the new holder
    assert (deal.pool.claimable(lost), deal.pool.claimable(replacement)) == (500, 0)
    deal.fund_and_distribute(300)
    # 300 * 2**128 / 1000 is not whole: rounding down leaves 299.99..., the fraction kept
    assert (deal.pool.claimable(lost), deal.pool.claimable(replacement)) == (500, 299)
    deal.fund_and_distribute(700)  # the carried remainder completes the sum exactly
    assert (deal.pool.claimable(lost), deal.pool.claimable(replacement)) == (500, 1_000)


@pytest.mark.parametrize("how", RESTRICTIONS)
def test_forced_transfer_still_requires_an_eligible_receiver(deal: Deal, how):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 10)
    expected = restrict(deal, b, how)
    reverts(lambda: deal.agent.forced_transfer(a, b, 10, "ORDER-2"), expected)


def test_forced_transfer_bad_arguments(deal: Deal):
    a, b = deal.holders[:2]
    deal.pool.mint(a, 10)
    raw = deal.agent.contract.functions.forcedTransfer
    send = deal.agent.sender.send
    reverts(lambda: send(raw(a, b, 0, b"\0" * 32)), "ZeroAmount()")
    reverts(lambda: send(raw(ZERO, b, 1, b"\0" * 32)), err("ERC20InvalidSender", ZERO))
    reverts(lambda: send(raw(a, ZERO, 1, b"\0" * 32)), err("ERC20InvalidReceiver", ZERO))
    reverts(
        lambda: deal.agent.forced_transfer(a, b, 11, "ORDER-3"),
        err("ERC20InsufficientBalance", a, 10, 11),
    )
