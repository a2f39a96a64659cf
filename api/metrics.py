"""Prometheus metrics at ``/metrics``: HTTP traffic, and the ledger's state read at scrape.

Each app gets its own registry, so several apps in one process (tests) never collide.
The state gauges (records by status, batches not yet anchored, indexer lag, node
reachability) are computed when Prometheus scrapes, from the database and the node, so
they cannot drift from what they describe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, select

from ledger.attest import record_state
from ledger.store.tables import Batch

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class LedgerState(Collector):
    """Gauges read at scrape time; a failing source reports itself as down, never raises."""

    def __init__(self, engine: Any, node_head: Callable[[], int], indexed: Callable[[], int]):
        self.engine = engine
        self.node_head = node_head
        self.indexed = indexed

    def collect(self) -> Iterator[GaugeMetricFamily]:
        records = GaugeMetricFamily(
            "credence_records", "issued score records by status", labels=["status"]
        )
        batches = GaugeMetricFamily("credence_batches_pending", "batches not yet anchored")
        try:
            with Session(self.engine) as session:
                rows = list(record_state.totals(session).items())
                pending = session.exec(
                    select(func.count()).select_from(Batch).where(Batch.status != "anchored")
                ).one()
        except Exception:  # database down: these gauges are absent, /v1/health says why
            rows, pending = [], None
        for status, count in rows:
            records.add_metric([status], count)
        yield records
        if pending is not None:
            batches.add_metric([], pending)
            yield batches
        up = GaugeMetricFamily("credence_node_up", "1 if the chain node answers, else 0")
        try:
            head = self.node_head()
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        lag = GaugeMetricFamily("credence_indexer_lag_blocks", "chain head minus indexed block")
        lag.add_metric([], max(head - self.indexed(), 0))
        yield lag


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "credence_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "credence_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["route", "method"],
            registry=self.registry,
        )

    def track_ledger(self, state: LedgerState) -> None:
        self.registry.register(state)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
def scrape(request: Request) -> Response:
    """The Prometheus scrape (public, like ``/v1/health``)."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)
