"""Verify a disclosed score record against the chain, as a lender would.

The lender is shown some fields of a record (values, salts and Merkle proofs) and, for a
batched record, the batch root and the record's proof in the batch. Verification
recomputes the commitment from what is shown, then asks the registry (the chain, not
the service's index) whether a registered attester issued it, unrevoked and unexpired,
and checks that the disclosed attester, model and expiry agree with what is on chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ledger.attest.records import Disclosure, DisclosureError, verify_disclosure
from ledger.attest.registry import Record, Registry, Status

EXPLANATIONS = {
    Status.Unknown: "no attestation with this commitment (or batch proof) exists on chain",
    Status.Valid: "issued by a registered attester, not revoked, not expired",
    Status.Revoked: "the attester revoked this record",
    Status.Expired: "the record has expired",
    Status.AttesterSuspended: "the issuing attester is suspended; do not rely on its records now",
}


@dataclass
class Verification:
    status: str
    valid: bool
    reasons: list[str]
    commitment: str | None = None
    disclosed: dict[str, str] = field(default_factory=dict)
    attester_id: int | None = None
    issued_at: int | None = None
    expires_at: int | None = None
    revoked_at: int | None = None
    revocation_reason: int | None = None
    recomputed_score: int | None = None

    def contradict(self, problems: list[str]) -> None:
        """Disclosed data disagrees with the chain or the model: not valid, say why."""
        if problems:
            self.status, self.valid, self.reasons = "mismatch", False, problems


def verify(
    registry: Registry,
    disclosure: Disclosure,
    batch_root: bytes | None = None,
    batch_proof: Sequence[bytes] = (),
) -> Verification:
    try:
        commitment = verify_disclosure(disclosure)
    except DisclosureError as exc:
        return Verification("invalid_disclosure", False, [str(exc)])
    shown = disclosure.shown()
    if batch_root is None:
        status = registry.status_of(commitment)
        record = registry.record(commitment)
    else:
        status = registry.status_of_batch_record(batch_root, commitment, list(batch_proof))
        record = registry.record(batch_root)
    result = Verification(
        status=status.name_snake,
        valid=status is Status.Valid,
        reasons=[EXPLANATIONS[status]],
        commitment="0x" + commitment.hex(),
        disclosed=shown,
    )
    if status is Status.Unknown:
        return result
    result.attester_id = record.attester_id
    result.issued_at = record.issued_at
    result.expires_at = record.expires_at
    leaf_revocation = (
        registry.leaf_revocation(batch_root, commitment) if batch_root is not None else None
    )
    result.revoked_at = record.revoked_at or (
        leaf_revocation.revoked_at if leaf_revocation else None
    )
    result.revocation_reason = (
        record.revocation_reason
        if record.revoked_at
        else (leaf_revocation.reason if leaf_revocation else None)
    )
    result.contradict(_mismatches(registry, shown, record))
    return result


def _mismatches(registry: Registry, shown: dict[str, str], record: Record) -> list[str]:
    """Disclosed fields that contradict the on-chain record."""
    problems = []
    if "attester" in shown and int(shown["attester"]) != record.attester_id:
        problems.append(f"attester: disclosed {shown['attester']}, on chain {record.attester_id}")
    if "expires_at" in shown and int(shown["expires_at"]) != record.expires_at:
        problems.append(
            f"expires_at: disclosed {shown['expires_at']}, on chain {record.expires_at}"
        )
    if "model_id" in shown:
        model = registry.model(bytes.fromhex(shown["model_id"][2:]))
        if model is None or model.index != record.model_index:
            problems.append(f"model_id: disclosed {shown['model_id']} is not the model on chain")
    return problems
