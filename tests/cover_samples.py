"""Score records with a PD, issued and anchored on a runtime's registry, and a loan tape
(with a pd_bps column) whose loans name them: what cover pricing checks PDs against."""

from __future__ import annotations

import secrets
from pathlib import Path

from ledger.runtime import Runtime

COLUMNS = "loan_id,original_principal,current_principal,rate_bps,term_months,"
COLUMNS += "origination_date,score_uid,score,pd_bps"


def issue_pds(rt: Runtime, pds: list[int]) -> list[str]:
    """One anchored score record per PD (a Merkle batch); their commitments (score uids)."""
    svc = rt.attestation_service()
    model = "0x" + secrets.token_bytes(32).hex()
    rt.registry("attester").register_model(bytes.fromhex(model[2:]), "m", (1, 1, 1, 1, 1))
    now = int(rt.w3.eth.get_block("latest")["timestamp"])
    records = [
        svc.new_record(
            subject_id=f"borrower-{i}-{model[:10]}",
            score=600 + i,
            grade="B",
            model_id=model,
            issued_at=now,
            expires_at=now + 365 * 86_400,
            pd_bps=pd,
        )
        for i, pd in enumerate(pds)
    ]
    try:
        sealed = svc.issue(records, mode="batch")
    finally:
        svc.close()
    return ["0x" + s.commitment.hex() for s in sealed]


def write_tape(path: Path, uids: list[str], pds: list[int], balance: int = 2_000_000) -> Path:
    rows = [
        f"LN-{i},{balance + 1000},{balance + 10 * i},900,36,2025-06-01,{uid},{600 + i},{pd}"
        for i, (uid, pd) in enumerate(zip(uids, pds, strict=True))
    ]
    path.write_text("\n".join([COLUMNS, *rows]) + "\n")
    return path
