"""Collect sealed records and anchor them in batches, by size or by time.

Records submitted together or in quick succession are grouped by (model, expiry); a
group closes when full (``max_size``) or old (``max_wait_s``) and goes to the injected
``anchor`` function on the batcher's thread (or on the submitting thread when full).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from ledger.attest.records import SealedRecord

AnchorFn = Callable[[Sequence[SealedRecord]], str]  # records -> anchored batch root


def hex32(value: bytes) -> str:
    return "0x" + value.hex()


@dataclass
class PendingGroup:
    records: list[SealedRecord] = field(default_factory=list)
    futures: list[Future[str]] = field(default_factory=list)
    opened_at: float = field(default_factory=time.monotonic)


class Batcher:
    """Collects sealed records and anchors them in batches by size or by time."""

    def __init__(self, anchor: AnchorFn, max_size: int, max_wait_s: float) -> None:
        self._anchor = anchor
        self.max_size = max_size
        self.max_wait_s = max_wait_s
        self._groups: dict[tuple[str, int], PendingGroup] = defaultdict(PendingGroup)
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)
        self._thread.start()

    def submit(self, records: Sequence[SealedRecord]) -> list[Future[str]]:
        """Queue records; one future per batch they went into, resolving to its root once
        anchored (one per group, not per record: a request may hold thousands)."""
        futures: list[Future[str]] = []
        full: list[PendingGroup] = []
        with self._lock:
            joined: dict[int, Future[str]] = {}  # id(group) -> this call's future in it
            for record in records:
                key = (hex32(record.record.model_id), record.record.expires_at)
                group = self._groups[key]
                group.records.append(record)
                if id(group) not in joined:
                    fut: Future[str] = Future()
                    joined[id(group)] = fut
                    group.futures.append(fut)
                    futures.append(fut)
                if len(group.records) >= self.max_size:
                    full.append(self._groups.pop(key))
                    del joined[id(group)]
            self._lock.notify()
        for group in full:
            self._flush(group)
        return futures

    def _due(self) -> list[PendingGroup]:
        now = time.monotonic()
        keys = [k for k, g in self._groups.items() if now - g.opened_at >= self.max_wait_s]
        return [self._groups.pop(k) for k in keys]

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                self._lock.wait(timeout=min(self.max_wait_s, 0.05))
                due = self._due()
            for group in due:
                self._flush(group)

    def _flush(self, group: PendingGroup) -> None:
        try:
            root = self._anchor(group.records)
        except Exception as exc:
            for fut in group.futures:
                fut.set_exception(exc)
            return
        for fut in group.futures:
            fut.set_result(root)

    def close(self) -> None:
        """Flush everything still queued, then stop the thread."""
        with self._lock:
            groups = list(self._groups.values())
            self._groups.clear()
        for group in groups:
            self._flush(group)
        self._stop.set()
        with self._lock:
            self._lock.notify()
        self._thread.join(timeout=5)
