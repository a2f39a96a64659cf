"""The demo's cover step on a real Anvil: priced from attested PDs, deployed on the priced
terms, a second guarantor admitted, rotated and removed, and a stressed second period in
which the guarantee on B draws part of its collateral."""

from __future__ import annotations

import re
from pathlib import Path

from rich.console import Console

from ledger.deals.service import DealService
from ledger.demo_cover import KYC_UNTIL, cover_flow
from ledger.runtime import Runtime


def test_the_cover_demo_draws_on_its_guarantee(runtime: Runtime, tmp_path: Path) -> None:
    for name in ("alice", "bob"):  # the demo's investors, admitted by its earlier steps
        DealService(runtime).add_investor(name, KYC_UNTIL, "GB")
    console = Console(width=100, record=True)
    cover_flow(runtime, console, tmp_path)
    text = " ".join(console.export_text().split())
    assert "northwind removed" in text and "period 2, stressed" in text
    paid = re.search(r"guarantee paid ([\d,.]+) over 2 period", text)
    assert paid is not None and float(paid.group(1).replace(",", "")) > 0
