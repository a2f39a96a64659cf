"""Templates, the navigation each role sees, and number formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import Caller, Role
from api.errors import ApiError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

AUDIT = frozenset({Role.auditor, Role.admin})
READ_RECORDS = AUDIT | {Role.verifier}
POOLS = frozenset({Role.structurer, Role.investor, Role.servicer, Role.auditor, Role.admin})

# (path, label, roles that see it)
NAV = (
    ("/console/records", "Records", READ_RECORDS),
    ("/console/verify", "Verify", READ_RECORDS),
    ("/console/models", "Models", READ_RECORDS),
    ("/console/reconcile", "Reconcile", AUDIT),
    ("/console/exports", "Exports", AUDIT),
    ("/console/pools", "Pools", POOLS),
)


class PageError(ApiError):
    """A console page's refusal (bad filter, unknown pool): shown as a page, not JSON."""


def units(value: int | None) -> str:
    """Token units with thousands separators (integers only; no float touches money)."""
    return "" if value is None else f"{int(value):,}"


def bps(value: int | None) -> str:
    """Basis points as a percentage (display only; integer arithmetic, two decimals)."""
    if value is None:
        return ""
    sign, v = ("-" if value < 0 else ""), abs(int(value))
    return f"{sign}{v // 100}.{v % 100:02d}%"


def utc(ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


templates.env.filters["units"] = units
templates.env.filters["bps"] = bps
templates.env.filters["datetime"] = utc


def render(
    request: Request, caller: Caller, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    nav = [(path, label) for path, label, roles in NAV if caller.role in roles]
    return templates.TemplateResponse(
        request,
        name,
        {"caller": caller, "nav": nav, **context},
        status_code=status_code,
    )
