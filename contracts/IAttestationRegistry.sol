// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAttestationRegistry
/// @notice Types, events, errors and functions of the Credence attestation registry: registered
/// attesters (scoring institutions) anchor hashed credit records, singly or as Merkle batches,
/// against registered scoring models, and may revoke them. No personal data is stored: a record
/// is known only by its attester and its commitment (a Merkle root over salted fields, computed
/// off chain). Records belong to their attester: (attester id, commitment or root) is the key,
/// so a copy anchored by another attester is a separate record that never affects the original.
interface IAttestationRegistry {
    /// @notice Status of a record, by precedence: Unknown, Revoked, Expired, AttesterSuspended, Valid.
    enum Status {
        Unknown,
        Valid,
        Revoked,
        Expired,
        AttesterSuspended
    }

    /// @notice A registered attester; one storage slot. `key` is its current signing key.
    struct Attester {
        address key;
        bool suspended;
        uint40 suspendedAt;
        uint40 registeredAt;
    }

    /// @notice Validation metrics of a scoring model, as claimed by the attester that registers it.
    struct ModelMetrics {
        uint16 aucBps;
        uint16 ksBps;
        uint16 giniBps;
        uint16 psiBps;
        uint32 sampleSize;
    }

    /// @notice A registered model. `index` (from 1) is what records store instead of the 32-byte id.
    struct Model {
        uint32 index;
        uint32 attesterId;
        uint40 registeredAt;
        ModelMetrics metrics;
    }

    /// @notice A single record (count = 0) or a batch root (count = number of leaves); one slot.
    struct Record {
        uint32 attesterId;
        uint32 modelIndex;
        uint40 issuedAt;
        uint40 expiresAt;
        uint40 revokedAt;
        uint16 revocationReason;
        uint32 count;
    }

    /// @notice Revocation of one record inside a batch; one slot.
    struct LeafRevocation {
        uint40 revokedAt;
        uint16 reason;
    }

    /// @notice An attester was registered under signing key `key` (name and URI are kept in events only).
    event AttesterRegistered(
        uint32 indexed attesterId, address indexed key, string name, string metadataURI, uint40 registeredAt
    );
    /// @notice An attester was suspended; its records report AttesterSuspended until reinstated.
    event AttesterSuspended(uint32 indexed attesterId, uint16 reason, uint40 suspendedAt);
    /// @notice A suspension was lifted.
    event AttesterReinstated(uint32 indexed attesterId, uint40 reinstatedAt);
    /// @notice An attester's signing key changed; `oldKey` is retired for good.
    event AttesterKeyRotated(uint32 indexed attesterId, address indexed oldKey, address indexed newKey);
    /// @notice A scoring model was registered (metadata URI kept in events only).
    event ModelRegistered(
        bytes32 indexed modelId,
        uint32 indexed modelIndex,
        uint32 indexed attesterId,
        string metadataURI,
        ModelMetrics metrics,
        uint40 registeredAt
    );
    /// @notice A single record commitment was anchored (directly or by signature).
    event Attested(
        bytes32 indexed commitment, uint32 indexed attesterId, bytes32 indexed modelId, uint40 issuedAt, uint40 expiresAt
    );
    /// @notice Emitted by attestBySig when it consumes the signer's nonce (so nonces can be rebuilt from events).
    event NonceConsumed(address indexed signer, uint256 nonce);
    /// @notice The Merkle root of `count` record commitments was anchored.
    event BatchAnchored(
        bytes32 indexed root,
        uint32 indexed attesterId,
        bytes32 indexed modelId,
        uint32 count,
        uint40 issuedAt,
        uint40 expiresAt
    );
    /// @notice A single record, or a whole batch (`key` is its root), was revoked.
    event Revoked(bytes32 indexed key, uint32 indexed attesterId, uint16 reason, uint40 revokedAt);
    /// @notice One record inside batch `root` was revoked.
    event BatchLeafRevoked(
        bytes32 indexed root, bytes32 indexed commitment, uint32 indexed attesterId, uint16 reason, uint40 revokedAt
    );

    /// @notice `field` must not be the zero address.
    error ZeroAddress(string field);
    /// @notice `field` must not be zero.
    error ZeroHash(string field);
    /// @notice `key` belongs, or belonged, to an attester; keys are never reused.
    error KeyAlreadyUsed(address key);
    /// @notice No attester has this id.
    error UnknownAttester(uint32 attesterId);
    /// @notice `account` is not the current key of any attester.
    error NotAttester(address account);
    /// @notice Only the registrar, or the attester's current key while active, may rotate it.
    error NotRegistrarOrKey(address account);
    /// @notice The attester is suspended: it cannot issue, register models, or be suspended again.
    error SuspendedAttester(uint32 attesterId);
    /// @notice Reinstating an attester that is not suspended.
    error AttesterNotSuspended(uint32 attesterId);
    /// @notice A model id can be registered once.
    error ModelAlreadyRegistered(bytes32 modelId);
    /// @notice Records must name a registered model.
    error UnknownModel(bytes32 modelId);
    /// @notice An attester can anchor a commitment or root once.
    error AlreadyAnchored(uint32 attesterId, bytes32 key);
    /// @notice `expiresAt` must be later than the current block's timestamp.
    error ExpiryNotInFuture(uint40 expiresAt);
    /// @notice A batch needs at least one leaf (`count` > 0).
    error EmptyBatch();
    /// @notice The signed attestation's `deadline` has passed.
    error SignatureExpired(uint256 deadline);
    /// @notice The signature is not `signer`'s (ECDSA or ERC-1271) over the digest with its current nonce.
    error InvalidSignature(address signer);
    /// @notice The attester anchored nothing under `key`.
    error UnknownRecord(uint32 attesterId, bytes32 key);
    /// @notice `root` is a single record, not a batch.
    error NotABatch(bytes32 root);
    /// @notice The record, batch or leaf is already revoked.
    error AlreadyRevoked(bytes32 key);
    /// @notice The proof does not show `commitment` is a leaf of `root`.
    error InvalidProof(bytes32 root, bytes32 commitment);

    // --- attesters (REGISTRAR_ROLE) ---

    /// @notice Registers an attester under its signing key and returns its id (from 1).
    /// @dev Only REGISTRAR_ROLE. A key can belong to at most one attester, ever.
    function registerAttester(address key, string calldata name, string calldata metadataURI)
        external
        returns (uint32 attesterId);

    /// @notice Suspends an attester: it cannot issue or register models, and all its records
    /// report AttesterSuspended until reinstated. It can still revoke.
    function suspendAttester(uint32 attesterId, uint16 reason) external;

    /// @notice Lifts a suspension; records issued before it report their own status again.
    function reinstateAttester(uint32 attesterId) external;

    /// @notice Replaces an attester's signing key; its id, and so its records, stay attributed to it.
    /// @dev Callable by REGISTRAR_ROLE, or by the current key while the attester is not suspended.
    function rotateAttesterKey(uint32 attesterId, address newKey) external;

    /// @notice The attester id whose current key is `key`, or 0.
    function attesterOf(address key) external view returns (uint32);

    /// @notice The attester with id `attesterId` (all zero if unknown).
    function getAttester(uint32 attesterId) external view returns (Attester memory);

    // --- models ---

    /// @notice Registers a scoring model by the keccak-256 of its artifact; caller is an active attester key.
    function registerModel(bytes32 modelId, string calldata metadataURI, ModelMetrics calldata metrics) external;

    /// @notice The model registered under `modelId` (all zero if unknown).
    function getModel(bytes32 modelId) external view returns (Model memory);

    // --- records ---

    /// @notice Anchors one record commitment; caller is an active attester key.
    function attest(bytes32 commitment, bytes32 modelId, uint40 expiresAt) external;

    /// @notice Anchors one record commitment signed (EIP-712) by an active attester key; anyone may relay it.
    function attestBySig(
        bytes32 commitment,
        bytes32 modelId,
        uint40 expiresAt,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Anchors the Merkle root of `count` record commitments; caller is an active attester key.
    function anchorBatch(bytes32 root, uint32 count, bytes32 modelId, uint40 expiresAt) external;

    /// @notice Revokes the caller's single record or whole batch under `key`.
    /// @dev The caller is an attester's current key (suspended or not); it only ever reaches its own
    /// attester's records, so a copy of the same commitment anchored by another attester is untouched.
    function revoke(bytes32 key, uint16 reason) external;

    /// @notice Revokes several of the caller's records or batches with one reason; all or nothing.
    function revokeMany(bytes32[] calldata keys, uint16 reason) external;

    /// @notice Revokes one record inside the caller's batch `root`, proven by a Merkle proof.
    function revokeBatchLeaf(bytes32 root, bytes32 commitment, bytes32[] calldata proof, uint16 reason) external;

    // --- views ---

    /// @notice The record or batch root `attesterId` anchored under `key` (all zero if none).
    function getRecord(uint32 attesterId, bytes32 key) external view returns (Record memory);

    /// @notice The revocation of `commitment` inside `attesterId`'s batch `root` (all zero if not revoked on its own).
    function getBatchLeafRevocation(uint32 attesterId, bytes32 root, bytes32 commitment)
        external
        view
        returns (LeafRevocation memory);

    /// @notice Status of `attesterId`'s single record `commitment`; Unknown if it anchored none
    /// (or `commitment` is one of its batch roots).
    function statusOf(uint32 attesterId, bytes32 commitment) external view returns (Status);

    /// @notice Status of `commitment` inside `attesterId`'s batch `root`; Unknown if that attester anchored no
    /// such batch or the proof is invalid.
    function statusOfBatchRecord(uint32 attesterId, bytes32 root, bytes32 commitment, bytes32[] calldata proof)
        external
        view
        returns (Status);

    /// @notice Whether `proof` shows `commitment` is a leaf of the batch `root` that `attesterId` anchored.
    function verifyBatchLeaf(uint32 attesterId, bytes32 root, bytes32 commitment, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice The next unused EIP-712 nonce of `signer`.
    function nonces(address signer) external view returns (uint256);

    /// @notice The EIP-712 digest an attester key signs for attestBySig.
    function attestDigest(bytes32 commitment, bytes32 modelId, uint40 expiresAt, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32);
}
