"""Configuration from environment variables (prefix ``CREDENCE_``) and an optional ``.env``.

The defaults run on one machine with nothing configured: a managed Anvil node whose
state persists under ``data_dir`` and a SQLite database beside it.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger import PROJECT_ROOT

DEV_PASSPHRASE = "credence-dev"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDENCE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / ".credence", description="node state, db, keys")
    rpc_url: str | None = Field(default=None, description="external JSON-RPC; unset = managed node")
    node: Literal["anvil", "ganache"] = "anvil"
    node_port: int = 8545
    block_time: float | None = Field(
        default=1.0, description="managed node interval mining in seconds; None = one block per tx"
    )
    database_url: str | None = Field(default=None, description="unset = SQLite in data_dir")
    keystore_passphrase: str = Field(
        default=DEV_PASSPHRASE, description="passphrase of the local encrypted keystore"
    )
    dev_mode: bool = Field(
        default=False,
        description="a throwaway development setup: allows the default keystore passphrase",
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, description="larger request bodies get 413"
    )
    api_max_json_depth: int = Field(
        default=32, ge=4, le=1000, description="deeper JSON nesting gets 422, before parsing"
    )
    batch_max_size: int = 10_000
    batch_max_wait_s: float = 0.5
    seal_workers: int = Field(
        default=1, ge=0, le=64, description="extra threads hashing large requests (0 = none)"
    )
    confirmations: int = 0
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL",
        description="SQLite commits: NORMAL survives a killed process, FULL also power loss",
    )
    index_chunk_size: int = Field(default=2_000, ge=1, description="blocks per indexing step")

    def check_secrets(self) -> None:
        """Refuse the well-known default passphrase unless this is explicitly a dev setup."""
        if self.keystore_passphrase == DEV_PASSPHRASE and not self.dev_mode:
            raise ValueError(
                "CREDENCE_KEYSTORE_PASSPHRASE is the public default: set your own passphrase "
                "(or CREDENCE_DEV_MODE=1 for a throwaway development setup)"
            )

    # -- crash safety: anchoring, the reconciler, idempotency leases ----------------------
    anchor_confirmations: int = Field(
        default=0, ge=0, le=1_000, description="blocks on top before a record counts as anchored"
    )
    anchor_wait_s: float = Field(
        default=60.0, gt=0, description="how long an issuing request waits for anchoring"
    )
    reconcile_interval_s: float = Field(
        default=5.0, gt=0, description="how often the reconciler checks records against the chain"
    )
    rating_sync_interval_s: float = Field(
        default=60.0,
        ge=0,
        description="how often the API finishes rating feed posts and supersessions (0: off)",
    )
    idempotency_lease_s: int = Field(
        default=120, ge=1, description="an in-progress Idempotency-Key older than this is resumable"
    )

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'credence.db'}"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "deployment.json"


@lru_cache
def get_settings() -> Settings:
    return Settings()
