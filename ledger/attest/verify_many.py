"""Verify many disclosures at once: each verdict exactly as ``verify`` gives it alone.

``verify`` stays the one rule. What changes is how the work is done:

- the offline checks of many documents run together (``read_disclosures``: one compiled
  call hashes every field proof), and any document that fails is read again alone, so
  its refusal is the single path's;
- the views every disclosure will need are fetched up front in JSON-RPC batches (a
  record or batch root is read once however many disclosures name it; chain id and
  registry code once per call), encoded and decoded with orjson (``ledger.chain.rawrpc``),
  and sent from a worker thread while the next documents are being read, so the node's
  time overlaps ours;
- ``verify`` then runs against that cache. A read the prefetch did not foresee (or that
  failed) falls through to the node, so the verdicts cannot differ from the single path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ledger.attest.disclosure import Disclosure, DisclosureError, read_disclosures
from ledger.attest.status import Status
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
from ledger.chain import rawrpc

RPC_BATCH = 500  # eth_calls per JSON-RPC batch request
READ_CHUNK = 1_000  # documents read offline before their chain reads are sent


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

    def cached(self, address: str, data: bytes) -> bytes | None:
        """A prefetched reply, if any (no node access)."""
        return self._calls.get((address, data))

    def prefetch(self, calls: Iterable[tuple[str, bytes]]) -> None:
        """Fetch ``(address, calldata)`` views in JSON-RPC batches (duplicates read once)."""
        wanted = [c for c in dict.fromkeys(calls) if c not in self._calls]
        if self.provider is None:
            return
        for start in range(0, len(wanted), RPC_BATCH):
            chunk = wanted[start : start + RPC_BATCH]
            replies = self._batch(chunk)
            if replies is None:
                return  # the node refused the batch: every read falls through to ``inner``
            for call, reply in zip(chunk, replies, strict=True):
                result = reply.get("result") if isinstance(reply, dict) else None
                if isinstance(result, str) and result.startswith("0x"):
                    self._calls[call] = bytes.fromhex(result[2:])

    def _batch(self, chunk: list[tuple[str, bytes]]) -> list[Any] | None:
        """The replies to ``eth_call`` of each view, in order; None if the node refused."""
        payload = [
            rawrpc.call("eth_call", [{"to": address, "data": "0x" + data.hex()}, "latest"], i)
            for i, (address, data) in enumerate(chunk)
        ]
        try:
            replies = rawrpc.post(self.provider, payload)
        except (OSError, ValueError):
            return None
        if not isinstance(replies, list):
            return None
        by_id = {r.get("id"): r for r in replies if isinstance(r, dict)}  # any order
        return [by_id.get(i) for i in range(len(chunk))]


def _status_call(d: Disclosure) -> bytes:
    """Calldata of the status view ``verify`` reads first for ``d``."""
    attester = _word(d.attester)
    if d.batch is None:
        return STATUS_OF + attester + d.commitment
    proof = _word(4 * 32) + _word(len(d.batch.proof)) + b"".join(d.batch.proof)
    return STATUS_OF_BATCH_RECORD + attester + d.batch.root + d.commitment + proof


def _reads(d: Disclosure) -> list[tuple[str, bytes]]:
    """The registry views ``verify`` makes for ``d`` when the record exists (a batched
    record's leaf revocation only if it is revoked: see ``_leaf_reads``)."""
    key = d.commitment if d.batch is None else d.batch.root
    reads = [_status_call(d), GET_RECORD + _word(d.attester) + key]
    model = d.value_of("model_id")
    if model:
        reads.append(GET_MODEL + bytes.fromhex(model[2:]))
    return [(d.registry, data) for data in reads]


def _leaf_reads(reader: CachedReader, d: Disclosure) -> list[tuple[str, bytes]]:
    """The leaf revocation ``verify`` reads for a batched record found revoked (the
    status read came first, so this is the rare second round)."""
    if d.batch is None:
        return []
    reply = reader.cached(d.registry, _status_call(d))
    if reply is None or int.from_bytes(reply[:32], "big") != Status.Revoked:
        return []
    return [(d.registry, GET_LEAF_REVOCATION + _word(d.attester) + d.batch.root + d.commitment)]


def verify_many(reader: CachedReader, documents: Sequence[Any]) -> list[Verification]:
    """One verdict per document, in order; an offline refusal is that document's verdict."""
    parsed: list[Disclosure | DisclosureError] = []
    fetches: list[Future[None]] = []
    with ThreadPoolExecutor(1, thread_name_prefix="verify-prefetch") as pool:
        for start in range(0, len(documents), READ_CHUNK):
            chunk = read_disclosures(documents[start : start + READ_CHUNK])
            parsed += chunk
            reads = [c for d in chunk if isinstance(d, Disclosure) for c in _reads(d)]
            fetches.append(pool.submit(reader.prefetch, reads))
        for fetch in fetches:
            fetch.result()
    reader.prefetch(c for d in parsed if isinstance(d, Disclosure) for c in _leaf_reads(reader, d))
    return [
        verify(reader, d)
        if isinstance(d, Disclosure)
        else Verification(INVALID, False, [str(d)], field=d.field)
        for d in parsed
    ]
