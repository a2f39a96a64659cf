"""Clients that issue records through the API, each request under its own idempotency key,
and retry the same key until they get an answer, as a careful client would."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from ledger.faults.cluster import ATTESTER_KEY, AUDITOR_KEY


@dataclass
class Load:
    url: str
    model_id: str
    requests: int
    per_request: int
    clients: int = 4
    run_id: str = "run"
    give_up_s: float = 600.0
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> first 201 body
    outcomes: Counter[str] = field(default_factory=Counter)  # what each attempt got
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def key(self, n: int) -> str:
        return f"{self.run_id}-{n}"

    def body(self, n: int) -> dict[str, Any]:
        expires = 4_000_000_000  # fixed, so that a retry sends the very same body
        return {
            "records": [
                {
                    "subject_id": f"{self.run_id}-subject-{n}-{i}",
                    "score": 300 + (n * 31 + i * 7) % 550,
                    "grade": "B",
                    "model_id": self.model_id,
                    "expires_at": expires,
                }
                for i in range(self.per_request)
            ]
        }

    @property
    def done(self) -> int:
        with self._lock:
            return len(self.answers)

    def run(self) -> None:
        """Issue every request (blocking); each client retries its key until answered."""
        with ThreadPoolExecutor(self.clients) as pool:
            for _ in pool.map(lambda _: self._client(), range(self.clients)):
                pass

    def stop(self) -> None:
        self._stop.set()

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= self.requests:
                return None
            self._next += 1
            return self._next - 1

    def _client(self) -> None:
        with httpx.Client(base_url=self.url, headers={"X-API-Key": ATTESTER_KEY}) as http:
            while not self._stop.is_set() and (n := self._take()) is not None:
                self._issue(http, n)

    def _issue(self, http: httpx.Client, n: int) -> None:
        key, body = self.key(n), self.body(n)
        deadline, pause = time.monotonic() + self.give_up_s, 0.2
        while time.monotonic() < deadline and not self._stop.is_set():
            outcome = self.post(http, key, body)
            with self._lock:
                self.outcomes[str(outcome[0])] += 1
                if outcome[0] == 201:
                    self.answers[key] = outcome[1]
                    return
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    @staticmethod
    def post(http: httpx.Client, key: str, body: dict[str, Any]) -> tuple[int | str, Any]:
        try:
            reply = http.post(
                "/v1/attestations", json=body, headers={"Idempotency-Key": key}, timeout=120
            )
        except httpx.HTTPError as exc:
            return type(exc).__name__, None
        return reply.status_code, reply.json() if reply.status_code == 201 else None

    def read_mismatches(self, sample: int = 50) -> int:
        """Read a sample of told records back: each must report the chain's ``valid``."""
        told = [r["commitment"] for body in self.answers.values() for r in body["records"]]
        step = max(len(told) // sample, 1)
        with httpx.Client(base_url=self.url, headers={"X-API-Key": AUDITOR_KEY}) as http:
            return sum(
                http.get(f"/v1/attestations/{c}", timeout=30).json().get("status") != "valid"
                for c in told[::step]
            )

    def replay_mismatches(self) -> int:
        """Send every answered key once more: each must return its first answer exactly."""
        wrong = 0
        with httpx.Client(base_url=self.url, headers={"X-API-Key": ATTESTER_KEY}) as http:
            for key, first in self.answers.items():
                n = int(key.rsplit("-", 1)[1])
                status, again = self.post(http, key, self.body(n))
                wrong += status != 201 or again != first
        return wrong
