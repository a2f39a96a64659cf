"""Merkle trees byte-compatible with OpenZeppelin.

Matches ``StandardMerkleTree`` of the npm package @openzeppelin/merkle-tree 1.0.8 and
``MerkleProof.sol`` (``processProof``, ``multiProofVerify``). The tree is a complete
binary tree in one list of ``2n - 1`` nodes: the root at 0, the children of ``i`` at
``2i + 1`` and ``2i + 2``, and the ``n`` leaves at the end in reverse order (leaf ``k``
of the tree order at index ``2n - 2 - k``). Leaves are sorted by hash unless told not to
be, and every pair is hashed in sorted order, so proofs carry no left/right bits.

A standard leaf is ``keccak(keccak(abi.encode(values)))``; the double hash keeps a leaf
from ever being mistaken for an inner node.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

# safe-pysha3's C keccak: about 1.1 us a hash here against 10-12 us through eth_hash's
# pycryptodome backend, and Merkle work is nothing but hashes.
from sha3 import keccak_256 as _keccak_256

FORMAT = "standard-v1"


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

    native = [_from_json(t, v) for t, v in zip(types, values, strict=True)]
    try:
        encoded = abi_encode(list(types), native)
    except Exception as exc:  # eth_abi raises several unrelated types for bad input
        raise MerkleError(f"values: cannot ABI-encode as {list(types)}: {exc}") from None
    return leaf_of_encoded(encoded)


def leaf_of_encoded(encoded: bytes) -> bytes:
    """The standard leaf of values already ABI-encoded (for hand-encoded fast paths)."""
    return _keccak_256(_keccak_256(encoded).digest()).digest()


def merkle_root(leaf_hashes: Sequence[bytes], sort_leaves: bool = True) -> bytes:
    """The root of the tree over ``leaf_hashes``, without keeping the tree."""
    leaves = _checked(leaf_hashes)
    return _build_nodes(sorted(leaves) if sort_leaves else leaves)[0]


class Multiproof(NamedTuple):
    """A multiproof as OZ ``multiProofVerify(proof, proofFlags, root, leaves)`` takes it."""

    proof: list[bytes]
    proof_flags: list[bool]
    leaves: list[bytes]


class MerkleTree:
    """An OZ-layout Merkle tree over 32-byte leaf hashes; its nodes never change once built.

    ``index`` arguments count leaves in the order they were given (like the JS
    ``getProof(i)``); ``leaves`` lists them in tree order (sorted when ``sort_leaves``).
    """

    __slots__ = ("_lookup", "_nodes", "_positions", "leaf_encoding", "values")

    def __init__(
        self,
        nodes: list[bytes],
        positions: list[int],
        values: list[Any] | None = None,
        leaf_encoding: list[str] | None = None,
    ) -> None:
        self._nodes = nodes
        self._positions = positions  # input index -> node index
        self._lookup: dict[bytes, int] | None = None
        self.values = values
        self.leaf_encoding = leaf_encoding

    @classmethod
    def build(cls, leaf_hashes: Sequence[bytes], sort_leaves: bool = True) -> MerkleTree:
        """The tree over already-hashed leaves (as the JS ``SimpleMerkleTree`` would make)."""
        ordered, order = _ordered(_checked(leaf_hashes), sort_leaves)
        last = 2 * len(ordered) - 2
        positions = [0] * len(ordered)
        for k, i in enumerate(order):
            positions[i] = last - k
        return cls(_build_nodes(ordered), positions)

    @classmethod
    def of(
        cls, values: Sequence[Sequence[Any]], leaf_encoding: Sequence[str], sort_leaves: bool = True
    ) -> MerkleTree:
        """Like the JS ``StandardMerkleTree.of``: leaves are ``standard_leaf`` of each value."""
        encoding = list(leaf_encoding)
        tree = cls.build([standard_leaf(encoding, v) for v in values], sort_leaves)
        tree.values = [_to_json(encoding, v) for v in values]
        tree.leaf_encoding = encoding
        return tree

    @property
    def root(self) -> bytes:
        return self._nodes[0]

    @property
    def leaves(self) -> list[bytes]:
        """Leaf hashes in tree order."""
        return self._nodes[len(self._positions) - 1 :][::-1]

    def __len__(self) -> int:
        return len(self._positions)

    def packed(self) -> bytes:
        """Every node, root first, as one blob of 32-byte hashes (what a batch stores)."""
        return b"".join(self._nodes)

    @property
    def positions(self) -> list[int]:
        """The node index of each leaf, in the order the leaves were given to ``build``."""
        return list(self._positions)

    def proof_at(self, index: int) -> list[bytes]:
        """The proof for the ``index``-th leaf given to ``build``."""
        return self._proof(self._position(index))

    def proof(self, leaf_hash: bytes) -> list[bytes]:
        """The proof for a leaf given by its hash."""
        return self._proof(self._node_of(leaf_hash))

    def proofs(self) -> list[list[bytes]]:
        """Every leaf's proof, in the order the leaves were given."""
        return [self._proof(p) for p in self._positions]

    def proofs_json(self) -> list[str]:
        """``proofs()`` as JSON lists of 0x-hex nodes, as the service stores them. Each node
        is hex-encoded once (the upper nodes sit in thousands of proofs), and the text is
        joined directly: byte-identical to ``json.dumps(["0x" + p.hex() for p in proof])``."""
        hexed = ['"0x' + n.hex() + '"' for n in self._nodes]
        out = []
        for node in self._positions:
            path = []
            while node > 0:
                path.append(hexed[node + 1 if node & 1 else node - 1])
                node = (node - 1) >> 1
            out.append("[" + ", ".join(path) + "]")
        return out

    def multiproof(self, leaf_hashes: Iterable[bytes]) -> Multiproof:
        """One proof for several leaves (same proof, flags and leaf order as the JS library)."""
        return self._multiproof([self._node_of(h) for h in leaf_hashes])

    def multiproof_at(self, indices: Iterable[int]) -> Multiproof:
        """``multiproof`` for leaves given by their input index."""
        return self._multiproof([self._position(i) for i in indices])

    def _multiproof(self, nodes_to_prove: list[int]) -> Multiproof:
        indices = sorted(nodes_to_prove, reverse=True)
        if len(set(indices)) != len(indices):
            raise MerkleError("leaf_hashes: cannot prove the same leaf twice")
        nodes = self._nodes
        queue = deque(indices)
        proof: list[bytes] = []
        flags: list[bool] = []
        while queue and queue[0] > 0:
            j = queue.popleft()
            sibling = j + 1 if j & 1 else j - 1
            if queue and queue[0] == sibling:
                flags.append(True)
                queue.popleft()
            else:
                flags.append(False)
                proof.append(nodes[sibling])
            queue.append((j - 1) >> 1)
        if not indices:
            proof.append(nodes[0])
        return Multiproof(proof, flags, [nodes[i] for i in indices])

    def render(self) -> str:
        """The tree as indented text, exactly as the JS ``render()`` draws it."""
        nodes = self._nodes
        lines: list[str] = []
        stack: list[tuple[int, list[int]]] = [(0, [])]
        while stack:
            i, path = stack.pop()
            indent = "".join(("   ", "│  ")[p] for p in path[:-1])
            branch = ("└─ ", "├─ ")[path[-1]] if path else ""
            lines.append(f"{indent}{branch}{i}) 0x{nodes[i].hex()}")
            if 2 * i + 2 < len(nodes):
                stack.append((2 * i + 2, [*path, 0]))
                stack.append((2 * i + 1, [*path, 1]))
        return "\n".join(lines)

    def dump(self) -> dict[str, Any]:
        """The JS ``tree.dump()`` ("standard-v1"); only for trees made with ``of``."""
        if self.values is None or self.leaf_encoding is None:
            raise MerkleError("dump: only trees made from values and an encoding (of) can dump")
        return {
            "format": FORMAT,
            "leafEncoding": self.leaf_encoding,
            "tree": ["0x" + n.hex() for n in self._nodes],
            "values": [
                {"value": v, "treeIndex": p}
                for v, p in zip(self.values, self._positions, strict=True)
            ],
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> MerkleTree:
        """Read a "standard-v1" dump (ours or the JS library's) and check every node."""
        if data.get("format") != FORMAT:
            raise MerkleError(f"format: expected {FORMAT!r}, got {data.get('format')!r}")
        encoding = data.get("leafEncoding")
        if not isinstance(encoding, list) or not encoding:
            raise MerkleError("leafEncoding: expected a non-empty list of ABI types")
        nodes = [_hex32(f"tree[{i}]", n) for i, n in enumerate(data.get("tree") or [])]
        entries = data.get("values") or []
        if not nodes or len(nodes) != 2 * len(entries) - 1:
            raise MerkleError(f"tree: {len(nodes)} nodes do not fit {len(entries)} values")
        values = [e["value"] for e in entries]
        positions = [e["treeIndex"] for e in entries]
        if sorted(positions) != list(range(len(entries) - 1, len(nodes))):
            raise MerkleError("values: treeIndex must name each leaf slot exactly once")
        for i, (value, pos) in enumerate(zip(values, positions, strict=True)):
            if standard_leaf(encoding, value) != nodes[pos]:
                raise MerkleError(f"values[{i}]: does not hash to tree[{pos}]")
        if _build_nodes(nodes[len(entries) - 1 :][::-1]) != nodes:
            raise MerkleError("tree: an inner node is not the hash of its children")
        return cls(nodes, positions, values, encoding)

    def _proof(self, node: int) -> list[bytes]:
        nodes = self._nodes
        proof = []
        while node > 0:
            proof.append(nodes[node + 1 if node & 1 else node - 1])  # left children are odd
            node = (node - 1) >> 1
        return proof

    def _position(self, index: int) -> int:
        if not 0 <= index < len(self._positions):
            raise MerkleError(f"index: {index} is out of range 0..{len(self._positions) - 1}")
        return self._positions[index]

    def _node_of(self, leaf_hash: bytes) -> int:
        if self._lookup is None:  # built on first use: batch trees may only need proofs()
            nodes = self._nodes
            self._lookup = {nodes[p]: p for p in self._positions}
        node = self._lookup.get(leaf_hash)
        if node is None:
            raise MerkleError(f"leaf_hash: 0x{bytes(leaf_hash).hex()} is not in the tree")
        return node


def process_proof(leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """OZ ``processProof``: the root that ``proof`` leads to from ``leaf_hash``."""
    node = leaf_hash
    for sibling in proof:
        node = _keccak_256(node + sibling if node < sibling else sibling + node).digest()
    return node


def verify(root: bytes, leaf_hash: bytes, proof: Sequence[bytes]) -> bool:
    """OZ ``MerkleProof.verify``."""
    if not _all32([root, leaf_hash, *proof]):
        return False
    return process_proof(leaf_hash, proof) == root


def process_multiproof(
    proof: Sequence[bytes], proof_flags: Sequence[bool], leaves: Sequence[bytes]
) -> bytes:
    """OZ ``processMultiProof``; raises ``MerkleError`` where the contract would revert."""
    if len(leaves) + len(proof) != len(proof_flags) + 1:
        raise MerkleError("proof: leaves + proof must be one more than proof_flags")
    if not proof_flags:
        return leaves[0] if leaves else proof[0]
    queue = deque(leaves)
    siblings = iter(proof)
    node = b""
    for flag in proof_flags:
        if not queue or (flag and len(queue) < 2):
            raise MerkleError("proof_flags: ask for more nodes than the proof provides")
        a = queue.popleft()
        b = queue.popleft() if flag else next(siblings, None)
        if b is None:
            raise MerkleError("proof: too short for proof_flags")
        node = _keccak_256(a + b if a < b else b + a).digest()
        queue.append(node)
    if next(siblings, None) is not None:
        raise MerkleError("proof: has nodes that proof_flags never use")
    return node


def verify_multiproof(
    root: bytes, proof: Sequence[bytes], proof_flags: Sequence[bool], leaves: Sequence[bytes]
) -> bool:
    """OZ ``multiProofVerify``; ``verify_multiproof(root, *tree.multiproof(hashes))`` works."""
    if not _all32([root, *proof, *leaves]):
        return False
    try:
        return process_multiproof(proof, proof_flags, leaves) == root
    except MerkleError:
        return False


# -- building ------------------------------------------------------------------------


def _checked(leaf_hashes: Sequence[bytes]) -> list[bytes]:
    leaves = list(leaf_hashes)
    if not leaves:
        raise MerkleError("leaf_hashes: expected at least one leaf")
    if not _all32(leaves):
        bad = next(i for i, h in enumerate(leaves) if not _all32([h]))
        raise MerkleError(f"leaf_hashes[{bad}]: expected 32 bytes")
    return leaves


def _all32(items: Iterable[Any]) -> bool:
    return all(type(x) is bytes and len(x) == 32 for x in items)


def _ordered(leaves: list[bytes], sort_leaves: bool) -> tuple[list[bytes], list[int]]:
    """Leaves in tree order and, for each, its input index (a stable sort, as in JS)."""
    if not sort_leaves:
        return leaves, list(range(len(leaves)))
    order = sorted(range(len(leaves)), key=leaves.__getitem__)
    return [leaves[i] for i in order], order


def _build_nodes(ordered: list[bytes]) -> list[bytes]:
    """All ``2n - 1`` nodes. A plain loop: fastest for the small per-record trees that
    dominate, and within 10% of level-wise list comprehensions at 10,000 leaves."""
    n = len(ordered)
    nodes = [b""] * (n - 1) + ordered[::-1]
    for i in range(n - 2, -1, -1):
        a = nodes[2 * i + 1]
        b = nodes[2 * i + 2]
        nodes[i] = _keccak_256(a + b if a < b else b + a).digest()
    return nodes


# -- JSON values (the forms the JS library takes and dumps) ---------------------------


def _from_json(abi_type: str, value: Any) -> Any:
    """A JSON-form value as eth_abi wants it: 0x-hex -> bytes, decimal string -> int."""
    if abi_type.endswith("]"):
        inner = abi_type[: abi_type.rindex("[")]
        return [_from_json(inner, v) for v in value]
    if abi_type.startswith("bytes") and isinstance(value, str):
        return _hex_bytes(abi_type, value)
    if abi_type.startswith(("uint", "int")) and isinstance(value, str):
        try:
            return int(value, 16) if value.lower().startswith("0x") else int(value)
        except ValueError:
            raise MerkleError(f"{abi_type}: {value!r} is not an integer") from None
    return value


def _to_json(types: Sequence[str], values: Sequence[Any]) -> list[Any]:
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


def _hex32(field: str, value: Any) -> bytes:
    raw = _hex_bytes(field, value) if isinstance(value, str) else b""
    if len(raw) != 32:
        raise MerkleError(f"{field}: expected a 0x-hex 32-byte node")
    return raw
