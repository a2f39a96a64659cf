"""OZ ``MerkleProof`` verification: a proof or multiproof against a root, no tree needed."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from sha3 import keccak_256 as _keccak_256

from ledger.merkle.hashing import MerkleError, all_bytes32


def process_proof(leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """OZ ``processProof``: the root that ``proof`` leads to from ``leaf_hash``."""
    node = leaf_hash
    for sibling in proof:
        node = _keccak_256(node + sibling if node < sibling else sibling + node).digest()
    return node


def verify(root: bytes, leaf_hash: bytes, proof: Sequence[bytes]) -> bool:
    """OZ ``MerkleProof.verify``."""
    if not all_bytes32([root, leaf_hash, *proof]):
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
    if not all_bytes32([root, *proof, *leaves]):
        return False
    try:
        return process_multiproof(proof, proof_flags, leaves) == root
    except MerkleError:
        return False
