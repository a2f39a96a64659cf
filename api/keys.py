"""API keys: ``CREDENCE_API_KEYS`` (JSON {key: role}) or a key file of hashes in the data dir.

Keys are held as SHA-256 hashes only, in memory and on disk; a generated key is returned
once, when it is created, for ``credence up`` to show.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from api.deps import Role
from ledger.apikeys import KeyFile, key_hash

KEY_FILE = "api-keys.json"


@dataclass(frozen=True)
class KeyRing:
    """Role by key hash."""

    roles: dict[str, Role] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: Mapping[str, Role | str]) -> KeyRing:
        """From plain keys (configuration, tests): hashed on the way in."""
        return cls({key_hash(k): Role(role) for k, role in keys.items()})

    def role_for(self, key: str) -> Role | None:
        return self.roles.get(key_hash(key))


def key_file(data_dir: Path) -> KeyFile:
    return KeyFile(data_dir / KEY_FILE)


def load_api_keys(data_dir: Path) -> tuple[KeyRing, dict[str, Role]]:
    """The key ring, and the keys created by this call (empty unless the file was new)."""
    configured = os.environ.get("CREDENCE_API_KEYS")
    if configured:
        return KeyRing.of(json.loads(configured)), {}
    keys = key_file(data_dir)
    created: dict[str, Role] = {}
    if not keys.exists():
        created = {k: Role(r) for k, r in keys.create([role.value for role in Role]).items()}
    return KeyRing({h: Role(r) for h, r in keys.read().items()}), created
