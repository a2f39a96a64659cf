"""Typed clients for the investor registry and the permissioned tranche tokens.

Thin wrappers: each method checks its arguments (raising ``InvestorInputError`` naming
the field), sends one transaction through a ``Sender`` or makes one call, and converts
the result into Python types. The rules themselves live in the contracts
(``InvestorRegistry.sol``, ``TrancheToken.sol``; see docs/tranche-token.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from web3 import Web3
from web3.types import TxReceipt

from ledger.chain.client import ContractClient
from ledger.chain.deploy import contract_at, deploy
from ledger.errors import UINT256_MAX, FieldError, checked_address, checked_uint
from ledger.tx import Sender

UINT40_MAX = 2**40 - 1
UINT16_MAX = 2**16 - 1
_JURISDICTION = re.compile(r"[A-Z]{2}")


class InvestorInputError(FieldError):
    """An argument was rejected before anything was sent; the message names the field."""


class InvestorStatus(IntEnum):
    """``IInvestorRegistry.Status``: the first rule an address fails, or ALLOWED."""

    ALLOWED = 0
    NOT_LISTED = 1
    KYC_EXPIRED = 2
    JURISDICTION_BLOCKED = 3
    FROZEN = 4


@dataclass(frozen=True)
class Investor:
    listed: bool
    kyc_expiry: int
    jurisdiction: str
    frozen: bool
    freeze_reason: int


def address(field: str, value: str) -> str:
    """A checksummed, non-zero address, or ``InvestorInputError``."""
    return checked_address(field, value, InvestorInputError)


def uint(field: str, value: int, maximum: int = UINT256_MAX, minimum: int = 0) -> int:
    return checked_uint(field, value, maximum, minimum, InvestorInputError)


def jurisdiction_code(value: str, field: str = "jurisdiction") -> bytes:
    """ISO 3166-1 alpha-2 code (two upper-case letters) as the contract's ``bytes2``."""
    if not isinstance(value, str) or not _JURISDICTION.fullmatch(value):
        raise InvestorInputError(
            field, f"must be two upper-case letters (ISO 3166-1 alpha-2), got {value!r}"
        )
    return value.encode("ascii")


def reason_code(value: str | bytes) -> bytes:
    """A ``bytes32`` reason: 32 raw bytes, 0x-prefixed hex of 32 bytes, or ASCII text up
    to 32 characters (right-padded with zeros, as a Solidity string literal would be)."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{64}", value):
        raw = bytes.fromhex(value[2:])
    elif isinstance(value, str) and value.isascii() and 0 < len(value) <= 32:
        raw = value.encode("ascii").ljust(32, b"\0")
    else:
        raise InvestorInputError(
            "reason_code", "must be 32 bytes, 0x + 64 hex digits, or 1-32 ASCII characters"
        )
    if len(raw) != 32:
        raise InvestorInputError("reason_code", f"must be 32 bytes, got {len(raw)}")
    return raw


class _Client(ContractClient):
    """A client of an AccessControl contract with ``multicall`` (the registry, a token)."""

    def _send_batch(self, function: str, arg_lists: list[tuple[Any, ...]]) -> TxReceipt:
        """Call ``function`` once per argument tuple, all in one ``multicall`` transaction."""
        if not arg_lists:
            raise InvestorInputError("batch", "must not be empty")
        data = [self.contract.encode_abi(function, args=list(args)) for args in arg_lists]
        return self._send(self.contract.functions.multicall(data))

    def has_role(self, role: str, account: str) -> bool:
        return self.contract.functions.hasRole(self._role(role), address("account", account)).call()

    def grant_role(self, role: str, account: str) -> TxReceipt:
        """Grant a named role (e.g. ``"COMPLIANCE_ROLE"``); the sender must hold its admin role."""
        return self._send(
            self.contract.functions.grantRole(self._role(role), address("account", account))
        )

    def _role(self, role: str) -> bytes:
        if role == "DEFAULT_ADMIN_ROLE":
            return bytes(32)
        if not re.fullmatch(r"[A-Z_]+_ROLE", role):
            raise InvestorInputError("role", f"not a role name: {role!r}")
        return Web3.keccak(text=role)


class InvestorRegistryClient(_Client):
    """``InvestorRegistry``: the KYC allowlist shared by the tranche tokens."""

    @classmethod
    def deploy(cls, sender: Sender, admin: str) -> InvestorRegistryClient:
        contract, _ = deploy(sender, "InvestorRegistry", address("admin", admin))
        return cls(contract, sender)

    @classmethod
    def at(cls, sender: Sender, registry: str) -> InvestorRegistryClient:
        return cls(
            contract_at(sender.w3, "InvestorRegistry", address("registry", registry)), sender
        )

    def set_investor(self, investor: str, kyc_expiry: int, jurisdiction: str) -> TxReceipt:
        fn = self.contract.functions.setInvestor(
            address("investor", investor),
            uint("kyc_expiry", kyc_expiry, UINT40_MAX, minimum=1),
            jurisdiction_code(jurisdiction),
        )
        return self._send(fn)

    def set_investors(self, investors: list[tuple[str, int, str]]) -> TxReceipt:
        """Admit or update many ``(investor, kyc_expiry, jurisdiction)`` in one transaction."""
        return self._send_batch(
            "setInvestor",
            [
                (
                    address(f"investors[{i}].investor", investor),
                    uint(f"investors[{i}].kyc_expiry", expiry, UINT40_MAX, minimum=1),
                    jurisdiction_code(code, f"investors[{i}].jurisdiction"),
                )
                for i, (investor, expiry, code) in enumerate(investors)
            ],
        )

    def remove_investor(self, investor: str, idempotency_key: str | None = None) -> TxReceipt:
        fn = self.contract.functions.removeInvestor(address("investor", investor))
        return self._send(fn, idempotency_key)

    def set_jurisdiction_blocked(self, jurisdiction: str, blocked: bool) -> TxReceipt:
        fn = self.contract.functions.setJurisdictionBlocked(
            jurisdiction_code(jurisdiction), bool(blocked)
        )
        return self._send(fn)

    def freeze(self, investor: str, reason: int) -> TxReceipt:
        fn = self.contract.functions.freeze(
            address("investor", investor), uint("reason", reason, UINT16_MAX)
        )
        return self._send(fn)

    def unfreeze(self, investor: str) -> TxReceipt:
        return self._send(self.contract.functions.unfreeze(address("investor", investor)))

    def is_allowed(self, account: str) -> bool:
        return self.contract.functions.isAllowed(address("account", account)).call()

    def status(self, account: str) -> InvestorStatus:
        return InvestorStatus(self.contract.functions.status(address("account", account)).call())

    def investor(self, account: str) -> Investor:
        listed, expiry, code, frozen, reason = self.contract.functions.investor(
            address("account", account)
        ).call()
        jurisdiction = code.decode("ascii") if any(code) else ""
        return Investor(listed, expiry, jurisdiction, frozen, reason)

    def jurisdiction_blocked(self, jurisdiction: str) -> bool:
        return self.contract.functions.jurisdictionBlocked(jurisdiction_code(jurisdiction)).call()


class TrancheTokenClient(_Client):
    """``TrancheToken``: a permissioned tranche ERC-20 that pays distributions pro rata."""

    @classmethod
    def deploy(
        cls,
        sender: Sender,
        *,
        name: str,
        symbol: str,
        decimals: int,
        registry: str,
        settlement_token: str,
        pool: str,
        admin: str,
    ) -> TrancheTokenClient:
        for field, text in (("name", name), ("symbol", symbol)):
            if not isinstance(text, str) or not text.strip():
                raise InvestorInputError(field, "must be a non-empty string")
        contract, _ = deploy(
            sender,
            "TrancheToken",
            name,
            symbol,
            uint("decimals", decimals, 255),
            address("registry", registry),
            address("settlement_token", settlement_token),
            address("pool", pool),
            address("admin", admin),
        )
        return cls(contract, sender)

    @classmethod
    def at(cls, sender: Sender, token: str) -> TrancheTokenClient:
        return cls(contract_at(sender.w3, "TrancheToken", address("token", token)), sender)

    # pool
    def mint(self, to: str, amount: int) -> TxReceipt:
        return self._send(self.contract.functions.mint(address("to", to), uint("amount", amount)))

    def mint_many(self, mints: list[tuple[str, int]]) -> TxReceipt:
        """Mint to many ``(to, amount)`` in one transaction (e.g. every subscriber at close)."""
        return self._send_batch(
            "mint",
            [
                (address(f"mints[{i}].to", to), uint(f"mints[{i}].amount", amount))
                for i, (to, amount) in enumerate(mints)
            ],
        )

    def burn(self, holder: str, amount: int) -> TxReceipt:
        fn = self.contract.functions.burn(address("from", holder), uint("amount", amount))
        return self._send(fn)

    def distribute(self, amount: int) -> TxReceipt:
        """Credit ``amount`` the pool has already transferred to the token contract."""
        return self._send(self.contract.functions.distribute(uint("amount", amount, minimum=1)))

    # holders
    def transfer(self, to: str, amount: int) -> TxReceipt:
        fn = self.contract.functions.transfer(address("to", to), uint("amount", amount))
        return self._send(fn)

    def claim(self) -> TxReceipt:
        return self._send(self.contract.functions.claim())

    def claim_for(self, holder: str) -> TxReceipt:
        return self._send(self.contract.functions.claimFor(address("holder", holder)))

    def claimable(self, holder: str) -> int:
        return self.contract.functions.claimable(address("holder", holder)).call()

    def balance_of(self, holder: str) -> int:
        return self.contract.functions.balanceOf(address("holder", holder)).call()

    def total_supply(self) -> int:
        return self.contract.functions.totalSupply().call()

    # compliance agent
    def freeze(self, account: str, reason: int) -> TxReceipt:
        fn = self.contract.functions.freeze(
            address("account", account), uint("reason", reason, UINT16_MAX)
        )
        return self._send(fn)

    def unfreeze(self, account: str) -> TxReceipt:
        return self._send(self.contract.functions.unfreeze(address("account", account)))

    def frozen_status(self, account: str) -> tuple[bool, int]:
        frozen, reason = self.contract.functions.frozenStatus(address("account", account)).call()
        return bool(frozen), int(reason)

    def forced_transfer(self, holder: str, to: str, amount: int, reason: str | bytes) -> TxReceipt:
        fn = self.contract.functions.forcedTransfer(
            address("from", holder),
            address("to", to),
            uint("amount", amount, minimum=1),
            reason_code(reason),
        )
        return self._send(fn)
