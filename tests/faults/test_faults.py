"""Fault injection on a real node: SIGKILL the node, the API, and both, mid-run; restart;
then every record a client was told about is on chain, none twice, and every retried
idempotency key returns its first answer (the 30,000-record run: scripts/bench_faults.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.faults.run import FAULTS, run


@pytest.mark.slow
def test_kills_of_node_api_and_both_lose_and_duplicate_nothing(tmp_path: Path):
    report = run(tmp_path / "faults", requests=48, per_request=40, faults=FAULTS)
    result = report.to_dict()
    assert result["told"] == 48 * 40, result
    assert result["lost"] == 0 and result["duplicated"] == 0, result
    assert result["untold_stored"] == 0 and result["pending_in_db"] == 0, result
    assert result["leaves_on_chain"] == result["told"], result
    assert result["replay_mismatches"] == 0 and result["read_status_not_valid"] == 0, result
