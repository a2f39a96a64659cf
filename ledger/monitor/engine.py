"""The monitor: evaluate every rule on the index, raise and clear alerts, notify webhooks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session
from web3 import Web3

from ledger.deals.simulator import parse_scenario
from ledger.monitor import alerts as store
from ledger.monitor.alerts import Alert, Changes
from ledger.monitor.config import MonitorSettings
from ledger.monitor.drift import model_drift
from ledger.monitor.pools import pool_alerts
from ledger.monitor.ratings import rating_alerts
from ledger.monitor.records import expiring_records, suspended_attesters
from ledger.monitor.webhooks import Delivery, deliver
from ledger.ratings.service import rating_status
from ledger.ratings.store import ensure_table as ensure_ratings_table
from ledger.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluation:
    now: int  # chain time (latest block) the figures were judged at
    changes: Changes
    deliveries: list[Delivery]


class Monitor:
    def __init__(
        self,
        engine: Engine,
        w3: Web3,
        settings: MonitorSettings | None = None,
        rating_status: Callable[[int, str], str] | None = None,
    ) -> None:
        self.engine = engine
        self.w3 = w3
        self.settings = settings or MonitorSettings()
        self.base_case = parse_scenario(self.settings.base_case)[0]
        self.rating_status = rating_status  # None: no registry to judge ratings by
        store.ensure_table(engine)
        ensure_ratings_table(engine)

    @classmethod
    def for_runtime(cls, rt: Runtime, settings: MonitorSettings | None = None) -> Monitor:
        """A monitor that also judges ratings, by the registry's status of each record."""
        registry = rt.registry("admin")  # read-only calls here
        return cls(rt.engine, rt.w3, settings, lambda a, c: rating_status(registry, a, c))

    def chain_time(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def current(self, now: int) -> list[Alert]:
        """Every alert that holds now (the index must be synced by the caller)."""
        s = self.settings
        with Session(self.engine) as session:
            found = expiring_records(session, now, s.expiry_days)
            found += suspended_attesters(session)
            found += model_drift(
                session,
                int(time.time()),  # records carry the service's wall-clock issue time
                s.model_artifacts,
                threshold_bps=s.psi_threshold_bps,
                window_days=s.drift_window_days,
                min_scores=s.drift_min_scores,
            )
            found += pool_alerts(
                session,
                margin_bps=s.headroom_margin_bps,
                roll_bps=s.roll_rate_bps,
                defaults_bps=s.defaults_vs_base_bps,
                base_case=self.base_case,
            )
            if self.rating_status is not None:
                found += rating_alerts(session, self.rating_status)
        return found

    def evaluate(self, now: int | None = None) -> Evaluation:
        now = self.chain_time() if now is None else now
        changes = store.apply(self.engine, self.current(now), now)
        deliveries: list[Delivery] = []
        if self.settings.webhooks and (changes.raised or changes.cleared):
            body = {
                "now": now,
                "raised": [r.as_json() for r in changes.raised],
                "cleared": [r.as_json() for r in changes.cleared],
            }
            deliveries = deliver(
                self.settings.webhooks, body, attempts=self.settings.webhook_attempts
            )
        return Evaluation(now, changes, deliveries)

    def run(self, stop: threading.Event) -> None:
        """Evaluate every ``interval_s`` until ``stop`` is set (the API's background loop).

        A failed evaluation (the node or the database unreachable) is logged and retried at
        the next tick; it never ends the loop.
        """
        while not stop.wait(self.settings.interval_s):
            try:
                self.evaluate()
            except Exception:
                log.exception("monitor evaluation failed; retrying next interval")


def evaluation_json(ev: Evaluation) -> dict[str, object]:
    return {
        "now": ev.now,
        "raised": [r.as_json() for r in ev.changes.raised],
        "cleared": [r.as_json() for r in ev.changes.cleared],
        "open": [r.as_json() for r in ev.changes.open],
        "webhooks": [asdict(d) for d in ev.deliveries],
    }
