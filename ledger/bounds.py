"""Integer types bounded by what stores them (Solidity uintN on chain, BIGINT in SQL).

Strict: JSON ``true`` or ``1.5`` is not an integer here, and an out-of-range value is
refused by validation, naming the field, instead of overflowing in web3 or the database
driver. The API's schemas use these through ``api.types``; the deal inputs shared by the
API and the CLI use them directly.
"""

from typing import Annotated

from annotated_types import Ge, Le
from pydantic import Field, StrictInt

UINT16_MAX = 2**16 - 1
UINT32_MAX = 2**32 - 1
UINT40_MAX = 2**40 - 1
UINT64_MAX = 2**64 - 1
UINT128_MAX = 2**128 - 1
UINT256_MAX = 2**256 - 1
INT64_MAX = 2**63 - 1  # SQL BIGINT

UInt16 = Annotated[StrictInt, Ge(0), Le(UINT16_MAX)]
UInt32 = Annotated[StrictInt, Ge(0), Le(UINT32_MAX)]
UInt40 = Annotated[StrictInt, Ge(0), Le(UINT40_MAX)]  # unix seconds on chain
UInt64 = Annotated[StrictInt, Ge(0), Le(UINT64_MAX)]
UInt128 = Annotated[StrictInt, Ge(0), Le(UINT128_MAX)]  # token amounts
UInt256 = Annotated[StrictInt, Ge(0), Le(UINT256_MAX)]

# A finite JSON number: NaN and +-Infinity (which Python's JSON parser accepts) and
# booleans are refused.
FiniteFloat = Annotated[float, Field(strict=True, allow_inf_nan=False)]
