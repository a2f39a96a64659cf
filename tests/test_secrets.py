"""Secrets at rest: the default passphrase needs dev mode, API keys are stored hashed and
shown once, the data directory is private."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.deps import Role
from api.keys import KEY_FILE, KeyRing, load_api_keys
from ledger.apikeys import key_hash
from ledger.chain.node import LocalNode
from ledger.runtime import Runtime, SetupError
from ledger.settings import DEV_PASSPHRASE, Settings


def test_default_passphrase_is_refused_outside_dev_mode(tmp_path: Path, anvil: LocalNode):
    settings = Settings(data_dir=tmp_path / "d", rpc_url=anvil.url, dev_mode=False)
    assert settings.keystore_passphrase == DEV_PASSPHRASE
    with pytest.raises(SetupError, match="CREDENCE_KEYSTORE_PASSPHRASE"):
        Runtime.open(settings)
    assert not (tmp_path / "d").exists()  # refused before anything was written
    Settings(keystore_passphrase="a long private passphrase", dev_mode=False).check_secrets()


def test_api_keys_are_stored_hashed_and_shown_once(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("CREDENCE_API_KEYS", raising=False)
    ring, created = load_api_keys(tmp_path)
    assert {r for r in created.values()} == set(Role)
    stored = (tmp_path / KEY_FILE).read_text()
    for key, role in created.items():
        assert key not in stored
        assert ring.role_for(key) is role
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    again, created_again = load_api_keys(tmp_path)
    assert created_again == {} and again == ring
    assert ring.role_for("admin-guessed") is None


def test_a_key_file_from_before_hashing_is_hashed_in_place(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("CREDENCE_API_KEYS", raising=False)
    (tmp_path / KEY_FILE).write_text(json.dumps({"admin-old-plain-key": "admin"}))
    ring, created = load_api_keys(tmp_path)
    assert created == {} and ring.role_for("admin-old-plain-key") is Role.admin
    assert json.loads((tmp_path / KEY_FILE).read_text()) == {
        key_hash("admin-old-plain-key"): "admin"
    }


def test_configured_keys_are_held_hashed(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("CREDENCE_API_KEYS", json.dumps({"k-1": "auditor"}))
    ring, created = load_api_keys(tmp_path)
    assert created == {} and ring == KeyRing.of({"k-1": Role.auditor})
    assert "k-1" not in repr(ring)


def test_the_data_directory_is_private(tmp_path: Path, anvil: LocalNode):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "old.db").write_text("from an older version")
    (data / "old.db").chmod(0o644)
    with Runtime.open(Settings(data_dir=data, rpc_url=anvil.url)) as rt:
        rt.pseudonym_secret()
    assert data.stat().st_mode & 0o777 == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    assert len(files) >= 4  # database, keystore, manifest, pseudonym secret, old.db
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600, path
    for path in (p for p in data.rglob("*") if p.is_dir()):
        assert path.stat().st_mode & 0o777 == 0o700, path
