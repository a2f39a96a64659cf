"""Optional webhooks: each evaluation's raised and cleared alerts POSTed as JSON, with retries.

A delivery is retried on a connection error or a 5xx/429 answer, backing off 0.5 s, 1 s,
2 s, ...; a 4xx other than 429 is final. Failures are returned, never raised: a webhook
that is down must not stop the monitor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Delivery:
    url: str
    attempts: int
    status: int | None  # the last HTTP status, None if never answered
    ok: bool


def deliver(
    urls: list[str],
    body: dict[str, Any],
    *,
    attempts: int = 4,
    backoff_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 5.0,
) -> list[Delivery]:
    results = []
    with httpx.Client(timeout=timeout_s) as client:
        for url in urls:
            status = None
            for attempt in range(1, attempts + 1):
                try:
                    status = client.post(url, json=body).status_code
                except httpx.HTTPError:
                    status = None
                if status is not None and (status < 500 and status != 429):
                    break
                if attempt < attempts:
                    sleep(backoff_s * 2 ** (attempt - 1))
            ok = status is not None and 200 <= status < 300
            results.append(Delivery(url, attempt, status, ok))
    return results
