"""The indexing loop (see the package docstring)."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from hexbytes import HexBytes
from sqlalchemy import Connection, delete, func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import BlockNotFound

from ledger.chain.deploy import contract_at
from ledger.gcpause import collector_paused
from ledger.indexer.decode import EventDecoder, checksum, jsonable
from ledger.indexer.logs import get_logs
from ledger.indexer.projection import (
    BulkHandler,
    Discovery,
    Event,
    Handler,
    Projection,
    Projector,
    read_log,
    write_log,
)
from ledger.store.db import session_scope
from ledger.store.tables import Checkpoint, EventLog

log = logging.getLogger(__name__)

_LOCKS: dict[tuple[str, str], threading.RLock] = {}

# Projections import these from here as well as from ``ledger.indexer.projection``.
__all__ = ["BulkHandler", "Discovery", "Event", "Handler", "Indexer", "Projection", "jsonable"]


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
        discoveries: Iterable[Discovery] = (),
        handled_only: Iterable[str] = (),
    ) -> None:
        """Follow ``contracts`` (name -> contract) and whatever ``discoveries`` reveal.

        Contracts named in ``handled_only`` (static or discovered) are read only for the
        events some projection or discovery handles (their AccessControl and ERC-20
        bookkeeping events are not logged); the others for every event they emit.
        """
        self.w3 = w3
        self.engine = engine
        self.name = name
        self.start_block = start_block
        self.confirmations = confirmations
        self.chunk_size = chunk_size
        self.projections = list(projections)
        self.projector = Projector(self.projections)
        self._event_decoders: dict[tuple[str, str], EventDecoder] = {}  # by contract and topic
        self.discoveries = {(d.source, d.event): d for d in discoveries}
        self.handled_only = frozenset(handled_only)
        self._static = dict(contracts)
        self.last_error: str | None = None  # the failure of the last poll, while it lasts
        # One writer per index in this process (a thread and a caller may both poll);
        # across processes the unique event key and the checkpoint keep them apart.
        self._lock = _LOCKS.setdefault((str(engine.url), name), threading.RLock())
        self._nudged = threading.Event()
        self._reset_followed()

    # -- followed contracts ------------------------------------------------------------

    def _reset_followed(self) -> None:
        """Follow the static contracts and every contract discovered in the event log."""
        self._synced_at = self.checkpoint()  # the index this followed set is current for
        self._full: list[str] = []  # addresses read for every event
        self._selective: list[str] = []  # addresses read for handled events only
        self._followed: set[str] = set()
        self._decoders: dict[tuple[str, str], tuple[str, EventDecoder]] = {}
        for cname, contract in self._static.items():
            self._follow(cname, contract)
        for found in self._discovered_in_log():
            self._follow(*found)

    def _discovered_in_log(self) -> list[tuple[str, Contract]]:
        if not self.discoveries:
            return []
        with Session(self.engine) as session:
            rows = session.exec(
                select(EventLog)
                .where(EventLog.event.in_([event for _, event in self.discoveries]))
                .order_by(EventLog.block_number, EventLog.log_index)
            ).all()
        found = []
        for row in rows:
            discovery = self.discoveries.get((row.contract, row.event))
            if discovery is not None:
                found += self._reveal(discovery, json.loads(row.args))
        return found

    def _reveal(self, discovery: Discovery, args: dict[str, Any]) -> list[tuple[str, Contract]]:
        return [(name, contract_at(self.w3, name, addr)) for name, addr in discovery.reveal(args)]

    def _follow(self, cname: str, contract: Contract) -> bool:
        """Start following ``contract``; False if it was followed already."""
        address = contract.address
        if address in self._followed:
            return False
        self._followed.add(address)
        selective = cname in self.handled_only
        (self._selective if selective else self._full).append(address)
        for event in contract.all_events():
            if selective and not self._handled(cname, event.event_name):
                continue
            topic = HexBytes(event.topic).to_0x_hex()
            decoder = self._event_decoders.get((cname, topic))
            if decoder is None:  # built once per contract type, not per deployed contract
                decoder = self._event_decoders[(cname, topic)] = EventDecoder(event)
            self._decoders[(address.lower(), topic)] = (cname, decoder)
        return True

    def _handled(self, cname: str, event_name: str) -> bool:
        return event_name in self.projector.handlers or (cname, event_name) in self.discoveries

    @property
    def addresses(self) -> list[str]:
        return self._full + self._selective

    def _topics(self, addresses: list[str]) -> list[str]:
        wanted = {addr.lower() for addr in addresses}
        return sorted({topic for (addr, topic) in self._decoders if addr in wanted})

    def _get_logs(self, full: list[str], selective: list[str], first: int, last: int) -> list:
        """Raw logs of the given addresses in blocks ``first..last``, in chain order, with
        ``blockNumber`` and ``logIndex`` as integers."""
        logs: list[dict[str, Any]] = []
        if full:
            logs += get_logs(self.w3.provider, first, last, full)
        if selective:
            topics = self._topics(selective)
            logs += get_logs(self.w3.provider, first, last, selective, [topics])
        return sorted(logs, key=_chain_order)

    # -- state -----------------------------------------------------------------------

    def checkpoint(self) -> tuple[int, str | None]:
        with Session(self.engine) as session:
            cp = session.get(Checkpoint, self.name)
            return (cp.block_number, cp.block_hash) if cp else (self.start_block - 1, None)

    def _chain_hash(self, number: int) -> str | None:
        """The canonical hash at ``number``; None only when the node says there is no such
        block (a shorter chain after a reorg or a reset). Any other failure (node down,
        timeout) raises: an outage says nothing about the chain and must not rewind it."""
        try:
            return HexBytes(self.w3.eth.get_block(number)["hash"]).to_0x_hex()
        except BlockNotFound:
            return None

    # -- polling ---------------------------------------------------------------------

    def poll_once(self, on_chunk: Callable[[int, int], None] | None = None) -> int:
        """Index everything up to the current head (less confirmations); returns events applied.

        ``on_chunk(block, head)`` is called after each committed chunk (progress bars)."""
        with self._lock:
            return self._poll(on_chunk)

    def _poll(self, on_chunk: Callable[[int, int], None] | None = None) -> int:
        number, block_hash = self.checkpoint()
        if (number, block_hash) != self._synced_at:
            self._reset_followed()  # another writer moved the index: it may have discovered
        if block_hash is not None and self._chain_hash(number) != block_hash:
            self.rewind()
            number, _ = self.checkpoint()
        head = self.w3.eth.block_number - self.confirmations
        applied = 0
        while number < head:
            to_block = min(number + self.chunk_size, head)
            applied += self._apply_chunk(number + 1, to_block)
            number = to_block
            if on_chunk is not None:
                on_chunk(number, head)
        return applied

    def _apply_chunk(self, from_block: int, to_block: int) -> int:
        # A chunk's logs are allocated together and freed together: the collector's passes
        # over the heap they trigger took a fifth of a backfill and freed nothing.
        with collector_paused():
            return self._apply_logs(from_block, to_block)

    def _apply_logs(self, from_block: int, to_block: int) -> int:
        pending = self._get_logs(self._full, self._selective, from_block, to_block)
        to_hash = self._chain_hash(to_block)
        if to_hash is None:
            return 0
        events: list[Event] = []
        try:
            with session_scope(self.engine) as session:
                done = 0
                while done < len(pending):
                    raw = pending[done]
                    done += 1
                    event = self._decode(raw)
                    if event is None:
                        continue
                    events.append(event)
                    found, first = self._discover(event)
                    if found:
                        # A contract created in this chunk: read its logs from its creation
                        # block on (some precede the discovery event in the same block), or
                        # from the first block for a backfilled discovery.
                        block = raw["blockNumber"]
                        rest = self._merge(session, pending[done:], found, first, block, to_block)
                        pending = pending[:done] + rest
                write_log(session, events)
                self.projector.apply(session, events)
                merge = Checkpoint(name=self.name, block_number=to_block, block_hash=to_hash)
                session.merge(merge)
            self._synced_at = (to_block, to_hash)
        except BaseException:
            self._reset_followed()  # forget what a rolled-back chunk discovered
            raise
        return len(events)

    def _merge(
        self,
        session: Session,
        pending: list,
        found: list[tuple[str, Contract]],
        first: int,
        discovered_at: int,
        last: int,
    ):
        full = [c.address for n, c in found if n not in self.handled_only]
        selective = [c.address for n, c in found if n in self.handled_only]
        fresh = self._get_logs(full, selective, first, last)
        if first < discovered_at:  # backfilled: earlier blocks may be indexed already
            fresh = self._unlogged(session, found, fresh)
        return sorted(pending + fresh, key=_chain_order)

    def _unlogged(self, session: Session, found: list[tuple[str, Contract]], logs: list) -> list:
        """``logs`` less those already in the event log: a backfilled contract that was
        followed once before (then dropped from the followed set by a reorg) has some. (The
        chunk's own events are written after its loop, but none can be this contract's:
        it was not followed until now.)"""
        addresses = [c.address for _, c in found]
        known = set(
            session.exec(
                select(EventLog.tx_hash, EventLog.log_index).where(EventLog.address.in_(addresses))
            ).all()
        )
        return [
            raw for raw in logs if (raw["transactionHash"].lower(), raw["logIndex"]) not in known
        ]

    def _decode(self, raw: dict[str, Any]) -> Event | None:
        """The event of a raw log from a followed contract; None for one not followed."""
        topics = raw["topics"]
        if not topics:
            return None
        found = self._decoders.get((raw["address"].lower(), topics[0].lower()))
        if found is None:
            return None
        contract_name, decoder = found
        return Event(
            contract=contract_name,
            address=checksum(raw["address"][2:].lower()),
            event=decoder.name,
            block_number=raw["blockNumber"],
            block_hash=raw["blockHash"].lower(),
            tx_hash=raw["transactionHash"].lower(),
            log_index=raw["logIndex"],
            args=decoder.decode(raw),
        )

    def _discover(self, event: Event) -> tuple[list[tuple[str, Contract]], int]:
        """For a discovery event, the contracts it reveals that were not followed yet, and
        the block to read their logs from."""
        discovery = self.discoveries.get((event.contract, event.event))
        if discovery is None:
            return [], 0
        found = self._reveal(discovery, event.args)
        first = self.start_block if discovery.backfill else event.block_number
        return [(name, c) for name, c in found if self._follow(name, c)], first

    # -- reorgs and rebuilds -----------------------------------------------------------

    def rewind(self) -> int:
        """Roll back to the last indexed block still on the canonical chain; returns it."""
        with self._lock, session_scope(self.engine) as session:
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
        self._reset_followed()  # contracts discovered in the dropped blocks are gone
        return keep

    def rebuild(self) -> int:
        """Drop every projection and replay it from the event log; returns events replayed."""
        with self._lock, session_scope(self.engine) as session:
            return self._rebuild(session)

    def _rebuild(self, session: Session) -> int:
        for projection in self.projections:
            for table in projection.tables:
                session.execute(delete(table))
        events = read_log(session)
        self.projector.apply(session, events)
        return len(events)

    def event_count(self) -> int:
        with Session(self.engine) as session:
            return int(session.exec(select(func.count()).select_from(EventLog)).one())

    # -- running ---------------------------------------------------------------------

    def nudge(self) -> None:
        """Poll now rather than at the next interval: this process just put something on
        chain (an anchored batch), so its readers see it indexed without the wait."""
        self._nudged.set()

    def run(self, stop: threading.Event, interval: float = 0.2, max_backoff: float = 10.0) -> None:
        """Poll until ``stop`` is set; errors (node unreachable, say) are retried with
        exponential backoff up to ``max_backoff`` seconds, logged once per outage, and
        leave the index as it was: the API keeps serving the last indexed state.

        On PostgreSQL, where several API processes share one database, only the holder
        of the index's advisory lock polls; the others wait as warm standbys.
        """
        with self.engine.connect() as conn:
            while not stop.is_set() and not self._leader(conn):
                stop.wait(1.0)
            delay = interval
            while not stop.is_set():
                try:
                    self.poll_once()
                except Exception as exc:
                    if self.last_error is None:
                        log.warning("indexer %s: poll failed (%s); retrying", self.name, exc)
                    self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                    delay = min(delay * 2, max_backoff)
                else:
                    if self.last_error is not None:
                        log.warning("indexer %s: polling again after an outage", self.name)
                    self.last_error, delay = None, interval
                if delay == interval:  # a nudge cuts the wait short; a backoff is not cut
                    self._nudged.wait(delay)
                    self._nudged.clear()
                else:
                    stop.wait(delay)

    def _leader(self, conn: Connection) -> bool:
        if conn.dialect.name != "postgresql":
            return True  # SQLite: one process per database file
        key = int.from_bytes(
            hashlib.sha256(f"credence-indexer:{self.name}".encode()).digest()[:8],
            "big",
            signed=True,
        )
        return bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())


def _chain_order(raw: dict[str, Any]) -> tuple[int, int]:
    return raw["blockNumber"], raw["logIndex"]
