"""Keccak, the OZ pair hash and StandardMerkleTree leaves, and the JSON forms of leaf values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# safe-pysha3's C keccak: about 1.1 us a hash here against 10-12 us through eth_hash's
# pycryptodome backend, and Merkle work is nothing but hashes.
from sha3 import keccak_256 as _keccak_256


class MerkleError(ValueError):
    """A tree, leaf or proof is malformed (the message says which and why)."""


def keccak(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's hash, not NIST SHA3-256)."""
    return _keccak_256(data).digest()


def hash_pair(a: bytes, b: bytes) -> bytes:
    """OZ ``Hashes.commutativeKeccak256``: keccak of the two nodes in ascending order."""
    return _keccak_256(a + b if a < b else b + a).digest()


def bytes32_leaf(value: bytes) -> bytes:
    """The StandardMerkleTree leaf of one ``["bytes32"]`` value (its ABI encoding is itself)."""
    if len(value) != 32:
        raise MerkleError(f"value: a bytes32 leaf needs 32 bytes, got {len(value)}")
    return leaf_of_encoded(value)


def standard_leaf(types: Sequence[str], values: Sequence[Any]) -> bytes:
    """The StandardMerkleTree leaf of ``values`` ABI-encoded as ``types`` (general, slow path).

    Values may be Python values or their JSON forms as the JS library takes them
    (0x-hex strings for bytes, decimal strings for integers).
    """
    if len(types) != len(values):
        raise MerkleError(f"values: {len(values)} values for {len(types)} types")
    from eth_abi import encode as abi_encode  # slow to import; the hot paths never need it

    native = [from_json(t, v) for t, v in zip(types, values, strict=True)]
    try:
        encoded = abi_encode(list(types), native)
    except Exception as exc:  # eth_abi raises several unrelated types for bad input
        raise MerkleError(f"values: cannot ABI-encode as {list(types)}: {exc}") from None
    return leaf_of_encoded(encoded)


def leaf_of_encoded(encoded: bytes) -> bytes:
    """The standard leaf of values already ABI-encoded (for hand-encoded fast paths)."""
    return _keccak_256(_keccak_256(encoded).digest()).digest()


def all_bytes32(items: Iterable[Any]) -> bool:
    return all(type(x) is bytes and len(x) == 32 for x in items)


def from_json(abi_type: str, value: Any) -> Any:
    """A JSON-form value as eth_abi wants it: 0x-hex -> bytes, decimal string -> int."""
    if abi_type.endswith("]"):
        inner = abi_type[: abi_type.rindex("[")]
        return [from_json(inner, v) for v in value]
    if abi_type.startswith("bytes") and isinstance(value, str):
        return _hex_bytes(abi_type, value)
    if abi_type.startswith(("uint", "int")) and isinstance(value, str):
        try:
            return int(value, 16) if value.lower().startswith("0x") else int(value)
        except ValueError:
            raise MerkleError(f"{abi_type}: {value!r} is not an integer") from None
    return value


def to_json(types: Sequence[str], values: Sequence[Any]) -> list[Any]:
    return [_json_value(t, v) for t, v in zip(types, values, strict=True)]


def _json_value(abi_type: str, value: Any) -> Any:
    if abi_type.endswith("]"):
        inner = abi_type[: abi_type.rindex("[")]
        return [_json_value(inner, v) for v in value]
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # JSON numbers lose precision past 2**53; the JS library uses strings
    return value


def _hex_bytes(field: str, value: str) -> bytes:
    try:
        return bytes.fromhex(value[2:] if value[:2].lower() == "0x" else value)
    except ValueError:
        raise MerkleError(f"{field}: {value!r} is not hex") from None


def hex32(field: str, value: Any) -> bytes:
    raw = _hex_bytes(field, value) if isinstance(value, str) else b""
    if len(raw) != 32:
        raise MerkleError(f"{field}: expected a 0x-hex 32-byte node")
    return raw
