"""Read logs over JSON-RPC in as few ``eth_getLogs`` calls as the node allows.

The raw reply is used as it is (hex strings): web3's result formatters turned every log
into an ``AttributeDict`` of ``HexBytes``, a cost per event that the decoder does not
need. A node that refuses a range as too large (most cap the results of one call: geth,
Besu and hosted endpoints at some thousands of logs or blocks) gets the range halved
until it answers; any other error is raised, so an outage never looks like an empty range.
"""

from __future__ import annotations

import urllib.error
from typing import Any

from ledger.chain import rawrpc

# Phrases nodes use when a range holds too many logs or blocks (geth, Besu, Erigon,
# Alchemy, Infura, QuickNode, Ganache); matched in lowercase.
_TOO_MANY = (
    "too many",
    "more than",
    "limit exceeded",
    "exceeds",
    "range is too large",
    "block range",
    "response size",
    "query timeout",
    "max results",
)


class LogsError(RuntimeError):
    """The node answered ``eth_getLogs`` with an error that splitting cannot cure."""


def _too_many(error: Any) -> bool:
    return any(phrase in str(error).lower() for phrase in _TOO_MANY)


def get_logs(
    provider: Any,
    first: int,
    last: int,
    addresses: list[str],
    topics: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """Logs of ``addresses`` in blocks ``first..last`` (inclusive), ``blockNumber`` and
    ``logIndex`` as integers, other fields as the node sent them."""
    query: dict[str, Any] = {"fromBlock": hex(first), "toBlock": hex(last), "address": addresses}
    if topics is not None:
        query["topics"] = topics
    try:
        reply = rawrpc.post(provider, rawrpc.call("eth_getLogs", [query]))
    except urllib.error.HTTPError as exc:  # some nodes refuse a large range with an HTTP error
        error: Any = f"HTTP {exc.code}: {exc.read()[:500]!r}"
    except ValueError as exc:  # a provider that raises the node's error instead of returning it
        error = exc
    else:
        error = reply.get("error") if isinstance(reply, dict) else "no reply"
        if error is None:
            logs = reply["result"]
            for log in logs:
                log["blockNumber"] = int(log["blockNumber"], 16)
                log["logIndex"] = int(log["logIndex"], 16)
            return logs
    if first < last and _too_many(error):
        middle = (first + last) // 2
        return get_logs(provider, first, middle, addresses, topics) + get_logs(
            provider, middle + 1, last, addresses, topics
        )
    raise LogsError(f"eth_getLogs {first}..{last}: {error}")
