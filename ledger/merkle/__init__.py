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

from ledger.merkle.hashing import (
    MerkleError,
    bytes32_leaf,
    hash_pair,
    keccak,
    leaf_of_encoded,
    standard_leaf,
)
from ledger.merkle.proofs import process_multiproof, process_proof, verify, verify_multiproof
from ledger.merkle.tree import FORMAT, MerkleTree, Multiproof, merkle_root

__all__ = [
    "FORMAT",
    "MerkleError",
    "MerkleTree",
    "Multiproof",
    "bytes32_leaf",
    "hash_pair",
    "keccak",
    "leaf_of_encoded",
    "merkle_root",
    "process_multiproof",
    "process_proof",
    "standard_leaf",
    "verify",
    "verify_multiproof",
]
