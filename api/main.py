"""The FastAPI application: routers, error handlers, and the background indexer."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors, examples, outage
from api.alerts.router import monitor as alerts_monitor
from api.alerts.router import router as alerts_router
from api.attestations.router import router as attestations_router
from api.attesters.router import router as attesters_router
from api.audit.anchor import router as audit_anchor_router
from api.audit.router import router as audit_router
from api.console.app import install_console
from api.cover.router import router as cover_router
from api.deps import Role, Services, resolve_key
from api.errors import PROBLEM_RESPONSES
from api.guard import DEFAULT_MAX_BODY, DEFAULT_MAX_DEPTH, Guard
from api.health.router import router as health_router
from api.investors.router import router as investors_router
from api.keys import KeyRing
from api.metrics import LedgerState, Metrics
from api.metrics import router as metrics_router
from api.models.router import router as models_router
from api.observe import Observe
from api.pools.router import router as pools_router
from api.ratings.router import ratings
from api.ratings.router import router as ratings_router
from api.scores.router import router as scores_router
from api.triggers.router import router as triggers_router
from api.verify.router import router as verify_router
from ledger.attest.reconcile import Reconciler
from ledger.deals.service import DealService
from ledger.monitor.metrics import AlertCollector
from ledger.ratings.sync import run_sync
from ledger.runtime import Runtime

DESCRIPTION = """
Credence anchors credit score records on chain as salted hashes and lets lenders verify
what a customer discloses; it runs securitization pools whose waterfall executes on chain.
Authenticate with an `X-API-Key` header; the key's role (admin, attester, verifier,
auditor, structurer, servicer, investor, agent) decides what it may do. Writes accept an
`Idempotency-Key` header: retrying with the same key never issues twice.
"""


def build_services(runtime: Runtime, api_keys: KeyRing | Mapping[str, Role]) -> Services:
    if not isinstance(api_keys, KeyRing):
        api_keys = KeyRing.of(api_keys)
    return Services(
        runtime=runtime,
        attestations=runtime.attestation_service(),
        registry=runtime.registry("attester"),
        registrar=runtime.registry("admin"),
        api_keys=api_keys,
        deals=DealService(runtime),
    )


def create_app(
    runtime: Runtime,
    api_keys: KeyRing | Mapping[str, Role],
    *,
    run_indexer: bool = True,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> FastAPI:
    """The API; ``api_keys`` are hashed key -> role (a ``KeyRing``) or plain keys."""
    svc = build_services(runtime, api_keys)
    indexer = runtime.indexer()
    svc.extras["indexer"] = indexer
    if run_indexer:  # a batch this process anchored is indexed at once, not at the next poll
        svc.attestations.anchorer.on_anchored = indexer.nudge

    settings = runtime.settings
    reconciler = Reconciler(
        svc.attestations,
        interval_s=settings.reconcile_interval_s,
        settle_timeout_s=settings.anchor_wait_s,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        reconciler.requeue_orphans()
        threads = [threading.Thread(target=reconciler.run, args=(stop,), name="reconciler")]
        if run_indexer:
            threads.append(threading.Thread(target=indexer.run, args=(stop,), name="indexer"))
        for thread in threads:
            thread.daemon = True
            thread.start()
        if run_indexer and settings.rating_sync_interval_s > 0:
            sync = threading.Thread(
                target=run_sync,
                args=(runtime.engine, lambda: ratings(svc), stop, settings.rating_sync_interval_s),
                name="rating-sync",
                daemon=True,
            )
            sync.start()
        watch = alerts_monitor(svc)
        if run_indexer and watch.settings.interval_s > 0:
            threading.Thread(target=watch.run, args=(stop,), name="monitor", daemon=True).start()
        try:
            yield
        finally:
            stop.set()
            svc.attestations.close()
            for thread in threads:
                thread.join(timeout=5)

    app = FastAPI(
        title="Credence",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # self-hosted by the console (no CDN)
        redoc_url=None,
    )
    app.state.services = svc
    metrics = Metrics()
    metrics.track_ledger(
        LedgerState(
            runtime.engine, lambda: runtime.w3.eth.block_number, lambda: indexer.checkpoint()[0]
        )
    )
    metrics.registry.register(AlertCollector(runtime.engine))
    app.state.metrics = metrics
    errors.install(app)
    outage.install(app)
    install_console(app)
    examples.install(app)
    # Added last = outermost: observe (request id, log, metrics), then the guard (key,
    # body size and depth), both before any routing or parsing.
    app.add_middleware(
        Guard,
        resolve=lambda key: resolve_key(svc, key),
        max_body_bytes=max_body_bytes,
        max_depth=max_depth,
    )
    app.add_middleware(Observe, metrics=metrics)
    for router in (
        health_router,
        attestations_router,
        verify_router,
        attesters_router,
        models_router,
        scores_router,
        pools_router,
        triggers_router,
        investors_router,
        audit_router,
        audit_anchor_router,
        alerts_router,
        ratings_router,
        cover_router,
    ):
        app.include_router(router, responses=PROBLEM_RESPONSES)
    app.include_router(metrics_router)

    return app
