"""``credence up`` in a subprocess: SIGTERM and SIGINT stop the API, the indexer and the
managed node; API keys are shown once, at creation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ledger.chain.node import free_port, rpc_ready


def _start(data_dir: Path, node_port: int, api_port: int) -> subprocess.Popen[str]:
    env = os.environ | {
        "CREDENCE_DATA_DIR": str(data_dir),
        "CREDENCE_NODE_PORT": str(node_port),
        "CREDENCE_API_PORT": str(api_port),
        "CREDENCE_DEV_MODE": "1",
        "COLUMNS": "200",
    }
    env.pop("CREDENCE_RPC_URL", None)
    env.pop("CREDENCE_API_KEYS", None)
    cmd = [sys.executable, "-m", "ledger.cli", "up"]
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait_healthy(proc: subprocess.Popen[str], api_port: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{api_port}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError("credence up did not become healthy")


@pytest.mark.slow
def test_sigterm_then_sigint_stop_api_indexer_and_node(tmp_path: Path):
    node_port, api_port = free_port(), free_port()
    outputs = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = _start(tmp_path / "data", node_port, api_port)
        try:
            _wait_healthy(proc, api_port)
            assert rpc_ready(f"http://127.0.0.1:{node_port}")
            proc.send_signal(sig)
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        outputs.append(output)
        assert proc.returncode == 0, output
        assert "stopped: API, indexer and node" in output
        assert not rpc_ready(f"http://127.0.0.1:{node_port}"), "the managed node outlived up"
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{api_port}/v1/health", timeout=2)
    first, second = outputs
    assert "shown once" in first and "admin-" in first
    assert "admin-" not in second and "stored hashed" in second
    mode = (tmp_path / "data").stat().st_mode & 0o777
    assert mode == 0o700
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o600, path
