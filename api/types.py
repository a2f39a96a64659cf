"""Shared field types for request schemas."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from web3 import Web3

Hex32 = Annotated[
    str,
    StringConstraints(pattern=r"^0x[0-9a-fA-F]{64}$", to_lower=True),
]
Address = Annotated[
    str,
    StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$"),
    AfterValidator(Web3.to_checksum_address),
]
