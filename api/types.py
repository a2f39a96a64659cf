"""Shared field types for request schemas and path parameters.

Every integer is bounded by the type that stores it on chain and in the database
(``ledger.bounds``), so an out-of-range value is a 422 naming the field instead of an
overflow deep in web3 or the database driver. Body integers are strict: JSON ``true`` and
``1.5`` are not numbers here. Path parameters arrive as text, so they are parsed
leniently but bounded the same way.
"""

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, StrictInt, StrictStr, StringConstraints
from web3 import Web3

from ledger.bounds import (
    INT64_MAX,
    UINT16_MAX,
    UINT32_MAX,
    UINT40_MAX,
    UINT64_MAX,
    UINT128_MAX,
    UINT256_MAX,
    FiniteFloat,
    UInt16,
    UInt32,
    UInt40,
    UInt64,
    UInt128,
    UInt256,
)

__all__ = [
    "INT64_MAX",
    "UINT16_MAX",
    "UINT32_MAX",
    "UINT40_MAX",
    "UINT64_MAX",
    "UINT128_MAX",
    "UINT256_MAX",
    "Address",
    "AttesterIdPath",
    "Cell",
    "FiniteFloat",
    "Hex32",
    "PeriodPath",
    "UInt16",
    "UInt32",
    "UInt40",
    "UInt64",
    "UInt128",
    "UInt256",
]

Hex32 = Annotated[
    str,
    StringConstraints(pattern=r"^0x[0-9a-fA-F]{64}$", to_lower=True),
]
Address = Annotated[
    str,
    StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$"),
    AfterValidator(Web3.to_checksum_address),
]

# A model input cell: text, a finite number, or missing.
Cell = StrictStr | StrictInt | FiniteFloat | None

# Path parameters: text in the URL, bounded like the body fields.
AttesterIdPath = Annotated[
    int, Path(ge=1, le=UINT32_MAX, description="the attester's id (uint32 on chain)")
]
PeriodPath = Annotated[int, Path(ge=0, le=UINT32_MAX, description="the period number")]
