"""The indexer against a real Anvil: projections, crash and resume, reorgs, rebuilds."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from ledger.chain.node import LocalNode
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.tables import Attester, Checkpoint, EventLog, Model, OnchainRecord

METRICS = (8000, 5000, 6000, 100, 1000)


def count(rt: Runtime, table: type) -> int:
    with Session(rt.engine) as s:
        return int(s.exec(select(func.count()).select_from(table)).one())


@pytest.fixture
def fresh_runtime(anvil: LocalNode, tmp_path: Path):
    settings = Settings(data_dir=tmp_path, rpc_url=anvil.url, index_chunk_size=1)
    with Runtime.open(settings) as rt:
        yield rt


def attest_many(rt: Runtime, n: int) -> bytes:
    registry = rt.registry("attester")
    model = secrets.token_bytes(32)
    registry.register_model(model, "m", METRICS)
    expires = int(time.time()) + 86_400
    for _ in range(n):
        registry.attest(secrets.token_bytes(32), model, expires)
    return model


def chain_log_count(rt: Runtime) -> int:
    address = rt.manifest.address("AttestationRegistry")
    logs = rt.w3.eth.get_logs(
        {"fromBlock": rt.manifest.start_block, "toBlock": "latest", "address": address}
    )
    return len(logs)


def test_projections_follow_the_chain(fresh_runtime: Runtime):
    rt = fresh_runtime
    attest_many(rt, 3)
    indexer = rt.indexer()
    applied = indexer.poll_once()
    assert applied == chain_log_count(rt)
    assert count(rt, Attester) == 1 and count(rt, Model) == 1 and count(rt, OnchainRecord) == 3
    assert indexer.poll_once() == 0  # nothing new, nothing applied twice


def test_rebuild_from_event_log_gives_the_same_projections(fresh_runtime: Runtime):
    rt = fresh_runtime
    attest_many(rt, 4)
    indexer = rt.indexer()
    indexer.poll_once()
    with Session(rt.engine) as s:
        before = sorted((r.key, r.expires_at) for r in s.exec(select(OnchainRecord)).all())
    assert indexer.rebuild() == chain_log_count(rt)
    with Session(rt.engine) as s:
        after = sorted((r.key, r.expires_at) for r in s.exec(select(OnchainRecord)).all())
    assert before == after and len(after) == 4


def test_killed_mid_stream_resumes_without_loss_or_duplicates(
    fresh_runtime: Runtime, tmp_path: Path
):
    rt = fresh_runtime
    attest_many(rt, 150)
    expected = chain_log_count(rt)
    env = {
        **os.environ,
        "CREDENCE_DATA_DIR": str(tmp_path),
        "CREDENCE_RPC_URL": rt.w3.provider.endpoint_uri,
        "CREDENCE_INDEX_CHUNK_SIZE": "1",
    }
    cmd = [sys.executable, "-m", "ledger.cli", "index"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    head = rt.w3.eth.block_number
    start = rt.manifest.start_block
    deadline = time.monotonic() + 300  # generous: a loaded machine starts Python slowly
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        with Session(rt.engine) as s:
            cp = s.get(Checkpoint, "main")
        if cp is not None and start + 20 < cp.block_number < head - 20:
            proc.send_signal(signal.SIGKILL)
            killed_at = cp.block_number
            break
        time.sleep(0.005)
    proc.wait()
    assert killed_at is not None, "the indexer finished before it could be killed mid-stream"
    assert count(rt, EventLog) < expected

    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    with Session(rt.engine) as s:
        distinct = s.exec(
            select(func.count()).select_from(
                select(EventLog.tx_hash, EventLog.log_index).distinct().subquery()
            )
        ).one()
    assert count(rt, EventLog) == expected == distinct
    assert count(rt, OnchainRecord) == 150


def test_reorg_rewinds_and_reindexes(fresh_runtime: Runtime):
    rt = fresh_runtime
    attest_many(rt, 2)
    indexer = rt.indexer()
    indexer.poll_once()
    assert count(rt, OnchainRecord) == 2
    # Replace the last block by an empty one: its attestation disappears from the chain.
    rt.w3.provider.make_request("anvil_reorg", [1, []])
    rt.sender("attester").resync_nonce()
    indexer.poll_once()
    assert count(rt, OnchainRecord) == 1
    assert count(rt, EventLog) == chain_log_count(rt)


class RangeCapped:
    """The node behind a cap like geth's or a hosted endpoint's: a range of more than
    ``blocks`` blocks is refused with their error; other calls go to the real node."""

    def __init__(self, inner, blocks: int, message: str) -> None:
        self.inner, self.blocks, self.message, self.calls = inner, blocks, message, 0

    def make_request(self, method: str, params: list):
        self.calls += 1
        if method == "eth_getLogs":
            span = int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16) + 1
            if span > self.blocks:
                return {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "error": {"code": -32005, "message": self.message},
                }
        return self.inner.make_request(method, params)


def test_a_range_the_node_refuses_as_too_large_is_split_until_it_answers(fresh_runtime: Runtime):
    from ledger.indexer.logs import LogsError, get_logs

    attest_many(fresh_runtime, 6)
    provider = fresh_runtime.w3.provider
    address = [fresh_runtime.registry("attester").address]
    head = fresh_runtime.w3.eth.block_number
    whole = get_logs(provider, 0, head, address)
    capped = RangeCapped(provider, 2, "query returned more than 10000 results")
    assert get_logs(capped, 0, head, address) == whole
    assert capped.calls > head // 2 and len(whole) > 6
    broken = RangeCapped(provider, 2, "internal error")  # not a size refusal: raised
    with pytest.raises(LogsError, match="internal error"):
        get_logs(broken, 0, head, address)


def test_a_nudge_polls_at_once_and_stop_still_ends_the_loop(fresh_runtime: Runtime):
    """The API nudges its indexer when it anchors a batch: the batch is indexed without
    waiting for the interval (here an hour), and stopping still ends the loop."""
    rt = fresh_runtime
    indexer = rt.indexer()
    indexer.poll_once()
    stop = threading.Event()
    thread = threading.Thread(target=indexer.run, args=(stop,), kwargs={"interval": 3600})
    thread.start()
    try:
        time.sleep(0.5)  # past its first poll, into the hour's wait
        attest_many(rt, 1)
        assert count(rt, OnchainRecord) == 0
        indexer.nudge()
        deadline = time.monotonic() + 30
        while count(rt, OnchainRecord) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count(rt, OnchainRecord) == 1
    finally:
        stop.set()
        indexer.nudge()  # ends the hour's wait at once
        thread.join(timeout=30)
    assert not thread.is_alive()
