"""The auditor's workbench over one runtime: where the rebuilt database lives, and the
rebuild, reconcile and export steps that the CLI and the web console share."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from hexbytes import HexBytes
from sqlalchemy.engine import Engine

from ledger.audit.export import ExportResult, export_all
from ledger.audit.journal import chain_balances
from ledger.audit.rebuild import RebuildResult, rebuild
from ledger.audit.reconcile import Reconciliation, reconcile, state_digest
from ledger.runtime import Runtime
from ledger.store import create_db


class Workbench:
    def __init__(self, runtime: Runtime, rebuilt_url: str | None = None) -> None:
        self.runtime = runtime
        self.directory: Path = runtime.settings.data_dir / "audit"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rebuilt_url = rebuilt_url or f"sqlite:///{self.directory / 'rebuilt.db'}"
        self._engine: Engine | None = None
        # One rebuild, reconcile or export at a time: they share the rebuilt database and
        # the export directory (concurrent API calls each created its tables: a 500).
        self.lock = threading.RLock()

    @property
    def export_dir(self) -> Path:
        """Where the console and the API export (and anchor) the audit report."""
        return self.directory / "export"

    @property
    def last_path(self) -> Path:
        return self.directory / "reconcile.json"

    def rebuilt(self) -> Engine:
        if self._engine is None:
            self._engine = create_db(self.rebuilt_url)
        return self._engine

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> RebuildResult:
        with self.lock:
            result, self._engine = rebuild(self.runtime, self.rebuilt_url, progress)
            return result

    def canonical_hash(self, number: int) -> str | None:
        try:
            return HexBytes(self.runtime.w3.eth.get_block(number)["hash"]).to_0x_hex()
        except Exception:
            return None  # past the head: the block was reorged away or rolled back

    def reconcile(self, progress: Callable[[int, int], None] | None = None) -> Reconciliation:
        """Bring the rebuilt index up to the head, compare, and keep the result for the
        console (``audit/reconcile.json``)."""
        with self.lock:
            self.rebuild(progress)
            result = reconcile(self.rebuilt(), self.runtime.engine, self.canonical_hash)
            self.last_path.write_text(json.dumps(result.to_json(), indent=2))
            return result

    def last_reconciliation(self) -> dict | None:
        if not self.last_path.exists():
            return None
        return json.loads(self.last_path.read_text())

    def block_time(self) -> Callable[[int], int]:
        @lru_cache(maxsize=65_536)
        def timestamp(number: int) -> int:
            return int(self.runtime.w3.eth.get_block(number)["timestamp"])

        return timestamp

    def export(self, directory: Path, reconciliation: Reconciliation | None = None) -> ExportResult:
        """Exports of the rebuilt (chain-only) index, with the journal checked against the
        settlement token's balances on chain."""
        with self.lock:
            engine = self.rebuilt()
            return export_all(
                engine,
                directory,
                self.block_time(),
                reconciliation,
                lambda pool: chain_balances(self.runtime.w3, engine, pool),
                head=self.head(engine),
            )

    def head(self, engine: Engine) -> dict[str, object]:
        """The block the rebuilt index stands at, its hash, and the index's state digest."""
        block, block_hash = self.runtime.indexer(engine).checkpoint()
        return {
            "head_block": block,
            "head_block_hash": block_hash,
            "state_digest": state_digest(engine),
        }
