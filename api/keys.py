"""API keys: from ``CREDENCE_API_KEYS`` (JSON {key: role}) or generated once per data dir."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from api.deps import Role


def load_api_keys(data_dir: Path) -> dict[str, Role]:
    configured = os.environ.get("CREDENCE_API_KEYS")
    if configured:
        return {key: Role(role) for key, role in json.loads(configured).items()}
    path = data_dir / "api-keys.json"
    if not path.exists():
        keys = {f"{role.value}-{secrets.token_urlsafe(18)}": role.value for role in Role}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(keys, indent=2))
        path.chmod(0o600)
    return {key: Role(role) for key, role in json.loads(path.read_text()).items()}
