"""Period report files: what a servicer hands to ``credence pool report-period``.

YAML (or JSON) with ``period_end`` as a date, amounts in whole token units (exact decimals,
up to the token's decimals), the new tape's root and, optionally, its aggregates::

    period_end: 2026-02-01
    interest: 6164.25
    scheduled_principal: 15001.2
    ...
    pool_balance: 890404.548556
    tape_root: "0x…"
    stats: {count: 998, wa_rate_bps: 817, wa_score: 690, wa_remaining_term_months: 44}

``read_period_file`` turns it into the API's ``PeriodInput`` (smallest units);
``period_yaml`` writes one from a built period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from ledger.deals.service.inputs import PeriodInput
from ledger.deals.servicing import PeriodBuild
from ledger.deals.units import UnitsError, load_yaml, plain, to_units
from ledger.deals.waterfall import REPORT_AMOUNTS
from ledger.errors import FieldError


class PeriodFileError(FieldError):
    """The file is unreadable or a field is invalid; ``field`` names it."""


def read_period_file(text: str, decimals: int) -> PeriodInput:
    """A period report file's text, amounts in whole units of a ``decimals`` token."""
    try:
        data = load_yaml(text)
    except Exception as exc:  # yaml.YAMLError and a malformed number alike
        raise PeriodFileError("file", f"not valid YAML or JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PeriodFileError("file", "expected a mapping of report fields")
    body: dict[str, Any] = dict(data)
    for name in REPORT_AMOUNTS:
        if name in body:
            try:
                body[name] = to_units(name, body[name], decimals)
            except UnitsError as exc:
                raise PeriodFileError(exc.field, exc.reason) from None
    try:
        return PeriodInput.model_validate(body)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "file"
        raise PeriodFileError(field, error["msg"]) from None


def period_yaml(build: PeriodBuild, decimals: int) -> str:
    """A period report file for ``build``; amounts in whole units."""
    report, stats = build.report, build.stats
    end = datetime.fromtimestamp(report.period_end, UTC).date()
    lines = [
        f"# {build.loans} loans serviced: {build.defaulted_loans} defaulted, "
        f"{build.repaid_loans} repaid; amounts in whole token units",
        f"period_end: {end.isoformat()}",
        *(f"{name}: {plain(getattr(report, name), decimals)}" for name in REPORT_AMOUNTS),
        f'tape_root: "0x{report.tape_root.hex()}"',
        "stats:",
        f"  count: {stats.count}",
        f"  wa_rate_bps: {stats.wa_rate_bps}",
        f"  wa_score: {stats.wa_score}",
        f"  wa_remaining_term_months: {stats.wa_remaining_term_months}",
    ]
    return "\n".join(lines) + "\n"


def period_json(build: PeriodBuild) -> dict[str, Any]:
    """The same period as the API's request body (smallest units), with the counts."""
    report, stats = build.report, build.stats
    end: date = datetime.fromtimestamp(report.period_end, UTC).date()
    return {
        "period_end": end.isoformat(),
        **{name: getattr(report, name) for name in REPORT_AMOUNTS},
        "tape_root": "0x" + report.tape_root.hex(),
        "stats": {
            "count": stats.count,
            "wa_rate_bps": stats.wa_rate_bps,
            "wa_score": stats.wa_score,
            "wa_remaining_term_months": stats.wa_remaining_term_months,
        },
    }
