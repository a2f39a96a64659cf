"""InvestorRegistry against a real Anvil node: listing, KYC expiry, jurisdictions, freezes."""

from __future__ import annotations

import pytest
from web3 import Web3
from web3.logs import DISCARD

from ledger.chain.deploy import deploy
from ledger.deals.investors import InvestorInputError, InvestorRegistryClient, InvestorStatus
from ledger.tx import ContractRevert
from tests.contracts.evm import event, now

COMPLIANCE_ROLE = "0x" + Web3.keccak(text="COMPLIANCE_ROLE").hex()
YEAR = 365 * 24 * 3600
STRANGER = "0x000000000000000000000000000000000000dEaD"


def advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


@pytest.fixture(scope="module")
def admin_registry(dev_accounts, make_sender) -> InvestorRegistryClient:
    admin = make_sender(dev_accounts[0])
    registry = InvestorRegistryClient.deploy(admin, admin.address)
    registry.grant_role("COMPLIANCE_ROLE", dev_accounts[1].address)
    return registry


@pytest.fixture
def registry(admin_registry, make_sender, dev_accounts, snapshot) -> InvestorRegistryClient:
    """The registry as seen by its compliance officer; chain rolled back after each test."""
    yield admin_registry.as_sender(make_sender(dev_accounts[1]))
    for account in dev_accounts:
        make_sender(account).resync_nonce()  # the rollback undoes mined nonces


@pytest.fixture
def investor(dev_accounts) -> str:
    return dev_accounts[5].address


def test_admin_holds_only_the_admin_role(admin_registry, dev_accounts):
    admin = dev_accounts[0].address
    assert admin_registry.has_role("DEFAULT_ADMIN_ROLE", admin)
    assert not admin_registry.has_role("COMPLIANCE_ROLE", admin)
    assert admin_registry.has_role("COMPLIANCE_ROLE", dev_accounts[1].address)


def test_constructor_rejects_zero_admin(make_sender, dev_accounts):
    with pytest.raises(ContractRevert) as exc:
        deploy(make_sender(dev_accounts[0]), "InvestorRegistry", "0x" + "00" * 20)
    assert exc.value.error == "ZeroAddress(admin)"


def test_listed_investor_is_allowed_and_evented(registry, investor, w3):
    expiry = now(w3) + YEAR
    receipt = registry.set_investor(investor, expiry, "GB")
    assert event(registry, receipt, "InvestorSet") == {
        "investor": investor,
        "kycExpiry": expiry,
        "jurisdiction": b"GB",
    }
    assert registry.is_allowed(investor)
    assert registry.status(investor) is InvestorStatus.ALLOWED
    record = registry.investor(investor)
    assert (record.listed, record.kyc_expiry, record.jurisdiction) == (True, expiry, "GB")
    assert (record.frozen, record.freeze_reason) == (False, 0)


def test_unknown_address_is_not_listed(registry):
    assert registry.status(STRANGER) is InvestorStatus.NOT_LISTED
    assert not registry.is_allowed(STRANGER)


def test_kyc_expires_at_its_timestamp(registry, investor, w3):
    expiry = now(w3) + 100
    registry.set_investor(investor, expiry, "GB")
    assert registry.is_allowed(investor)
    w3.provider.make_request("evm_setNextBlockTimestamp", [expiry])
    w3.provider.make_request("evm_mine", [])
    assert registry.status(investor) is InvestorStatus.KYC_EXPIRED
    assert not registry.is_allowed(investor)
    registry.set_investor(investor, expiry + YEAR, "GB")  # renewal restores it
    assert registry.is_allowed(investor)


def test_kyc_expiry_must_be_in_the_future(registry, investor, w3):
    past = now(w3) - 1
    with pytest.raises(ContractRevert) as exc:
        registry.set_investor(investor, past, "GB")
    assert exc.value.error.startswith(f"KycExpiryNotInFuture({past}, ")


def test_blocked_jurisdiction(registry, investor, w3):
    registry.set_investor(investor, now(w3) + YEAR, "US")
    receipt = registry.set_jurisdiction_blocked("US", True)
    assert event(registry, receipt, "JurisdictionBlockedSet") == {
        "jurisdiction": b"US",
        "blocked": True,
    }
    assert registry.jurisdiction_blocked("US")
    assert registry.status(investor) is InvestorStatus.JURISDICTION_BLOCKED
    registry.set_jurisdiction_blocked("US", False)
    assert registry.is_allowed(investor)


@pytest.mark.parametrize("code", [b"us", b"U1", b"\x00\x00", b"U "])
def test_contract_rejects_malformed_jurisdiction(registry, investor, w3, code):
    with pytest.raises(ContractRevert) as exc:
        registry.sender.send(registry.contract.functions.setInvestor(investor, now(w3) + 9, code))
    assert exc.value.error == f"InvalidJurisdiction(0x{code.hex()})"


def test_freeze_overrides_everything_and_survives_removal(registry, investor, w3):
    registry.set_investor(investor, now(w3) + YEAR, "GB")
    receipt = registry.freeze(investor, 7)
    assert event(registry, receipt, "InvestorFrozen") == {"investor": investor, "reason": 7}
    assert registry.status(investor) is InvestorStatus.FROZEN
    assert registry.investor(investor).freeze_reason == 7

    registry.remove_investor(investor)
    registry.set_investor(investor, now(w3) + YEAR, "GB")
    assert registry.status(investor) is InvestorStatus.FROZEN  # re-listing lifts nothing

    receipt = registry.unfreeze(investor)
    assert event(registry, receipt, "InvestorUnfrozen") == {"investor": investor}
    assert registry.is_allowed(investor)
    assert registry.investor(investor).freeze_reason == 0


def test_an_unlisted_address_can_be_frozen(registry):
    registry.freeze(STRANGER, 1)
    assert registry.status(STRANGER) is InvestorStatus.FROZEN


def test_freeze_twice_and_unfreeze_unfrozen_revert(registry, investor):
    with pytest.raises(ContractRevert) as exc:
        registry.unfreeze(investor)
    assert exc.value.error == f"NotFrozen({investor.lower()})"
    registry.freeze(investor, 1)
    with pytest.raises(ContractRevert) as exc:
        registry.freeze(investor, 2)
    assert exc.value.error == f"AlreadyFrozen({investor.lower()})"


def test_remove(registry, investor, w3):
    with pytest.raises(ContractRevert) as exc:
        registry.remove_investor(investor)
    assert exc.value.error == f"NotListed({investor.lower()})"
    registry.set_investor(investor, now(w3) + YEAR, "GB")
    receipt = registry.remove_investor(investor)
    assert event(registry, receipt, "InvestorRemoved") == {"investor": investor}
    assert registry.status(investor) is InvestorStatus.NOT_LISTED
    assert registry.investor(investor).jurisdiction == ""


def test_only_compliance_changes_the_registry(registry, make_sender, dev_accounts, investor, w3):
    outsider = registry.as_sender(make_sender(dev_accounts[0]))  # the admin is not compliance
    expected = (
        f"AccessControlUnauthorizedAccount({dev_accounts[0].address.lower()}, {COMPLIANCE_ROLE})"
    )
    calls = [
        lambda: outsider.set_investor(investor, now(w3) + YEAR, "GB"),
        lambda: outsider.remove_investor(investor),
        lambda: outsider.set_jurisdiction_blocked("US", True),
        lambda: outsider.freeze(investor, 1),
        lambda: outsider.unfreeze(investor),
    ]
    for call in calls:
        with pytest.raises(ContractRevert) as exc:
            call()
        assert exc.value.error == expected


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.set_investor("0x1234", 2**30, "GB"), "investor"),
        (lambda r: r.set_investor(STRANGER, 2**40, "GB"), "kyc_expiry"),
        (lambda r: r.set_investor(STRANGER, 2**30, "usa"), "jurisdiction"),
        (lambda r: r.freeze(STRANGER, 70_000), "reason"),
        (lambda r: r.freeze("0x" + "00" * 20, 1), "investor"),
        (lambda r: r.grant_role("root", STRANGER), "role"),
    ],
)
def test_client_rejects_bad_input_naming_the_field(registry, call, field):
    with pytest.raises(InvestorInputError) as exc:
        call(registry)
    assert exc.value.field == field
    assert str(exc.value).startswith(f"{field}: ")


def test_batch_onboarding_in_one_transaction(registry, dev_accounts, w3):
    expiry = now(w3) + YEAR
    investors = [(a.address, expiry, "DE") for a in dev_accounts[4:9]]
    receipt = registry.set_investors(investors)
    logs = registry.contract.events.InvestorSet().process_receipt(receipt, errors=DISCARD)
    assert [log["args"]["investor"] for log in logs] == [a for a, _, _ in investors]
    assert all(registry.is_allowed(a) for a, _, _ in investors)


def test_a_batch_is_checked_against_the_callers_roles(registry, make_sender, dev_accounts, w3):
    outsider = registry.as_sender(make_sender(dev_accounts[0]))
    with pytest.raises(ContractRevert) as exc:
        outsider.set_investors([(STRANGER, now(w3) + YEAR, "DE")])
    assert exc.value.error.startswith("AccessControlUnauthorizedAccount(")
    assert not registry.is_allowed(STRANGER)


def test_client_names_the_bad_entry_of_a_batch(registry, w3):
    with pytest.raises(InvestorInputError) as exc:
        registry.set_investors([(STRANGER, now(w3) + YEAR, "DE"), (STRANGER, 1, "de")])
    assert exc.value.field == "investors[1].jurisdiction"
    with pytest.raises(InvestorInputError) as exc:
        registry.set_investors([])
    assert exc.value.field == "batch"
