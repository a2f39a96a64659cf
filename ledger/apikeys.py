"""API keys at rest: only their SHA-256 is stored, the key itself is shown once.

Keys are 144+ random bits, so an unsalted SHA-256 is enough to make a stolen key file
useless for calling the API, and it lets a key be found by hash without a scan.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from pathlib import Path

from ledger.files import write_private

_HASH = re.compile(r"^[0-9a-f]{64}$")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(24)}"


class KeyFile:
    """``api-keys.json`` in the data directory: ``{sha256(key): role}``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> dict[str, str]:
        """Hash -> role. A file from before hashing (``{key: role}``) is hashed in place."""
        entries: dict[str, str] = json.loads(self.path.read_text())
        if all(_HASH.fullmatch(k) for k in entries):
            return entries
        hashed = {k if _HASH.fullmatch(k) else key_hash(k): role for k, role in entries.items()}
        self._write(hashed)
        return hashed

    def create(self, roles: list[str]) -> dict[str, str]:
        """One new key per role; returns key -> role, the only time the keys are seen."""
        keys = {new_key(role): role for role in roles}
        self._write({key_hash(k): role for k, role in keys.items()})
        return keys

    def add(self, role: str) -> str:
        key = new_key(role)
        entries = self.read() if self.exists() else {}
        entries[key_hash(key)] = role
        self._write(entries)
        return key

    def _write(self, entries: dict[str, str]) -> None:
        write_private(self.path, json.dumps(entries, indent=2).encode())
