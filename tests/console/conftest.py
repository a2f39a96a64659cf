"""The console tests: a populated world, the app served live by uvicorn on a free port,
and headless Chromium (Debian's package) driven by Playwright, with every request to a
host other than the app refused, as on a machine without network."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from audit_world import KEYS, World, client, world

from api.main import create_app
from ledger.chain.node import free_port
from ledger.runtime import Runtime

__all__ = ["client", "world"]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def live(runtime: Runtime, world: World) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime, KEYS), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make install` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


class Offline:
    """A browser context that refuses every request not addressed to the app."""

    def __init__(self, browser, base: str) -> None:
        self.refused: list[str] = []
        self.context = browser.new_context(base_url=base, viewport={"width": 1100, "height": 760})
        self.context.route("**/*", self._route)
        self.base = base

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("internetdisconnected")


@pytest.fixture
def offline(browser, live: str) -> Iterator[Offline]:
    ctx = Offline(browser, live)
    yield ctx
    ctx.context.close()
