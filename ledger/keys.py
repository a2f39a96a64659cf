"""Encrypted keystore: one signing key per role, stored as Web3 Secret Storage (v3) files.

Keys never sit on disk in the clear: each is scrypt-encrypted under the keystore
passphrase. A missing role key is generated on first use.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger.files import write_private

ROLES = ("admin", "attester", "relayer", "structurer", "servicer", "agent", "guarantor")


class KeystoreError(ValueError):
    """A key file is unreadable or the passphrase is wrong."""


class Keystore:
    def __init__(self, directory: Path, passphrase: str, scrypt_n: int = 2**16) -> None:
        self.directory = directory
        self._passphrase = passphrase
        self._scrypt_n = scrypt_n
        self._cache: dict[str, LocalAccount] = {}
        self._lock = threading.Lock()

    def path(self, role: str) -> Path:
        if not role.replace("-", "").replace("_", "").isalnum():
            raise KeystoreError(f"role {role!r}: use letters, digits, '-' or '_'")
        return self.directory / f"{role}.json"

    def signer(self, role: str) -> LocalAccount:
        """The account for ``role``, created and encrypted on first use."""
        with self._lock:
            if role not in self._cache:
                path = self.path(role)
                self._cache[role] = self._load(path) if path.exists() else self._create(path)
            return self._cache[role]

    def import_key(self, role: str, private_key: str) -> LocalAccount:
        with self._lock:
            account = Account.from_key(private_key)
            self._write(self.path(role), account)
            self._cache[role] = account
            return account

    def roles(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.json"))

    def _load(self, path: Path) -> LocalAccount:
        try:
            key = Account.decrypt(json.loads(path.read_text()), self._passphrase)
        except ValueError as exc:
            raise KeystoreError(f"{path.name}: cannot decrypt ({exc})") from exc
        return Account.from_key(key)

    def _create(self, path: Path) -> LocalAccount:
        account = Account.create()
        self._write(path, account)
        return account

    def _write(self, path: Path, account: LocalAccount) -> None:
        blob = Account.encrypt(
            account.key, self._passphrase, kdf="scrypt", iterations=self._scrypt_n
        )
        write_private(path, json.dumps(blob).encode())
