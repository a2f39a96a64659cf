"""Decode raw JSON-RPC logs into event arguments, with decoders built once from the ABI.

The indexer used web3's ``process_log`` for every event; it rebuilds the event's types,
names and normalisers on each call, which was about 40% of a backfill. Here each event
of a followed contract gets one ``EventDecoder`` when the contract is followed:

- an event whose inputs are all static elementary types (``uintN``, ``intN``, ``bool``,
  ``address``, ``bytesN``: every registry event that is numerous) is decoded by slicing
  the 64-hex-digit words of its topics and data straight into JSON values;
- any other event (strings, arrays, structs) goes through web3's ``process_log``, once
  per event as before (they are few: registrations, pool creation).

Both give exactly ``jsonable(process_log(log)["args"])``: same values, same key order
(indexed arguments first, as web3 orders them); tests hold the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from eth_utils import to_checksum_address
from hexbytes import HexBytes

Args = dict[str, Any]
_STATIC = re.compile(r"(uint|int)(\d*)|bool|address|bytes([1-9]|[12]\d|3[012])")


def jsonable(value: Any) -> Any:
    """Decoded values as JSON: bytes as 0x-hex, sequences as lists, mappings as dicts."""
    if isinstance(value, bytes | bytearray | HexBytes):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=4096)
def checksum(hex40: str) -> str:
    """The checksummed form of a 40-hex-digit address (few distinct ones: cached)."""
    return to_checksum_address("0x" + hex40)


def _word_reader(abi_type: str) -> Callable[[str], Any] | None:
    """How to read one 64-hex-digit word of ``abi_type``; None if it is not static."""
    match = _STATIC.fullmatch(abi_type)
    if match is None:
        return None
    if abi_type == "bool":
        return lambda word: int(word, 16) != 0
    if abi_type == "address":
        return lambda word: checksum(word[24:].lower())
    if abi_type.startswith("bytes"):
        size = 2 * int(match.group(3))
        return lambda word: "0x" + word[:size].lower()
    if abi_type.startswith("uint"):
        return lambda word: int(word, 16)
    bits = int(match.group(2) or 256)

    def signed(word: str) -> int:
        value = int(word, 16) & ((1 << bits) - 1)
        return value - (1 << bits) if value >> (bits - 1) else value

    return signed


class EventDecoder:
    """Decodes one event's logs (topic0 already matched) into JSON-ready arguments."""

    def __init__(self, event: Any) -> None:
        """``event``: a web3 contract event class (``contract.events.Name``)."""
        self.event = event
        self.name: str = event.event_name
        inputs = event.abi["inputs"]
        indexed = [i for i in inputs if i.get("indexed")]
        data = [i for i in inputs if not i.get("indexed")]
        readers = [_word_reader(i["type"]) for i in indexed + data]
        self._fast = all(r is not None for r in readers)
        # (name, reader, where): where = topic index (1..3) or -(data word index + 1)
        self._plan = [
            (i["name"], r, k + 1 if k < len(indexed) else -(k - len(indexed) + 1))
            for k, (i, r) in enumerate(zip(indexed + data, readers, strict=True))
        ]

    def decode(self, log: Mapping[str, Any]) -> Args:
        """Arguments of a raw log (hex strings as JSON-RPC returns them)."""
        if not self._fast:
            return jsonable(dict(self.event.process_log(log)["args"]))
        topics, data = log["topics"], log["data"]
        args: Args = {}
        for name, reader, where in self._plan:
            if where > 0:
                word = topics[where][2:]
            else:
                start = 2 + 64 * (-where - 1)
                word = data[start : start + 64]
            args[name] = reader(word)  # type: ignore[misc]
        return args
