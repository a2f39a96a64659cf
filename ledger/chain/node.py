"""A local EVM node that Credence starts and stops itself (Anvil by default, or Ganache).

State persists under the data directory, so a restart keeps the chain and the index in
agreement. Both binaries come from the npm packages pinned in ``package-lock.json``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from ledger import PROJECT_ROOT

NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
DEV_MNEMONIC = "test test test test test test test test test test test junk"


class NodeError(RuntimeError):
    """The managed node could not be started or did not answer."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rpc_ready(url: str) -> bool:
    try:
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        return httpx.post(url, json=body, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class LocalNode:
    """A managed Anvil or Ganache process. Use as a context manager or call start/stop."""

    kind: Literal["anvil", "ganache"] = "anvil"
    port: int = 8545
    state_dir: Path | None = None
    block_time: float | None = None
    chain_id: int = 31337
    extra_args: tuple[str, ...] = ()  # passed to the node as given (benchmarks: --gas-limit)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        binary = NODE_BIN / self.kind
        if not binary.exists():
            raise NodeError(f"{binary} is missing: run `npm ci` (or `make install`)")
        if self.kind == "anvil":
            cmd = [str(binary), "--port", str(self.port), "--chain-id", str(self.chain_id)]
            # No --code-size-limit: the node enforces EIP-170 as a real chain does.
            cmd += ["--mnemonic", DEV_MNEMONIC, "--silent"]
            # Anvil keeps the last 500 blocks' states in memory and, by default, writes up to
            # 3,600 older ones to its own cache folder, where they stay after it stops (about
            # 15 GB for one test suite). Nothing here reads state that old: keep none on disk.
            cmd += ["--max-persisted-states", "0"]
            if self.block_time:
                cmd += ["--block-time", str(self.block_time)]
            if self.state_dir:
                # --state loads at start and dumps on exit; the interval dump bounds
                # what a hard crash can lose.
                cmd += ["--state", str(self.state_dir / "anvil-state.json")]
                cmd += ["--state-interval", "5"]
            return [*cmd, *self.extra_args]
        cmd = [str(binary), "--server.port", str(self.port), "--chain.chainId", str(self.chain_id)]
        cmd += [
            "--wallet.mnemonic",
            DEV_MNEMONIC,
            "--logging.quiet",
            "--chain.hardfork",
            "shanghai",
        ]
        if self.block_time:
            cmd += ["--miner.blockTime", str(self.block_time)]
        if self.state_dir:
            cmd += ["--database.dbPath", str(self.state_dir / "ganache-db")]
        return [*cmd, *self.extra_args]

    def start(self, timeout: float = 30.0) -> LocalNode:
        if rpc_ready(self.url):
            raise NodeError(f"port {self.port} already serves JSON-RPC; set another node_port")
        if self.state_dir:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        # The node's output goes to a file, never an unread pipe: a full pipe would
        # block the node mid-run.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the node)
        self.process = subprocess.Popen(
            self.command(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.seek(0)
                err = self._log.read().decode(errors="replace")
                raise NodeError(f"{self.kind} exited at start: {err.strip()[-500:]}")
            if rpc_ready(self.url):
                return self
            time.sleep(0.05)
        self.stop()
        raise NodeError(f"{self.kind} did not answer on {self.url} within {timeout}s")

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gracefully (Anvil dumps its state on SIGTERM), then kill if it hangs."""
        proc, self.process = self.process, None
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def reset_state(self) -> None:
        if self.state_dir and self.state_dir.exists():
            shutil.rmtree(self.state_dir)

    def __enter__(self) -> LocalNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
