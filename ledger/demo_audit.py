"""Demo step 7b: the auditor anchors the audit report on chain, and a third party verifies
it from the files and a node alone (``credence audit verify-report``), then sees one
altered journal line caught."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from ledger.attest.verify import RpcReader
from ledger.audit.auditor import Auditor
from ledger.audit.report_check import verify_report
from ledger.runtime import Runtime


def anchor_report(rt: Runtime, directory: Path, console: Console) -> None:
    """Step 7b: the auditor attests the report on chain and a third party checks it."""
    console.rule(
        "[bold cyan]7b. Auditor: anchor the audit report; anyone verifies it from the files"
    )
    anchored = Auditor(rt).anchor(directory)
    console.print(
        f"audit-anchor.json: {anchored.files} files hashed, commitment {anchored.commitment} "
        f"attested by auditor {anchored.attester_id} in block {anchored.block_number}"
    )
    rpc = rt.w3.provider.endpoint_uri
    check = verify_report(RpcReader(rpc), directory)
    console.print(f"`credence audit verify-report {directory.name} --rpc URL`: {check.status}")
    journal = next(directory.glob("pools/*/journal.csv"), None)
    if journal is not None:
        original = journal.read_bytes()
        journal.write_bytes(original.replace(b"pool:cash", b"pool:cosh", 1))
        tampered = verify_report(RpcReader(rpc), directory)
        journal.write_bytes(original)
        console.print(f"with one journal line altered: {tampered.status} ({tampered.reasons[0]})")
