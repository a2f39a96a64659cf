"""Token amounts as people type them (whole units) and as the chain holds them (integers),
and unix times as people read them (dates).

Where a person types an amount (the deal spec, CLI arguments, period report files) it is
in whole token units, with up to the token's decimals (``1250.5`` USDC); the HTTP API, the
``--json`` output and the loan-tape CSVs carry the token's smallest unit as integers. YAML
numbers are read as exact decimals, never through a binary float.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from typing import Any

import yaml

from ledger.bounds import UINT128_MAX
from ledger.errors import FieldError


class UnitsError(FieldError):
    """An amount that is not a whole-unit number the token can hold exactly."""


def to_units(field: str, value: Any, decimals: int) -> int:
    """``value`` whole token units in the smallest unit; exact or ``UnitsError``."""
    if isinstance(value, bool):
        raise UnitsError(field, f"must be a number, got {value!r}")
    try:
        amount = Decimal(str(value).replace("_", ""))
    except InvalidOperation:
        raise UnitsError(field, f"must be a number, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise UnitsError(field, f"must be a number of at least 0, got {value!r}")
    # Bounded before scaling (1e400 overflowed the decimal context, or reached the ABI
    # encoder as an integer no token amount, uint128 in ledger.bounds, can be); scaled
    # exactly (the default context rounds to 28 digits; a rounding is an error here).
    too_much = UnitsError(field, f"more than a token amount can hold, got {value!r}")
    if amount > UINT128_MAX:
        raise too_much
    with localcontext() as ctx:
        ctx.prec, ctx.traps[Inexact] = 200, True
        try:
            units = amount.scaleb(decimals)
        except Inexact:
            units = Decimal("0.5")  # more digits than any token has: not integral below
    if units != units.to_integral_value():
        raise UnitsError(field, f"{value} has more decimals than the token's {decimals}")
    if units > UINT128_MAX:
        raise too_much
    return int(units)


def whole(units: int, decimals: int) -> str:
    """Smallest units as whole units with every decimal: 1234500000 -> '1,234.500000'."""
    return f"{Decimal(units).scaleb(-decimals):,.{decimals}f}"


def plain(units: int, decimals: int) -> str:
    """Smallest units as a whole-unit number a file can hold: 1234500000 -> '1234.5'."""
    text = f"{Decimal(units).scaleb(-decimals):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def day(timestamp: int) -> str:
    """A unix time as a date (UTC), with the time of day when it is not midnight."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def money(units: int, decimals: int) -> str:
    """Smallest units as whole units for a table: separators, at least two decimals and
    no trailing zeros beyond them (1234500000 at 6 decimals -> '1,234.50')."""
    text = whole(units, decimals)
    if "." not in text:
        return text
    head, tail = text.split(".")
    return f"{head}.{tail.rstrip('0').ljust(2, '0')}"


class _ExactLoader(yaml.SafeLoader):
    """Safe YAML whose floats are Decimals (``0.1`` stays exactly 0.1)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(text: str) -> Any:
    """YAML (or JSON) with exact decimal numbers."""
    return yaml.load(text, Loader=_ExactLoader)  # a SafeLoader: no arbitrary objects
