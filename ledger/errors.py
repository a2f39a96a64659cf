"""Input errors that name the field at fault, and the checks shared by the clients."""

from __future__ import annotations

UINT256_MAX = 2**256 - 1


class FieldError(ValueError):
    """Bad input, naming the field at fault and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def checked_address(field: str, value: str, error: type[FieldError] = FieldError) -> str:
    """A checksummed, non-zero address, or ``error`` naming ``field``."""
    from web3 import Web3  # here, not at the top: verifying a disclosure must start fast

    if not isinstance(value, str) or not Web3.is_address(value):
        raise error(field, f"not an address: {value!r}")
    checksummed = Web3.to_checksum_address(value)
    if int(checksummed, 16) == 0:
        raise error(field, "must not be the zero address")
    return checksummed


def checked_uint(
    field: str,
    value: int,
    maximum: int = UINT256_MAX,
    minimum: int = 0,
    error: type[FieldError] = FieldError,
) -> int:
    """An integer (not a bool) within [minimum, maximum], or ``error`` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(field, f"must be an integer, got {value!r}")
    if not minimum <= value <= maximum:
        raise error(field, f"must be between {minimum} and {maximum}, got {value}")
    return value
