"""Who may read cover: prices, facilities and their periods are open to every deal role."""

from __future__ import annotations

from fastapi import Depends

from api.deps import Role, require

Reader = Depends(
    require(
        Role.auditor,
        Role.verifier,
        Role.structurer,
        Role.servicer,
        Role.investor,
        Role.guarantor,
        Role.insurer,
    )
)
