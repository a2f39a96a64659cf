"""The score-record schema: each field's check, canonical text and JSON form, in one table.

``FIELDS`` is the one place that says how a field is checked and written; ``ScoreRecord``
(``ledger.attest.records``) checks its values with it, and disclosures read fields back
through ``parse_value``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ledger.errors import FieldError

SCORE_MAX = 1000
PD_BPS_MAX = 10_000
UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1
MAX_REASONS = 16

HEX32 = re.compile(r"0x[0-9a-f]{64}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_GRADE = re.compile(r"[A-Za-z0-9+-]{1,16}")
_REASON = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class RecordError(FieldError):
    """A score record, its salts or its JSON is invalid."""


class DisclosureError(FieldError):
    """A disclosure is malformed or does not prove its fields against its commitment."""


# -- the schema: one place that says how each field is checked and written ------------


def _integer(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if type(value) is not int:
            raise ValueError("must be an integer")
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return value

    return check


def _decimal(text: str) -> int:
    if not _DECIMAL.fullmatch(text):
        raise ValueError("must be a decimal integer without sign or leading zeros")
    return int(text)


def _hex32_text(value: Any) -> str:
    if not isinstance(value, str) or not HEX32.fullmatch(value.lower()):
        raise ValueError("must be 0x followed by 64 hex digits")
    return value.lower()


def _bytes32(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(_hex32_text(value)[2:])
    if not isinstance(value, bytes) or len(value) != 32:
        raise ValueError("must be 32 bytes (or 0x followed by 64 hex digits)")
    return value


def _grade(value: Any) -> str:
    if not isinstance(value, str) or not _GRADE.fullmatch(value):
        raise ValueError("must be 1 to 16 letters, digits, '+' or '-'")
    return value


def _short_list(value: Any, what: str, items: str) -> Sequence[Any]:
    """A list (not a string) of at most ``MAX_REASONS`` ``items``."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"must be a list of {what}")
    if len(value) > MAX_REASONS:
        raise ValueError(f"must have at most {MAX_REASONS} {items}")
    return value


def _reasons(value: Any) -> tuple[str, ...]:
    for code in _short_list(value, "reason codes", "codes"):
        if not isinstance(code, str) or not _REASON.fullmatch(code):
            raise ValueError(f"code {code!r} must be 1 to 32 letters, digits, '_', '.' or '-'")
    return tuple(value)


# -- scoring-strategy fields (optional; added for issue 10) ----------------------------
# ``strategy``: keccak id of the cut-off strategy the decision follows (registered beside
# the model); ``decision``: what it decided; ``reason_texts``: the reasons in words, in
# the order of ``reasons``. Texts are joined by a line feed, so none may contain one.

DECISIONS = ("approve", "refer", "decline")
MAX_REASON_TEXT = 160
_TEXT_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")


def _decision(value: Any) -> str:
    if value not in DECISIONS:
        raise ValueError(f"must be one of {', '.join(DECISIONS)}")
    return value


def _reason_texts(value: Any) -> tuple[str, ...]:
    for text in _short_list(value, "texts", "texts"):
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_REASON_TEXT:
            raise ValueError(f"each text must be 1 to {MAX_REASON_TEXT} characters")
        if _TEXT_FORBIDDEN.search(text):
            raise ValueError("texts must not contain control characters or line breaks")
    return tuple(value)


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


# -- end of scoring-strategy fields ------------------------------------------------------


class _Field(NamedTuple):
    name: str
    check: Callable[[Any], Any]  # any accepted input -> the normal typed value, or ValueError
    encode: Callable[[Any], str]  # normal typed value -> canonical text (the leaf's value)
    decode: Callable[[str], Any]  # canonical text -> typed value (checked afterwards)
    to_json: Callable[[Any], Any]
    required: bool = True
    # to_json's value written from the canonical text (the compiled sealed JSON writes it
    # so, ledger/attest/_seal_json.c): "number" the text as it is, "string" the text
    # quoted, "list" and a separator: the text split at it, each item quoted.
    form: str = "string"


def to_hex(value: bytes) -> str:
    return "0x" + value.hex()


def _same(value: Any) -> Any:
    return value


def _split(text: str) -> list[str]:
    return text.split(",") if text else []


FIELDS: tuple[_Field, ...] = (
    _Field("subject", _hex32_text, _same, _same, _same),
    _Field("score", _integer(0, SCORE_MAX), str, _decimal, _same, form="number"),
    _Field("grade", _grade, _same, _same, _same),
    _Field("model_id", _bytes32, to_hex, _same, to_hex),
    _Field("issued_at", _integer(0, UINT64_MAX), str, _decimal, _same, form="number"),
    _Field("expires_at", _integer(0, UINT64_MAX), str, _decimal, _same, form="number"),
    _Field("attester", _integer(0, UINT32_MAX), str, _decimal, _same, form="number"),
    _Field("pd_bps", _integer(0, PD_BPS_MAX), str, _decimal, _same, False, "number"),
    _Field("reasons", _reasons, ",".join, _split, list, required=False, form="list,"),
    # scoring-strategy fields (issue 10)
    _Field("strategy", _bytes32, to_hex, _same, to_hex, required=False),
    _Field("decision", _decision, _same, _same, _same, required=False),
    _Field("reason_texts", _reason_texts, "\n".join, _lines, list, False, "list\n"),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
ENCODERS = tuple((f.name, f.encode) for f in FIELDS)
TO_JSON = tuple((f.name, f.to_json) for f in FIELDS)
VALUES = operator.attrgetter(*FIELD_NAMES)  # every field's value in one call
BY_NAME = {f.name: f for f in FIELDS}
JSON_FORMS = {f.name: f.form for f in FIELDS}


def parse_value(name: str, text: str) -> Any:
    """The typed value of a field from its canonical text; rejects any other spelling."""
    spec = BY_NAME.get(name)
    if spec is None:
        raise DisclosureError(name, "is not a field of a score record")
    if not isinstance(text, str):
        raise DisclosureError(name, "value must be a string")
    try:
        value = spec.check(spec.decode(text))
    except ValueError as exc:
        raise DisclosureError(name, str(exc)) from None
    if spec.encode(value) != text:
        raise DisclosureError(name, f"{text!r} is not in canonical form")
    return value
