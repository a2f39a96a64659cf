"""Verify a disclosure against the chain, as any lender would: no data directory, no writes.

The steps and verdicts are those of docs/disclosure.md: read the disclosure (every
offline rule, ``ledger.attest.disclosure``), check the node's chain id, check that the
code at the disclosed registry address is the Credence registry (keccak-256 of its
runtime code against the compiled artifact), then ask the registry for the status of
the record under (attester, commitment) or (attester, batch root, proof), and compare
the disclosed expiry and model with the record on chain.

The chain is read through plain JSON-RPC calls (``eth_chainId``, ``eth_getCode``,
``eth_call``), so the CLI verifies without importing web3 and the API can use its own
connection: both go through ``verify_document``.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache, lru_cache
from typing import Any, Protocol

from ledger.attest.disclosure import Disclosure, read_disclosure, read_disclosure_json
from ledger.attest.records import DisclosureError
from ledger.attest.status import Status
from ledger.merkle import keccak

REGISTRY_CONTRACT = "AttestationRegistry"
EXPLANATIONS = {
    Status.Unknown: "this attester anchored no such record (or the batch proof is wrong)",
    Status.Valid: "issued by a registered attester, not revoked, not expired",
    Status.Revoked: "the attester revoked this record",
    Status.Expired: "the record has expired",
    Status.AttesterSuspended: "the issuing attester is suspended; do not rely on its records now",
}
# Verdicts beyond the registry's statuses (docs/disclosure.md, "Verdicts").
INVALID, WRONG_CHAIN, NOT_REGISTRY, MISMATCH = (
    "invalid_disclosure",
    "wrong_chain",
    "not_registry",
    "mismatch",
)


class ChainReader(Protocol):
    def chain_id(self) -> int: ...
    def code(self, address: str) -> bytes: ...
    def call(self, address: str, data: bytes) -> bytes: ...


class ChainUnavailable(RuntimeError):
    """The node could not be reached or answered with an error."""


class RpcReader:
    """A minimal JSON-RPC client over HTTP (standard library only)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url, self.timeout = url, timeout

    def _rpc(self, method: str, params: list[Any]) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        request = urllib.request.Request(
            self.url, body.encode(), {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read())
        except (OSError, ValueError) as exc:
            raise ChainUnavailable(f"{self.url}: {exc}") from None
        if "error" in reply:
            raise ChainUnavailable(f"{self.url}: {method}: {reply['error']}")
        return reply["result"]

    def chain_id(self) -> int:
        return int(self._rpc("eth_chainId", []), 16)

    def code(self, address: str) -> bytes:
        return bytes.fromhex(self._rpc("eth_getCode", [address, "latest"])[2:])

    def call(self, address: str, data: bytes) -> bytes:
        reply = self._rpc("eth_call", [{"to": address, "data": "0x" + data.hex()}, "latest"])
        return bytes.fromhex(reply[2:])

    def block_hash(self, number: int) -> str | None:
        """The canonical block hash at ``number`` (None past the head)."""
        block = self._rpc("eth_getBlockByNumber", [hex(number), False])
        return block["hash"] if block else None


class Web3Reader:
    """The same reads through an existing web3 connection (the API's)."""

    def __init__(self, w3: Any) -> None:
        self.w3 = w3

    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def code(self, address: str) -> bytes:
        return bytes(self.w3.eth.get_code(self.w3.to_checksum_address(address)))

    def call(self, address: str, data: bytes) -> bytes:
        to = self.w3.to_checksum_address(address)
        return bytes(self.w3.eth.call({"to": to, "data": data}))

    def block_hash(self, number: int) -> str | None:
        from web3.exceptions import BlockNotFound

        try:
            return "0x" + bytes(self.w3.eth.get_block(number)["hash"]).hex()
        except BlockNotFound:
            return None


@dataclass
class Verification:
    status: str
    valid: bool
    reasons: list[str]
    field: str | None = None  # for invalid_disclosure: the field at fault
    chain_id: int | None = None
    registry: str | None = None
    commitment: str | None = None
    attester_id: int | None = None
    batch_root: str | None = None
    disclosed: dict[str, str] = dataclass_field(default_factory=dict)
    issued_at: int | None = None  # block time of anchoring (not the disclosed issued_at)
    expires_at: int | None = None
    revoked_at: int | None = None
    revocation_reason: int | None = None
    recomputed_score: int | None = None

    def contradict(self, problems: list[str]) -> None:
        """Disclosed data disagrees with the chain or the model: not valid, say why."""
        if problems:
            self.status, self.valid, self.reasons = MISMATCH, False, problems


@cache
def registry_code_hash() -> bytes:
    """keccak-256 of the registry's runtime code as compiled from ``contracts/``."""
    from ledger.chain.compiler import artifact

    return keccak(bytes.fromhex(artifact(REGISTRY_CONTRACT).deployed_bytecode[2:]))


@lru_cache(maxsize=8)
def _code_hash(code: bytes) -> bytes:
    """Hashing 20 kB of code per disclosure dominated batch verification; a reader that
    caches the code hands back the same bytes, so this is a lookup after the first."""
    return keccak(code)


def verify_document(
    chain: ChainReader, data: Any, read: Callable[[Any], Disclosure] = read_disclosure
) -> Verification:
    """Verify a parsed disclosure document; an offline refusal is the invalid verdict."""
    try:
        disclosure = read(data)
    except DisclosureError as exc:
        return Verification(INVALID, False, [str(exc)], field=exc.field)
    return verify(chain, disclosure)


def verify_text(chain: ChainReader, text: str | bytes) -> Verification:
    """``verify_document`` on a file's contents (text that is not JSON is refused)."""
    return verify_document(chain, text, read_disclosure_json)


def verify(chain: ChainReader, d: Disclosure) -> Verification:
    """Verify a disclosure already read by ``read_disclosure``."""
    shown = d.shown()
    result = Verification(
        status=Status.Unknown.name_snake,
        valid=False,
        reasons=[],
        chain_id=d.chain_id,
        registry=d.registry,
        commitment="0x" + d.commitment.hex(),
        attester_id=int(shown["attester"]),
        batch_root="0x" + d.batch.root.hex() if d.batch else None,
        disclosed=shown,
    )
    node_chain = chain.chain_id()
    if node_chain != d.chain_id:
        result.status = WRONG_CHAIN
        result.reasons = [f"chain_id: the disclosure names {d.chain_id}, the node is {node_chain}"]
        return result
    if _code_hash(chain.code(d.registry)) != registry_code_hash():
        result.status = NOT_REGISTRY
        result.reasons = [f"registry: the code at {d.registry} is not the Credence registry"]
        return result
    status, record = _status(chain, d)
    result.status, result.valid = status.name_snake, status is Status.Valid
    result.reasons = [EXPLANATIONS[status]]
    if status is Status.Unknown:
        return result
    _, model_index, result.issued_at, result.expires_at, revoked_at, reason, _ = record[:7]
    result.revoked_at, result.revocation_reason = revoked_at or None, reason if revoked_at else None
    # A revoked leaf makes the status revoked (docs/disclosure.md, step 5), so its
    # revocation is read only then: one view fewer for every other batched record.
    if d.batch is not None and status is Status.Revoked and not revoked_at:
        args = _word(d.attester) + d.batch.root + d.commitment
        leaf_revoked_at, leaf_reason = _call(chain, d.registry, GET_LEAF_REVOCATION, args)[:2]
        if leaf_revoked_at:
            result.revoked_at, result.revocation_reason = leaf_revoked_at, leaf_reason
    result.contradict(_mismatches(chain, d, shown, model_index, result.expires_at or 0))
    return result


def _status(chain: ChainReader, d: Disclosure) -> tuple[Status, list[int]]:
    attester = _word(d.attester)
    if d.batch is None:
        status = _call(chain, d.registry, STATUS_OF, attester + d.commitment)[0]
        key = d.commitment
    else:
        proof = _word(4 * 32) + _word(len(d.batch.proof)) + b"".join(d.batch.proof)
        args = attester + d.batch.root + d.commitment + proof
        status = _call(chain, d.registry, STATUS_OF_BATCH_RECORD, args)[0]
        key = d.batch.root
    return Status(status), _call(chain, d.registry, GET_RECORD, attester + key)


def _mismatches(
    chain: ChainReader, d: Disclosure, shown: dict[str, str], model_index: int, expires_at: int
) -> list[str]:
    """Disclosed fields that contradict the record on chain."""
    problems: list[str] = []
    if "expires_at" in shown and int(shown["expires_at"]) != expires_at:
        problems.append(f"expires_at: disclosed {shown['expires_at']}, on chain {expires_at}")
    if "model_id" in shown:
        index = _call(chain, d.registry, GET_MODEL, bytes.fromhex(shown["model_id"][2:]))[0]
        if index != model_index:
            problems.append(f"model_id: disclosed {shown['model_id']} is not the model on chain")
    return problems


# The registry's views take and return only static words (and one bytes32[] as the last
# argument), so the ABI is written out here: eth_abi would double the CLI's start-up time.
def _selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


STATUS_OF = _selector("statusOf(uint32,bytes32)")
STATUS_OF_BATCH_RECORD = _selector("statusOfBatchRecord(uint32,bytes32,bytes32,bytes32[])")
GET_RECORD = _selector("getRecord(uint32,bytes32)")
GET_LEAF_REVOCATION = _selector("getBatchLeafRevocation(uint32,bytes32,bytes32)")
GET_MODEL = _selector("getModel(bytes32)")


def _word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _call(chain: ChainReader, address: str, selector: bytes, args: bytes) -> list[int]:
    """The returned static words as integers (a struct is its fields' words in order)."""
    reply = chain.call(address, selector + args)
    if not reply or len(reply) % 32:
        raise ChainUnavailable(f"{address}: malformed reply to a registry view")
    return [int.from_bytes(reply[i : i + 32], "big") for i in range(0, len(reply), 32)]
