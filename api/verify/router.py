"""Verify a disclosed record against the chain (any role)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from api.deps import AnyRole, ServicesDep
from api.verify.schemas import VerifyRequest, VerifyResponse
from ledger.attest.records import Disclosure
from ledger.attest.verify import verify

router = APIRouter(prefix="/v1/verify", tags=["verify"])


@router.post("", response_model=VerifyResponse)
def verify_disclosure(body: VerifyRequest, svc: ServicesDep, _: AnyRole):
    """Check a disclosed record: registered attester, unrevoked, unexpired, unaltered."""
    disclosure = Disclosure.from_dict(body.model_dump(exclude={"batch"}))
    root = bytes.fromhex(body.batch.root[2:]) if body.batch else None
    proof = [bytes.fromhex(p[2:]) for p in body.batch.proof] if body.batch else []
    return asdict(verify(svc.registry, disclosure, root, proof))
