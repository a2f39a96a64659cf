"""Score records committed as salted Merkle trees, for selective disclosure.

Each present field of a record is one leaf of an OpenZeppelin StandardMerkleTree with
leaf encoding ``["string", "string", "bytes32"]``: (field name, canonical value, salt),
the salt being 32 random bytes of its own. The record's commitment is that tree's root;
only the commitment goes on chain. A holder can show any subset of fields with their
salts and proofs; the verifier recomputes the commitment and learns nothing about the
rest, and nobody can test guesses against the chain without the salts. The exact
encoding is specified in docs/records.md; disclosures in ``ledger.attest.disclosure``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ledger.attest.fields import (
    BY_NAME,
    ENCODERS,
    FIELD_NAMES,
    FIELDS,
    HEX32,
    JSON_FORMS,
    MAX_REASONS,
    TO_JSON,
    VALUES,
    DisclosureError,
    RecordError,
    to_hex,
)

# ledger.attest.disclosure still imports it from here (other work is under way there).
from ledger.errors import FieldError
from ledger.merkle import leaf_of_encoded, merkle_root

try:  # built by the project's install (pyproject ext-modules); the Python path is the reference
    from ledger.attest._seal import commitments as _fast_commitments
    from ledger.attest._seal import salt_maps as _fast_salt_maps
except ImportError:  # pragma: no cover - a source tree that was never built
    _fast_commitments = _fast_salt_maps = None

SALT_BYTES = 32
_CHECKS = tuple((f.name, f.check, f.required) for f in FIELDS)  # ScoreRecord's, in order


def pseudonym(secret: bytes, subject_id: str) -> str:
    """The subject's keyed pseudonym: 0x-hex HMAC-SHA256 of the UTF-8 id under ``secret``.

    Without the institution's secret, a pseudonym cannot be linked to an id by trying ids.
    """
    return Pseudonyms(secret)(subject_id)


class Pseudonyms:
    """``pseudonym`` under one secret, its keyed HMAC state prepared once (issuing makes
    10,000 pseudonyms a request; keying HMAC was a third of each)."""

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes) or len(secret) < 16:
            raise RecordError("secret", "must be at least 16 bytes")
        self._keyed = hmac.new(secret, digestmod=hashlib.sha256)

    def __call__(self, subject_id: str) -> str:
        if not isinstance(subject_id, str) or not subject_id:
            raise RecordError("subject_id", "must be a non-empty string")
        mac = self._keyed.copy()
        mac.update(subject_id.encode())
        return "0x" + mac.hexdigest()


# -- records ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    """One scored subject. Values are checked and normalised on construction.

    ``model_id`` accepts 0x-hex and is kept as bytes; ``reasons`` is kept as a tuple in
    the order given (most important first). ``None`` leaves an optional field out.
    """

    subject: str
    score: int
    grade: str
    model_id: bytes
    issued_at: int
    expires_at: int
    attester: int
    pd_bps: int | None = None
    reasons: tuple[str, ...] | None = None
    # scoring-strategy fields (issue 10)
    strategy: bytes | None = None
    decision: str | None = None
    reason_texts: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name, check, required in _CHECKS:
            value = getattr(self, name)
            if value is None:
                if required:
                    raise RecordError(name, "is required")
                continue
            try:
                normal = check(value)
            except ValueError as exc:
                raise RecordError(name, str(exc)) from None
            if normal is not value:  # stored again only when the check changed it (hot path)
                object.__setattr__(self, name, normal)
        if self.expires_at <= self.issued_at:
            raise RecordError("expires_at", "must be after issued_at")

    def canonical(self) -> list[tuple[str, str]]:
        """(name, canonical text) of each present field, in schema order."""
        return [
            (name, encode(value))
            for name, encode in ENCODERS
            if (value := getattr(self, name)) is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types; absent optional fields are left out."""
        return {
            name: to_json(value)
            for (name, to_json), value in zip(TO_JSON, VALUES(self), strict=True)
            if value is not None
        }

    @classmethod
    def from_dict(cls, data: Any) -> ScoreRecord:
        if not isinstance(data, Mapping):
            raise RecordError("record", "must be a JSON object")
        for key in data:
            if key not in BY_NAME:
                raise RecordError(str(key), "is not a field of a score record")
        return cls(**{name: data.get(name) for name in FIELD_NAMES})


# -- sealing ---------------------------------------------------------------------------


def _word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _abi_parts(name: str) -> tuple[bytes, bytes]:
    """The fixed parts of abi.encode(name, value, salt): head offsets, and name's tail."""
    raw = name.encode()
    padded = raw + bytes(-len(raw) % 32)
    return _word(0x60) + _word(0x60 + 32 + len(padded)), _word(len(raw)) + padded


_ABI_PARTS = {name: _abi_parts(name) for name in FIELD_NAMES}
# length word and zero padding of a value's tail, precomputed up to the longest canonical value
_LENGTH_AND_PAD = tuple((_word(n), bytes(-n % 32)) for n in range(MAX_REASONS * 33))


def field_leaf(name: str, value: str, salt: bytes) -> bytes:
    """StandardMerkleTree leaf of ``[name, value, salt]`` as ``["string","string","bytes32"]``.

    Hand-encoded (the hot loop); equal to ``standard_leaf(LEAF_ENCODING, ...)``.
    """
    parts = _ABI_PARTS.get(name)
    if parts is None:
        raise DisclosureError(name, "is not a field of a score record")
    raw = value.encode()
    try:
        length, pad = _LENGTH_AND_PAD[len(raw)]
    except IndexError:
        length, pad = _word(len(raw)), bytes(-len(raw) % 32)
    return leaf_of_encoded(parts[0] + salt + parts[1] + length + raw + pad)


LEAF_ENCODING = ("string", "string", "bytes32")


@dataclass(frozen=True, slots=True)
class SealedRecord:
    """A record with the salt of each present field and the resulting commitment.

    This stays off chain with the attester (and is handed to the subject): the salts are
    what keep the commitment from being guessed.
    """

    record: ScoreRecord
    salts: Mapping[str, bytes]
    commitment: bytes
    # ``to_json``'s text when sealing wrote it already (compiled, equal: test_fast_seal)
    text: str | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": self.record.to_dict(),
            "salts": {name: to_hex(salt) for name, salt in self.salts.items()},
            "commitment": to_hex(self.commitment),
        }

    def to_json(self) -> str:
        if self.text is not None:
            return self.text
        return orjson.dumps(self.to_dict()).decode()

    @classmethod
    def from_dict(cls, data: Any) -> SealedRecord:
        """Read and check: the commitment must follow from the record and its salts."""
        if not isinstance(data, Mapping):
            raise RecordError("sealed", "must be a JSON object")
        record = ScoreRecord.from_dict(data.get("fields"))
        raw_salts = data.get("salts")
        if not isinstance(raw_salts, Mapping):
            raise RecordError("salts", "must be a JSON object of 0x-hex salts")
        salts = {name: _hex_field(RecordError, f"salts.{name}", v) for name, v in raw_salts.items()}
        sealed = seal(record, salts)
        if _hex_field(RecordError, "commitment", data.get("commitment")) != sealed.commitment:
            raise RecordError("commitment", "does not match the record and its salts")
        return sealed

    @classmethod
    def from_json(cls, text: str | bytes) -> SealedRecord:
        return cls.from_dict(_loads(RecordError, "sealed", text))


def _root(canonical: Iterable[tuple[str, str]], salts: Mapping[str, bytes]) -> bytes:
    return merkle_root([field_leaf(name, value, salts[name]) for name, value in canonical])


def seal(record: ScoreRecord, salts: Mapping[str, bytes] | None = None) -> SealedRecord:
    """Commit to ``record``; fresh random salts unless given (one per present field)."""
    canonical = record.canonical()
    if salts is None:
        entropy = os.urandom(SALT_BYTES * len(canonical))
        salts = {
            name: entropy[i * SALT_BYTES : (i + 1) * SALT_BYTES]
            for i, (name, _) in enumerate(canonical)
        }
    else:
        _check_salts(salts, [name for name, _ in canonical])
    return SealedRecord(record, dict(salts), _root(canonical, salts))


# (canonical texts, salts, JSON forms) -> (commitments, sealed JSON texts): see seal_many
Commit = Callable[[list[list[tuple[str, str]]], bytes, dict[str, str]], tuple[bytes, list[str]]]


def seal_many(
    records: Iterable[ScoreRecord], fast: bool = True, commit: Commit | None = None
) -> list[SealedRecord]:
    """``seal`` for many records at once: one system call for all salts (the service's hot
    loop). With ``fast`` and the compiled ``_seal`` module, every commitment is computed
    in C, each record's sealed JSON written in the same pass (by ``commit`` if given: it
    may spread the call over threads, the C code runs without the GIL); otherwise by the
    reference path, field by field (the two are equal)."""
    records = list(records)
    canonicals = []
    for i, record in enumerate(records):
        if type(record) is not ScoreRecord:
            raise RecordError(f"records[{i}]", "must be a ScoreRecord")
        canonicals.append(record.canonical())
    entropy = os.urandom(SALT_BYTES * sum(map(len, canonicals)))
    if fast and _fast_commitments is not None and _fast_salt_maps is not None:
        roots, texts = (commit or _fast_commitments)(canonicals, entropy, JSON_FORMS)
        salts = _fast_salt_maps(canonicals, entropy)
        return [
            SealedRecord(record, salts[i], roots[32 * i : 32 * i + 32], texts[i])
            for i, record in enumerate(records)
        ]
    sealed = []
    pos = 0
    for record, canonical in zip(records, canonicals, strict=True):
        salt_of = {}
        for name, _ in canonical:
            salt_of[name] = entropy[pos : pos + SALT_BYTES]
            pos += SALT_BYTES
        sealed.append(SealedRecord(record, salt_of, _root(canonical, salt_of)))
    return sealed


def commitment(sealed: SealedRecord) -> bytes:
    """Recompute the commitment from the record and salts (equals ``sealed.commitment``)."""
    return _root(sealed.record.canonical(), sealed.salts)


def _check_salts(salts: Mapping[str, bytes], present: list[str]) -> None:
    for name in present:
        salt = salts.get(name)
        if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
            raise RecordError(f"salts.{name}", f"must be {SALT_BYTES} bytes")
    for name in salts:
        if name not in present:
            raise RecordError(f"salts.{name}", "has no field in this record")


# -- JSON helpers ----------------------------------------------------------------------


def _loads(error: type[FieldError], what: str, text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError):
        raise error(what, "is not valid JSON") from None


def _hex_field(error: type[FieldError], field: str, value: Any) -> bytes:
    if not isinstance(value, str) or not HEX32.fullmatch(value.lower()):
        raise error(field, "must be 0x followed by 64 hex digits")
    return bytes.fromhex(value[2:])
