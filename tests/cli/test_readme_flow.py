"""The README's flow from tape to claim runs as written: its commands, copied from the
README, run in bash from a folder that looks like the repository root (the virtualenv and
the examples linked in), against the test node and a fresh data directory."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_flow() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- flow -->\n```sh\n(.*?)```\n<!-- /flow -->", text, re.S)
    assert match, "README.md has no <!-- flow --> block"
    return match.group(1)


def test_the_readme_flow_runs_as_written(anvil, tmp_path: Path) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    for name in (".venv", "examples"):
        (work / name).symlink_to(ROOT / name)
    env = {
        **os.environ,
        "CREDENCE_DATA_DIR": str(tmp_path / "data"),
        "CREDENCE_RPC_URL": anvil.url,
        "COLUMNS": "100",
    }
    script = "set -euo pipefail\n" + readme_flow()
    done = subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "period 1: cash in 47,693.183886" in " ".join(out.split())
    assert "2026-02-01" in out  # the period's end, as a date
    assert "alice claimed" in out and "amortising" in out
    assert (work / "period-1.yaml").exists()
