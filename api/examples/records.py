"""Examples of the attestation side: attestations, attesters, models, scores, verification
and investors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.attestations import schemas as att
from api.attesters import schemas as atr
from api.examples.values import ADDR, H32, MODEL, POOL, ROOT, TX
from api.investors import schemas as inv
from api.models import schemas as mod
from api.scores import schemas as sco
from api.verify import schemas as ver
from api.writes import TxOut
from ledger.store.tables import Attester, Model

DISCLOSURE = {
    "version": 1,
    "chain_id": 31337,
    "registry": ADDR.lower(),
    "commitment": H32,
    "fields": [
        {"name": "score", "value": "642", "salt": ROOT, "proof": [TX, H32]},
        {"name": "attester", "value": "1", "salt": H32, "proof": [ROOT, TX]},
    ],
    "batch": {"root": ROOT, "proof": [TX]},
}

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    # attestations
    att.IssueRequest: {
        "records": [
            {"subject_id": "customer-1042", "score": 642, "grade": "B", "model_id": MODEL,
             "valid_days": 365, "pd_bps": 310, "reasons": ["utilisation high"]}
        ],
        "mode": "batch",
    },
    att.IssueResponse: {
        "count": 1,
        "records": [{"commitment": H32, "subject": "0x3e1f…", "mode": "batch",
                     "status": "anchored", "batch_root": ROOT}],
    },
    att.AttestationOut: {
        "commitment": H32, "attester_id": 1, "subject": "0x3e1f…", "mode": "batch", "status": "anchored",
        "chain_status": "valid", "batch_root": ROOT, "proof": [TX], "tx_hash": TX, "record": None,
    },
    att.RevokeRequest: {"reason": 7},
    att.RevokeManyRequest: {"commitments": [H32], "reason": 7},
    att.RevokeResponse: {"revoked": [H32], "tx_hash": TX},
    att.DelegatedRequest: {
        "commitment": H32, "model_id": MODEL, "expires_at": 1830297600, "signer": ADDR,
        "deadline": 1798761600, "signature": "0x" + "ab" * 65,
    },
    # attesters and models
    atr.AttesterIn: {"key": ADDR, "name": "Northwind Credit Bureau", "metadata_uri": "https://northwind.example/attester.json"},
    atr.SuspendIn: {"reason": 3},
    atr.RotateKeyIn: {"new_key": ADDR},
    mod.ModelIn: {
        "model_id": MODEL, "metadata_uri": "ipfs://bafy…/card.json",
        "metrics": {"auc_bps": 7812, "ks_bps": 4630, "gini_bps": 5624, "psi_bps": 90, "sample_size": 300},
    },
    mod.ArtifactIn: {"artifact": {"format": "credence-scorecard/1", "…": "from `credence score fit`"}, "uri": "https://northwind.example/card.json"},
    mod.ArtifactRegistered: {
        "model_id": MODEL, "already_registered": False,
        "metrics": {"auc_bps": 7812, "ks_bps": 4630, "gini_bps": 5624, "psi_bps": 90, "sample_size": 300},
    },
    TxOut: {"tx_hash": TX},
    # scores and verification
    sco.ScoreRequest: {
        "model_id": MODEL,
        "applicants": [{"subject_id": "applicant-7", "inputs": {"duration_months": 24, "purpose": "car", "savings": None}}],
        "attest": True, "valid_days": 365, "mode": "batch", "reasons": 4,
        "strategy_id": ROOT, "skip_invalid": True,
    },
    sco.ScoreResponse: {
        "model_id": MODEL, "count": 1, "attested": True,
        "results": [{"index": 0, "subject": "0x3e1f…", "score": 633, "grade": "B", "pd_bps": 412,
                     "reasons": ["duration_months", "savings"],
                     "reason_texts": ["loan duration is long", "little or no savings"],
                     "decision": "refer", "commitment": H32, "batch_root": ROOT}],
        "strategy_id": ROOT,
        "refused": [{"index": 1, "field": "applicants.1.inputs.duration_months",
                     "reason": "not a number: 'two years'"}],
    },
    sco.StrategyIn: {
        "strategy": {"format": "credence-strategy/1", "…": "from `credence score strategy`"},
        "uri": "https://northwind.example/strategy.json",
    },
    sco.StrategyRegistered: {"strategy_id": ROOT, "model_id": MODEL, "already_registered": False},
    ver.RecomputeRequest: {
        "disclosure": DISCLOSURE,
        "inputs": {"duration_months": 24, "purpose": "car", "savings": None},
    },
    ver.VerifyResponse: {
        "status": "valid", "valid": True,
        "reasons": ["issued by a registered attester, not revoked, not expired"],
        "chain_id": 31337, "registry": ADDR.lower(), "commitment": H32, "attester_id": 1,
        "batch_root": ROOT, "disclosed": {"score": "642"},
        "issued_at": 1764460800, "expires_at": 1795996800, "revoked_at": None,
        "revocation_reason": None, "recomputed_score": None,
    },
    ver.BatchVerifyRequest: {
        "disclosures": [DISCLOSURE],
    },
    ver.BatchVerifyResponse: {
        "count": 1,
        "results": [{
            "status": "valid", "valid": True,
            "reasons": ["issued by a registered attester, not revoked, not expired"],
            "chain_id": 31337, "registry": ADDR.lower(), "commitment": H32, "attester_id": 1,
            "batch_root": ROOT, "disclosed": {"score": "642"},
            "issued_at": 1764460800, "expires_at": 1795996800, "revoked_at": None,
            "revocation_reason": None, "recomputed_score": None, "field": None,
        }],
    },
    # investors
    inv.InvestorIn: {"name": "alice", "kyc_expiry": "2030-12-31", "jurisdiction": "GB"},
    inv.InvestorCreatedOut: {
        "name": "alice", "address": ADDR, "custodial": True, "api_key": "investor-…",
        "tx_hash": TX, "block_number": 118,
    },
    inv.InvestorOut: {
        "name": "alice", "address": ADDR, "listed": True, "kyc_expiry": 1924905600,
        "jurisdiction": "GB", "frozen": False, "freeze_reason": 0,
    },
    inv.FreezeIn: {"reason": 2},
    inv.ForcedTransferIn: {"pool": POOL, "tranche": "A", "to": "bob", "amount": 1000000, "reason_code": "court order 2026-114"},
    Attester: {
        "attester_id": 1, "key": ADDR, "name": "Northwind Credit Bureau",
        "metadata_uri": "https://northwind.example/attester.json", "suspended": False,
        "suspended_at": None, "suspension_reason": None, "registered_block": 3,
    },
    Model: {
        "model_id": MODEL, "model_index": 0, "attester_id": 1, "metadata_uri": "ipfs://bafy…",
        "auc_bps": 7812, "ks_bps": 4630, "gini_bps": 5624, "psi_bps": 90, "sample_size": 300,
        "registered_block": 5,
    },
}  # fmt: skip
