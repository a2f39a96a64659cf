"""Prometheus gauges of the open alerts, for whichever /metrics registry the service exposes.

``gauge_samples`` gives plain (name, labels, value) triples; ``AlertCollector`` wraps them
as a prometheus-client custom collector when that package is installed
(``registry.register(AlertCollector(engine))``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Engine

from ledger.monitor.alerts import history

Sample = tuple[str, dict[str, str], float]


def gauge_samples(engine: Engine) -> list[Sample]:
    """``credence_alerts_open{kind}`` counts and ``credence_alert_value{kind,subject,figure}``."""
    rows = history(engine, state="open")
    samples: list[Sample] = [
        ("credence_alerts_open", {"kind": kind}, float(n))
        for kind, n in sorted(Counter(r.kind for r in rows).items())
    ]
    samples += [
        (
            "credence_alert_value",
            {"kind": r.kind, "subject": r.subject, "figure": r.figure},
            float(r.value),
        )
        for r in rows
    ]
    return samples


class AlertCollector:
    """A prometheus-client collector (duck-typed: ``collect`` yields metric families)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        families = {
            "credence_alerts_open": GaugeMetricFamily(
                "credence_alerts_open", "open early-warning alerts by kind", labels=["kind"]
            ),
            "credence_alert_value": GaugeMetricFamily(
                "credence_alert_value",
                "the figure of each open alert",
                labels=["kind", "subject", "figure"],
            ),
        }
        for name, labels, value in gauge_samples(self.engine):
            families[name].add_metric(list(labels.values()), value)
        yield from families.values()
