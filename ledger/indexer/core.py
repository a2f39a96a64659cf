"""The indexing loop (see the package docstring)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hexbytes import HexBytes
from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select
from web3 import Web3
from web3.contract import Contract
from web3.types import LogReceipt

from ledger.store.db import session_scope
from ledger.store.tables import Checkpoint, EventLog

log = logging.getLogger(__name__)

# A projection applies one decoded event to the indexed tables, inside the chunk's transaction.
Handler = Callable[[Session, dict[str, Any], EventLog], None]


@dataclass
class Projection:
    """Handlers by event name, and the tables they own (cleared before a rebuild)."""

    handlers: dict[str, Handler]
    tables: list[type[SQLModel]] = field(default_factory=list)


def jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | HexBytes):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    return value


class Indexer:
    def __init__(
        self,
        w3: Web3,
        engine: Engine,
        contracts: dict[str, Contract],
        projections: Iterable[Projection],
        *,
        name: str = "main",
        start_block: int = 0,
        confirmations: int = 0,
        chunk_size: int = 2_000,
    ) -> None:
        self.w3 = w3
        self.engine = engine
        self.name = name
        self.start_block = start_block
        self.confirmations = confirmations
        self.chunk_size = chunk_size
        self.projections = list(projections)
        self.handlers: dict[str, list[Handler]] = {}
        for projection in self.projections:
            for event_name, handler in projection.handlers.items():
                self.handlers.setdefault(event_name, []).append(handler)
        self.addresses = [c.address for c in contracts.values()]
        self._decoders: dict[tuple[str, bytes], tuple[str, Any]] = {}
        for cname, contract in contracts.items():
            for event in contract.all_events():
                topic = bytes(HexBytes(event.topic))
                self._decoders[(contract.address.lower(), topic)] = (cname, event)

    # -- state -----------------------------------------------------------------------

    def checkpoint(self) -> tuple[int, str | None]:
        with Session(self.engine) as session:
            cp = session.get(Checkpoint, self.name)
            return (cp.block_number, cp.block_hash) if cp else (self.start_block - 1, None)

    def _chain_hash(self, number: int) -> str | None:
        try:
            return HexBytes(self.w3.eth.get_block(number)["hash"]).to_0x_hex()
        except Exception:
            return None  # block no longer exists (chain shorter after a reorg or reset)

    # -- polling ---------------------------------------------------------------------

    def poll_once(self) -> int:
        """Index everything up to the current head (less confirmations); returns events applied."""
        number, block_hash = self.checkpoint()
        if block_hash is not None and self._chain_hash(number) != block_hash:
            self.rewind()
            number, _ = self.checkpoint()
        head = self.w3.eth.block_number - self.confirmations
        applied = 0
        while number < head:
            to_block = min(number + self.chunk_size, head)
            applied += self._apply_chunk(number + 1, to_block)
            number = to_block
        return applied

    def _apply_chunk(self, from_block: int, to_block: int) -> int:
        logs = self.w3.eth.get_logs(
            {"fromBlock": from_block, "toBlock": to_block, "address": self.addresses}
        )
        to_hash = self._chain_hash(to_block)
        if to_hash is None:
            return 0
        with session_scope(self.engine) as session:
            for raw in logs:
                self._apply_log(session, raw)
            session.merge(Checkpoint(name=self.name, block_number=to_block, block_hash=to_hash))
        return len(logs)

    def _apply_log(self, session: Session, raw: LogReceipt) -> None:
        decoder = self._decoders.get((raw["address"].lower(), bytes(raw["topics"][0])))
        if decoder is None:
            return
        contract_name, event = decoder
        decoded = event.process_log(raw)
        row = EventLog(
            contract=contract_name,
            address=raw["address"],
            event=decoded["event"],
            block_number=raw["blockNumber"],
            block_hash=HexBytes(raw["blockHash"]).to_0x_hex(),
            tx_hash=HexBytes(raw["transactionHash"]).to_0x_hex(),
            log_index=raw["logIndex"],
            args=json.dumps(jsonable(dict(decoded["args"]))),
        )
        session.add(row)
        self._project(session, row)

    def _project(self, session: Session, row: EventLog) -> None:
        args = json.loads(row.args)
        for handler in self.handlers.get(row.event, []):
            handler(session, args, row)
        session.flush()

    # -- reorgs and rebuilds -----------------------------------------------------------

    def rewind(self) -> int:
        """Roll back to the last indexed block still on the canonical chain; returns it."""
        with session_scope(self.engine) as session:
            blocks = session.exec(
                select(EventLog.block_number, EventLog.block_hash)
                .distinct()
                .order_by(EventLog.block_number.desc())
            ).all()
            keep = self.start_block - 1
            keep_hash = ""
            for number, block_hash in blocks:
                if self._chain_hash(number) == block_hash:
                    keep, keep_hash = number, block_hash
                    break
            log.warning("reorg: rewinding index %s to block %d", self.name, keep)
            session.execute(delete(EventLog).where(EventLog.block_number > keep))
            if keep_hash:
                session.merge(Checkpoint(name=self.name, block_number=keep, block_hash=keep_hash))
            else:
                cp = session.get(Checkpoint, self.name)
                if cp:
                    session.delete(cp)
            self._rebuild(session)
        return keep

    def rebuild(self) -> int:
        """Drop every projection and replay it from the event log; returns events replayed."""
        with session_scope(self.engine) as session:
            return self._rebuild(session)

    def _rebuild(self, session: Session) -> int:
        for projection in self.projections:
            for table in projection.tables:
                session.execute(delete(table))
        rows = session.exec(
            select(EventLog).order_by(EventLog.block_number, EventLog.log_index)
        ).all()
        count = 0
        for row in rows:
            self._project(session, row)
            count += 1
        return count

    def event_count(self) -> int:
        with Session(self.engine) as session:
            return int(session.exec(select(func.count()).select_from(EventLog)).one())

    # -- running ---------------------------------------------------------------------

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Poll until ``stop`` is set; transient errors are logged and retried."""
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("indexer %s: poll failed; retrying", self.name)
            stop.wait(interval)
