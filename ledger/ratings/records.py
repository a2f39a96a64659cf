"""Rating records: what a rating agency attests about one tranche, committed by its hash.

A rating record is public (no salts): its commitment is keccak-256 of the ABI encoding of
``RECORD_TYPES`` over the fields in ``RECORD_FIELDS`` order, prefixed by the format tag, so
anyone holding the JSON recomputes the commitment and asks the registry for its status. On
chain it is an ordinary attestation of the registry: the agency is a registered attester,
the methodology hash is the model id (the methodology is registered like a scorecard), and
the expiry is the record's. Superseding attests the new record (naming the old one in
``supersedes``) and revokes the old one with reason ``REASON_SUPERSEDED``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from ledger.errors import FieldError, checked_address

FORMAT = "credence-rating/1"
REASON_SUPERSEDED = 1_000  # revocation reason of a superseded rating; others are 1..999
OUTLOOKS = ("positive", "stable", "negative")
WATCHES = ("none", "positive", "negative", "developing")
ZERO32 = bytes(32)

RECORD_FIELDS = (
    "pool",
    "tranche",
    "tranche_name",
    "grade",
    "outlook",
    "watch",
    "methodology_hash",
    "tape_root",
    "deal_terms_hash",
    "pool_digest",
    "period",
    "issued_at",
    "expires_at",
    "supersedes",
    "loss_probability_bps",
    "expected_loss_bps",
)
RECORD_TYPES = (
    "address",
    "uint8",
    "string",
    "string",
    "string",
    "string",
    "bytes32",
    "bytes32",
    "bytes32",
    "bytes32",
    "uint32",
    "uint64",
    "uint64",
    "bytes32",
    "uint16",
    "uint16",
)
_HEX_FIELDS = ("methodology_hash", "tape_root", "deal_terms_hash", "pool_digest", "supersedes")


class RatingRecordError(FieldError):
    """A rating record field is invalid."""


@dataclass(frozen=True)
class RatingRecord:
    pool: str
    tranche: int
    tranche_name: str
    grade: str
    outlook: str
    watch: str
    methodology_hash: bytes
    tape_root: bytes
    deal_terms_hash: bytes
    pool_digest: bytes
    period: int
    issued_at: int
    expires_at: int
    supersedes: bytes
    loss_probability_bps: int
    expected_loss_bps: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool", checked_address("pool", self.pool, RatingRecordError))
        if self.outlook not in OUTLOOKS:
            raise RatingRecordError("outlook", f"must be one of {', '.join(OUTLOOKS)}")
        if self.watch not in WATCHES:
            raise RatingRecordError("watch", f"must be one of {', '.join(WATCHES)}")
        if not 0 <= self.tranche < 8:
            raise RatingRecordError("tranche", "must be 0 to 7")
        if not self.grade or len(self.grade) > 8:
            raise RatingRecordError("grade", "must be 1 to 8 characters")
        if self.expires_at <= self.issued_at:
            raise RatingRecordError("expires_at", "must be after issued_at")
        for name in _HEX_FIELDS:
            if len(getattr(self, name)) != 32:
                raise RatingRecordError(name, "must be 32 bytes")

    @property
    def commitment(self) -> bytes:
        values = [getattr(self, name) for name in RECORD_FIELDS]
        return keccak(encode(["string", *RECORD_TYPES], [FORMAT, *values]))

    @property
    def commitment_hex(self) -> str:
        return "0x" + self.commitment.hex()

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        for name in _HEX_FIELDS:
            body[name] = "0x" + body[name].hex()
        return {"format": FORMAT, **body}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RatingRecord:
        if data.get("format") != FORMAT:
            raise RatingRecordError("format", f"must be {FORMAT!r}")
        values = {}
        for name in RECORD_FIELDS:
            if name not in data:
                raise RatingRecordError(name, "missing")
            value = data[name]
            if name in _HEX_FIELDS:
                try:
                    value = bytes.fromhex(str(value).removeprefix("0x"))
                except ValueError:
                    raise RatingRecordError(name, "not hexadecimal") from None
            values[name] = value
        return cls(**values)


def hex32(text: str, field: str) -> bytes:
    raw = text.lower().removeprefix("0x")
    if len(raw) != 64:
        raise RatingRecordError(field, "must be 0x and 64 hex digits")
    try:
        return bytes.fromhex(raw)
    except ValueError:
        raise RatingRecordError(field, "not hexadecimal") from None
