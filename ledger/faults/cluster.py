"""A node and an API process that a fault-injection run can kill and restart.

The node is a managed Anvil with its state under the data directory (dumped every few
seconds, as in production use), so a SIGKILL loses the blocks mined since the last dump,
exactly like the crash the service must survive. The API is ``credence up`` in its own
process group pointed at that node, so it can be killed without touching the node.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from ledger.chain.node import LocalNode, free_port

ATTESTER_KEY = "fault-attester"
AUDITOR_KEY = "fault-auditor"


@dataclass
class Cluster:
    data_dir: Path
    block_time: float = 1.0
    settings: dict[str, str] = field(default_factory=dict)  # extra CREDENCE_* variables
    node_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    node: LocalNode | None = None
    api: subprocess.Popen[bytes] | None = None
    _api_log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.node_port}"

    def env(self) -> dict[str, str]:
        keys = {ATTESTER_KEY: "attester", AUDITOR_KEY: "auditor"}
        return {
            **os.environ,
            "CREDENCE_DATA_DIR": str(self.data_dir),
            "CREDENCE_RPC_URL": self.rpc_url,
            "CREDENCE_API_KEYS": json.dumps(keys),
            **self.settings,
        }

    # -- node --------------------------------------------------------------------------

    def start_node(self) -> None:
        self.node = LocalNode(
            port=self.node_port, state_dir=self.data_dir / "node", block_time=self.block_time
        ).start()

    def kill_node(self) -> None:
        """SIGKILL: whatever the node mined since its last state dump is gone."""
        assert self.node is not None and self.node.process is not None
        os.killpg(self.node.process.pid, signal.SIGKILL)
        self.node.process.wait()
        self.node.process = None
        self.node = None

    def stop_node(self) -> None:
        if self.node is not None:
            self.node.stop()
            self.node = None

    # -- API ---------------------------------------------------------------------------

    def start_api(self, timeout: float = 180.0) -> None:
        self._api_log = (self.data_dir / "api.log").open("ab")
        cmd = [sys.executable, "-m", "ledger.cli", "up", "--port", str(self.api_port)]
        self.api = subprocess.Popen(
            cmd,
            env=self.env(),
            stdout=self._api_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.api.poll() is not None:
                raise RuntimeError(f"the API exited at start; see {self.data_dir / 'api.log'}")
            try:
                httpx.get(f"{self.url}/v1/health", timeout=5)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the API did not start in time")

    def kill_api(self) -> None:
        """SIGKILL mid-request: no shutdown hook runs, in-progress keys stay leased."""
        if self.api is not None:
            os.killpg(self.api.pid, signal.SIGKILL)
            self.api.wait()
            self.api = None

    def stop_api(self) -> None:
        if self.api is not None and self.api.poll() is None:
            os.killpg(self.api.pid, signal.SIGTERM)
            try:
                self.api.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.api.pid, signal.SIGKILL)
                self.api.wait()
        self.api = None
        if self._api_log is not None:
            self._api_log.close()
            self._api_log = None

    def close(self) -> None:
        self.stop_api()
        self.stop_node()
