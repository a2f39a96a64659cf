"""Verify many disclosures at once: each verdict exactly as ``verify`` gives it alone.

``verify`` stays the one rule. What changes is how the chain is read: the views every
disclosure will need are fetched up front in JSON-RPC batches (a record or batch root is
read once however many disclosures name it; chain id and registry code once per call),
and ``verify`` then runs against that cache. A read the prefetch did not foresee (or
that failed) falls through to the node, so the verdicts cannot differ from the single path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ledger.attest.disclosure import Disclosure, DisclosureError, read_disclosure
from ledger.attest.verify import (
    GET_LEAF_REVOCATION,
    GET_MODEL,
    GET_RECORD,
    INVALID,
    STATUS_OF,
    STATUS_OF_BATCH_RECORD,
    ChainReader,
    Verification,
    _word,
    verify,
)

RPC_BATCH = 500  # eth_calls per JSON-RPC batch request


class CachedReader:
    """A ``ChainReader`` that answers from reads fetched in bulk, else from ``inner``."""

    def __init__(self, inner: ChainReader, provider: Any | None = None) -> None:
        self.inner = inner
        self.provider = provider  # a web3 provider with make_batch_request, if any
        self._chain_id: int | None = None
        self._code: dict[str, bytes] = {}
        self._calls: dict[tuple[str, bytes], bytes] = {}

    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = self.inner.chain_id()
        return self._chain_id

    def code(self, address: str) -> bytes:
        if address not in self._code:
            self._code[address] = self.inner.code(address)
        return self._code[address]

    def call(self, address: str, data: bytes) -> bytes:
        key = (address, data)
        if key not in self._calls:
            self._calls[key] = self.inner.call(address, data)
        return self._calls[key]

    def prefetch(self, calls: Iterable[tuple[str, bytes]]) -> None:
        """Fetch ``(address, calldata)`` views in JSON-RPC batches (duplicates read once)."""
        wanted = [c for c in dict.fromkeys(calls) if c not in self._calls]
        if self.provider is None:
            return
        for start in range(0, len(wanted), RPC_BATCH):
            chunk = wanted[start : start + RPC_BATCH]
            requests = [
                ("eth_call", [{"to": address, "data": "0x" + data.hex()}, "latest"])
                for address, data in chunk
            ]
            replies = self.provider.make_batch_request(requests)
            if not isinstance(replies, list):
                return  # the node refused the batch: every read falls through to ``inner``
            for call, reply in zip(chunk, replies, strict=True):
                result = reply.get("result") if isinstance(reply, dict) else None
                if isinstance(result, str) and result.startswith("0x"):
                    self._calls[call] = bytes.fromhex(result[2:])


def _reads(d: Disclosure) -> list[tuple[str, bytes]]:
    """The registry views ``verify`` makes for ``d`` when the record exists."""
    attester = _word(d.attester)
    if d.batch is None:
        reads = [(STATUS_OF, attester + d.commitment), (GET_RECORD, attester + d.commitment)]
    else:
        proof = _word(4 * 32) + _word(len(d.batch.proof)) + b"".join(d.batch.proof)
        reads = [
            (STATUS_OF_BATCH_RECORD, attester + d.batch.root + d.commitment + proof),
            (GET_RECORD, attester + d.batch.root),
            (GET_LEAF_REVOCATION, attester + d.batch.root + d.commitment),
        ]
    model = d.shown().get("model_id")
    if model:
        reads.append((GET_MODEL, bytes.fromhex(model[2:])))
    return [(d.registry, selector + args) for selector, args in reads]


def verify_many(reader: CachedReader, documents: Sequence[Any]) -> list[Verification]:
    """One verdict per document, in order; an offline refusal is that document's verdict."""
    parsed: list[Disclosure | Verification] = []
    for data in documents:
        try:
            parsed.append(read_disclosure(data))
        except DisclosureError as exc:
            parsed.append(Verification(INVALID, False, [str(exc)], field=exc.field))
    reader.prefetch(c for d in parsed if isinstance(d, Disclosure) for c in _reads(d))
    return [verify(reader, d) if isinstance(d, Disclosure) else d for d in parsed]
