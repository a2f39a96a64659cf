"""Webhook delivery against a real local HTTP server: retries on 5xx and on a refused
connection, no retry on a 4xx, and never an exception to the caller."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ledger.chain.node import free_port
from ledger.monitor.webhooks import deliver


class Answer(BaseHTTPRequestHandler):
    status = 500
    seen = 0

    def do_POST(self) -> None:
        type(self).seen += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Answer.seen = 0
    httpd = HTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()


def test_5xx_is_retried_until_the_attempts_run_out(server: str) -> None:
    Answer.status = 500
    waits: list[float] = []
    [d] = deliver([server], {"raised": []}, attempts=3, sleep=waits.append)
    assert (d.ok, d.attempts, d.status, Answer.seen) == (False, 3, 500, 3)
    assert waits == [0.5, 1.0]  # backoff doubles


def test_4xx_is_final(server: str) -> None:
    Answer.status = 404
    [d] = deliver([server], {"raised": []}, attempts=4, sleep=lambda _: None)
    assert (d.ok, d.attempts, d.status, Answer.seen) == (False, 1, 404, 1)


def test_refused_connection_is_retried_and_reported(server: str) -> None:
    Answer.status = 200
    dead = f"http://127.0.0.1:{free_port()}/"
    down, up = deliver([dead, server], {"raised": []}, attempts=2, sleep=lambda _: None)
    assert (down.ok, down.attempts, down.status) == (False, 2, None)
    assert (up.ok, up.attempts, up.status) == (True, 1, 200)
