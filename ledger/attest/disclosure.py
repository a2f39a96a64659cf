"""The disclosure format (version 1) and the record file a subject holds.

Both are specified in docs/disclosure.md (schema: docs/disclosure.schema.json). This
module is the one implementation of that spec's offline rules, used by the CLI and the
API alike: strict reading (no extra keys, canonical lowercase hex, known version), the
refusals (no field, a field shown twice, no attester), and the proof of every shown
field against the commitment. What the chain says is ``ledger.attest.verify``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from ledger.attest.fields import parse_value
from ledger.attest.records import (
    FIELDS,
    DisclosureError,
    RecordError,
    SealedRecord,
    field_leaf,
)
from ledger.merkle import MerkleTree, bytes32_leaf, process_proof

try:  # built by the install; the Python paths below give the same results
    from ledger.attest._seal import field_roots as _field_roots
    from ledger.attest._seal import hex32s as _hex32s
except ImportError:  # pragma: no cover
    _field_roots = _hex32s = None

VERSION = 1
REQUIRED_FIELD = "attester"  # whose record it is: the key under which the chain holds it
MAX_FIELD_PROOF = 8  # a record has at most 12 fields, so a field proof has at most 4 nodes
MAX_BATCH_PROOF = 32  # a batch holds at most 2**32 - 1 leaves
CHAIN_ID_MAX = 2**53 - 1  # exact in every JSON reader (JavaScript numbers included)

_HEX32 = re.compile(r"0x[0-9a-f]{64}")
_ADDRESS = re.compile(r"0x[0-9a-f]{40}")
_TOP_KEYS = ("version", "chain_id", "registry", "commitment", "fields", "batch")
_FIELD_KEYS = ("name", "value", "salt", "proof")
_BATCH_KEYS = ("root", "proof")


@dataclass(frozen=True, slots=True)
class DisclosedField:
    """One shown field: its canonical text, its salt and its proof to the commitment."""

    name: str
    value: str
    salt: bytes
    proof: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Batch:
    """Where a batched record sits: the anchored root and the commitment's proof under it."""

    root: bytes
    proof: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Disclosure:
    """Some fields of one record, where it is anchored, and the proofs; nothing else."""

    chain_id: int
    registry: str  # lowercase 0x-hex address
    commitment: bytes
    fields: tuple[DisclosedField, ...]
    batch: Batch | None = None

    def shown(self) -> dict[str, str]:
        """The shown fields' canonical texts by name."""
        return {f.name: f.value for f in self.fields}

    @property
    def attester(self) -> int:
        return int(self.value_of(REQUIRED_FIELD) or "")

    def value_of(self, name: str) -> str | None:
        """The shown field's canonical text, None if hidden (no dictionary built)."""
        for f in self.fields:
            if f.name == name:
                return f.value
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": VERSION,
            "chain_id": self.chain_id,
            "registry": self.registry,
            "commitment": _hex(self.commitment),
            "fields": [
                {"name": f.name, "value": f.value, "salt": _hex(f.salt), "proof": _hexes(f.proof)}
                for f in self.fields
            ],
        }
        if self.batch is not None:
            out["batch"] = {"root": _hex(self.batch.root), "proof": _hexes(self.batch.proof)}
        return out

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode()


def read_disclosure(data: Any) -> Disclosure:
    """Read and check a disclosure (parsed JSON); raises ``DisclosureError`` naming the field.

    Checks every offline rule of docs/disclosure.md, including each field's proof.
    """
    return _read(data, None)


def read_disclosures(documents: Sequence[Any]) -> list[Disclosure | DisclosureError]:
    """``read_disclosure`` of each document (the error it raises, or the disclosure).

    The field proofs of all documents are checked in one compiled call. A document that
    fails any check is then read again alone, so its error is exactly the one
    ``read_disclosure`` raises first (the deferred proofs change no outcome, only the cost).
    """
    out: list[Disclosure | DisclosureError] = []
    pending: list[tuple[str, str, bytes, bytes]] = []
    owners: list[int] = []  # index of the document of each pending proof
    for i, data in enumerate(documents):
        try:
            before = len(pending)
            out.append(_read(data, pending))
            owners += [i] * (len(pending) - before)
        except DisclosureError:
            del pending[before:]
            out.append(_error_of(data))
    try:
        roots = (_field_roots or _python_field_roots)(pending)
    except ValueError:  # text the compiled call cannot encode: what the single read does
        roots = _python_field_roots(pending)
    for k, i in enumerate(owners):
        d = out[i]
        if isinstance(d, Disclosure) and roots[32 * k : 32 * k + 32] != d.commitment:
            out[i] = _error_of(documents[i])
    return out


def _error_of(data: Any) -> DisclosureError:
    try:
        read_disclosure(data)
    except DisclosureError as exc:
        return exc
    raise AssertionError("a deferred check failed where the single read passes")


def _python_field_roots(items: list[tuple[str, str, bytes, bytes]]) -> bytes:
    """The reference for ``_seal.field_roots``: each item's field leaf taken up its proof."""
    return b"".join(
        process_proof(field_leaf(name, value, salt), _nodes(proof))
        for name, value, salt, proof in items
    )


def _read(data: Any, pending: list[tuple[str, str, bytes, bytes]] | None) -> Disclosure:
    """With ``pending``, each field's proof is appended to it rather than checked here."""
    _object(data, "disclosure", _TOP_KEYS, required=_TOP_KEYS[:-1])
    if type(data["version"]) is not int or data["version"] != VERSION:
        raise DisclosureError("version", f"unknown version {data['version']!r} (expected 1)")
    chain_id = data["chain_id"]
    if type(chain_id) is not int or not 1 <= chain_id <= CHAIN_ID_MAX:
        raise DisclosureError("chain_id", f"must be an integer from 1 to {CHAIN_ID_MAX}")
    registry = data["registry"]
    if not isinstance(registry, str) or not _ADDRESS.fullmatch(registry):
        raise DisclosureError("registry", "must be 0x followed by 40 lowercase hex digits")
    commitment = _hex32("commitment", data["commitment"])
    shown = data["fields"]
    if not isinstance(shown, list) or not shown:
        raise DisclosureError("fields", "must be a non-empty list of shown fields")
    if len(shown) > len(FIELDS):
        raise DisclosureError("fields", f"a record has at most {len(FIELDS)} fields")
    fields = tuple(_read_field(i, item, commitment, pending) for i, item in enumerate(shown))
    names = [f.name for f in fields]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise DisclosureError(f"fields[{i}].name", f"{name!r} is shown twice")
    if REQUIRED_FIELD not in names:
        raise DisclosureError("fields", "must show the attester field (whose record this is)")
    batch = None
    if "batch" in data:
        raw = data["batch"]
        _object(raw, "batch", _BATCH_KEYS, required=_BATCH_KEYS)
        batch = Batch(
            _hex32("batch.root", raw["root"]), _proof("batch.proof", raw["proof"], MAX_BATCH_PROOF)
        )
    return Disclosure(chain_id, registry, commitment, fields, batch)


def read_disclosure_json(text: str | bytes) -> Disclosure:
    return read_disclosure(_loads(DisclosureError, "disclosure", text))


def _read_field(
    index: int, item: Any, commitment: bytes, pending: list[tuple[str, str, bytes, bytes]] | None
) -> DisclosedField:
    where = f"fields[{index}]"
    _object(item, where, _FIELD_KEYS, required=_FIELD_KEYS)
    name, value = item["name"], item["value"]
    if not isinstance(name, str):
        raise DisclosureError(f"{where}.name", "must be a string")
    try:
        parse_value(name, value)
    except DisclosureError as exc:
        raise DisclosureError(f"{where}.{exc.field}", exc.reason) from None
    salt = _hex32(f"{where}.salt", item["salt"])
    raw = _proof_bytes(f"{where}.proof", item["proof"], MAX_FIELD_PROOF)
    proof = _nodes(raw)
    if pending is not None:
        pending.append((name, value, salt, raw))
    elif process_proof(field_leaf(name, value, salt), proof) != commitment:
        raise DisclosureError(where, f"{name}: value, salt or proof does not match the commitment")
    return DisclosedField(name, value, salt, proof)


# -- the record file: what the subject holds ----------------------------------------


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A sealed record (every field and salt) with where it is anchored: the subject's copy.

    With it the subject makes disclosures of any fields without the institution.
    """

    chain_id: int
    registry: str
    sealed: SealedRecord
    batch: Batch | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"version": VERSION, "chain_id": self.chain_id}
        out["registry"] = self.registry
        out.update(self.sealed.to_dict())
        if self.batch is not None:
            out["batch"] = {"root": _hex(self.batch.root), "proof": _hexes(self.batch.proof)}
        return out

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode()

    @classmethod
    def from_dict(cls, data: Any) -> RecordFile:
        keys = ("version", "chain_id", "registry", "fields", "salts", "commitment", "batch")
        _object(data, "record file", keys, required=keys[:-1], error=RecordError)
        if data["version"] != VERSION or type(data["version"]) is not int:
            raise RecordError("version", f"unknown version {data['version']!r} (expected 1)")
        if type(data["chain_id"]) is not int or not 1 <= data["chain_id"] <= CHAIN_ID_MAX:
            raise RecordError("chain_id", f"must be an integer from 1 to {CHAIN_ID_MAX}")
        if not isinstance(data["registry"], str) or not _ADDRESS.fullmatch(data["registry"]):
            raise RecordError("registry", "must be 0x followed by 40 lowercase hex digits")
        sealed = SealedRecord.from_dict({k: data[k] for k in ("fields", "salts", "commitment")})
        batch = None
        if "batch" in data:
            raw = data["batch"]
            _object(raw, "batch", _BATCH_KEYS, required=_BATCH_KEYS, error=RecordError)
            try:
                root = _hex32("batch.root", raw["root"])
                batch = Batch(root, _proof("batch.proof", raw["proof"], MAX_BATCH_PROOF))
            except DisclosureError as exc:
                raise RecordError(exc.field, exc.reason) from None
            if process_proof(bytes32_leaf(sealed.commitment), batch.proof) != root:
                raise RecordError("batch.proof", "does not prove the commitment under batch.root")
        return cls(data["chain_id"], data["registry"], sealed, batch)

    @classmethod
    def from_json(cls, text: str | bytes) -> RecordFile:
        return cls.from_dict(_loads(RecordError, "record file", text))

    def disclose(self, fields: Iterable[str]) -> Disclosure:
        """Show ``fields`` (the attester is always shown), hiding the rest."""
        return disclose(self.sealed, fields, self.chain_id, self.registry, self.batch)


def disclose(
    sealed: SealedRecord,
    fields: Iterable[str],
    chain_id: int,
    registry: str,
    batch: Batch | None = None,
) -> Disclosure:
    """A disclosure of ``fields`` of ``sealed`` (plus the attester, which is always shown).

    Raises ``RecordError`` for a field the record does not have.
    """
    wanted = {fields} if isinstance(fields, str) else set(fields)
    if not wanted:
        raise RecordError("fields", "choose at least one field to show")
    canonical = sealed.record.canonical()
    present = [name for name, _ in canonical]
    for name in sorted(wanted):
        if name not in present:
            known = name in {f.name for f in FIELDS}
            reason = "is not present in this record" if known else "is not a field of a record"
            raise RecordError(name, reason)
    wanted.add(REQUIRED_FIELD)
    salts = sealed.salts
    tree = MerkleTree.build([field_leaf(name, value, salts[name]) for name, value in canonical])
    shown = tuple(
        DisclosedField(name, value, salts[name], tuple(tree.proof_at(i)))
        for i, (name, value) in enumerate(canonical)
        if name in wanted
    )
    return Disclosure(chain_id, registry.lower(), sealed.commitment, shown, batch)


# -- helpers ------------------------------------------------------------------------


def _object(
    data: Any,
    where: str,
    allowed: tuple[str, ...],
    *,
    required: tuple[str, ...],
    error: type[DisclosureError | RecordError] = DisclosureError,
) -> None:
    if not isinstance(data, Mapping):
        raise error(where, "must be a JSON object")
    prefix = "" if where in ("disclosure", "record file") else where + "."
    for key in data:
        if key not in allowed:
            raise error(f"{prefix}{key}", "is not a key of this object (extra keys are refused)")
    for key in required:
        if key not in data:
            raise error(f"{prefix}{key}", "is required")


def _hex32(field: str, value: Any) -> bytes:
    if _hex32s is not None and type(value) is str:
        raw = _hex32s([value])
        if raw is not None:
            return raw
    if not isinstance(value, str) or not _HEX32.fullmatch(value):
        raise DisclosureError(field, "must be 0x followed by 64 lowercase hex digits")
    return bytes.fromhex(value[2:])


def _proof(field: str, value: Any, limit: int) -> tuple[bytes, ...]:
    return _nodes(_proof_bytes(field, value, limit))


def _proof_bytes(field: str, value: Any, limit: int) -> bytes:
    """A proof's nodes concatenated (the compiled check where built); a bad list is walked
    node by node to name the bad node."""
    if not isinstance(value, list) or len(value) > limit:
        raise DisclosureError(field, f"must be a list of at most {limit} 0x-hex nodes")
    if _hex32s is not None:
        raw = _hex32s(value)
        if raw is not None:
            return raw
    return b"".join([_hex32(f"{field}[{i}]", node) for i, node in enumerate(value)])


def _nodes(raw: bytes) -> tuple[bytes, ...]:
    return tuple(map(raw.__getitem__, _SLICES[len(raw) // 32]))


_SLICES = [tuple(slice(32 * i, 32 * i + 32) for i in range(n)) for n in range(MAX_BATCH_PROOF + 1)]


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _hexes(values: Iterable[bytes]) -> list[str]:
    return [_hex(v) for v in values]


def _loads(error: type[DisclosureError | RecordError], what: str, text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError):
        raise error(what, "is not valid JSON") from None
