// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IAttestationRegistry} from "./IAttestationRegistry.sol";

/// @title AttestationRegistry
/// @notice Anchors hashed credit records issued by registered attesters, singly or as Merkle
/// batches, with revocation, expiry and attester suspension.
/// @dev Suspension semantics: a suspended attester cannot issue records or register models but
/// can still revoke (revocation only reduces trust). While it is suspended every record it ever
/// issued reports AttesterSuspended, so a lender does not rely on them during an investigation;
/// after reinstatement those records report their own status again. Key rotation keeps the
/// attester id, so existing records are unaffected.
/// Ownership: records, batch roots and leaf revocations are keyed by (attester id, commitment
/// or root). The same commitment anchored by another attester is another record: it can never
/// change the status of the original, and every status view names the attester it asks about.
/// Revocation always acts on the caller's own records.
/// EIP-712 and the ERC-1271 check are written out here (same digest and same checks as
/// OpenZeppelin's EIP712 and SignatureChecker) because in OpenZeppelin 5.7 those import code
/// using `mcopy`, which does not compile for the project's Shanghai target (kept for Ganache 7).
/// The contract has no immutables, so its runtime code is identical at every deployment and a
/// verifier identifies it by the hash of that code (docs/disclosure.md).
/// Hot paths read at most three slots (key => attester id, attester, model) and write one, so
/// attesters are kept in plain mappings rather than AccessControl roles.
contract AttestationRegistry is IAttestationRegistry, IERC5267, AccessControl, Nonces {
    /// @notice Role that registers, suspends, reinstates and rotates attesters.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice EIP-712 type hash of the struct an attester key signs for attestBySig.
    bytes32 public constant ATTEST_TYPEHASH =
        keccak256("Attest(bytes32 commitment,bytes32 modelId,uint40 expiresAt,uint256 nonce,uint256 deadline)");

    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    string private constant _NAME = "Credence AttestationRegistry";
    string private constant _VERSION = "1";

    /// @dev Per signing key: its attester, and whether it was rotated away (keys are never reused).
    struct KeyInfo {
        uint32 attesterId;
        bool retired;
    }

    uint32 private _attesterCount;
    uint32 private _modelCount;
    mapping(address key => KeyInfo) private _keys;
    mapping(uint32 attesterId => Attester) private _attesters;
    mapping(bytes32 modelId => Model) private _models;
    mapping(uint32 attesterId => mapping(bytes32 key => Record)) private _records;
    mapping(uint32 attesterId => mapping(bytes32 root => mapping(bytes32 commitment => LeafRevocation)))
        private _leafRevocations;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress("admin");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    // --- attesters ---

    /// @inheritdoc IAttestationRegistry
    function registerAttester(address key, string calldata name, string calldata metadataURI)
        external
        onlyRole(REGISTRAR_ROLE)
        returns (uint32 attesterId)
    {
        _claimKey(key, "key");
        attesterId = ++_attesterCount;
        _keys[key].attesterId = attesterId;
        uint40 now_ = uint40(block.timestamp);
        _attesters[attesterId] = Attester({key: key, suspended: false, suspendedAt: 0, registeredAt: now_});
        emit AttesterRegistered(attesterId, key, name, metadataURI, now_);
    }

    /// @inheritdoc IAttestationRegistry
    function suspendAttester(uint32 attesterId, uint16 reason) external onlyRole(REGISTRAR_ROLE) {
        Attester storage a = _knownAttester(attesterId);
        if (a.suspended) revert SuspendedAttester(attesterId);
        uint40 now_ = uint40(block.timestamp);
        a.suspended = true;
        a.suspendedAt = now_;
        emit AttesterSuspended(attesterId, reason, now_);
    }

    /// @inheritdoc IAttestationRegistry
    function reinstateAttester(uint32 attesterId) external onlyRole(REGISTRAR_ROLE) {
        Attester storage a = _knownAttester(attesterId);
        if (!a.suspended) revert AttesterNotSuspended(attesterId);
        a.suspended = false;
        a.suspendedAt = 0;
        emit AttesterReinstated(attesterId, uint40(block.timestamp));
    }

    /// @inheritdoc IAttestationRegistry
    function rotateAttesterKey(uint32 attesterId, address newKey) external {
        Attester storage a = _knownAttester(attesterId);
        address oldKey = a.key;
        // A suspended attester's own key may be the compromised one, so only the registrar rotates then.
        bool selfRotation = msg.sender == oldKey && !a.suspended;
        if (!selfRotation && !hasRole(REGISTRAR_ROLE, msg.sender)) revert NotRegistrarOrKey(msg.sender);
        _claimKey(newKey, "newKey");
        _keys[oldKey].retired = true;
        _keys[newKey].attesterId = attesterId;
        a.key = newKey;
        emit AttesterKeyRotated(attesterId, oldKey, newKey);
    }

    /// @inheritdoc IAttestationRegistry
    function attesterOf(address key) public view returns (uint32) {
        KeyInfo memory info = _keys[key];
        return info.retired ? 0 : info.attesterId;
    }

    /// @inheritdoc IAttestationRegistry
    function getAttester(uint32 attesterId) external view returns (Attester memory) {
        return _attesters[attesterId];
    }

    // --- models ---

    /// @inheritdoc IAttestationRegistry
    function registerModel(bytes32 modelId, string calldata metadataURI, ModelMetrics calldata metrics) external {
        uint32 attesterId = _activeAttester(msg.sender);
        if (modelId == bytes32(0)) revert ZeroHash("modelId");
        if (_models[modelId].index != 0) revert ModelAlreadyRegistered(modelId);
        uint32 index = ++_modelCount;
        uint40 now_ = uint40(block.timestamp);
        _models[modelId] = Model({index: index, attesterId: attesterId, registeredAt: now_, metrics: metrics});
        emit ModelRegistered(modelId, index, attesterId, metadataURI, metrics, now_);
    }

    /// @inheritdoc IAttestationRegistry
    function getModel(bytes32 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    // --- records ---

    /// @inheritdoc IAttestationRegistry
    function attest(bytes32 commitment, bytes32 modelId, uint40 expiresAt) external {
        _anchor(_activeAttester(msg.sender), commitment, 0, modelId, expiresAt);
    }

    /// @inheritdoc IAttestationRegistry
    function attestBySig(
        bytes32 commitment,
        bytes32 modelId,
        uint40 expiresAt,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        uint32 attesterId = _activeAttester(signer);
        uint256 nonce = _useNonce(signer);
        bytes32 digest = attestDigest(commitment, modelId, expiresAt, nonce, deadline);
        if (!_isValidSignature(signer, digest, signature)) revert InvalidSignature(signer);
        emit NonceConsumed(signer, nonce);
        _anchor(attesterId, commitment, 0, modelId, expiresAt);
    }

    /// @inheritdoc IAttestationRegistry
    function anchorBatch(bytes32 root, uint32 count, bytes32 modelId, uint40 expiresAt) external {
        if (count == 0) revert EmptyBatch();
        _anchor(_activeAttester(msg.sender), root, count, modelId, expiresAt);
    }

    /// @inheritdoc IAttestationRegistry
    function revoke(bytes32 key, uint16 reason) external {
        _revoke(_issuer(), key, reason);
    }

    /// @inheritdoc IAttestationRegistry
    function revokeMany(bytes32[] calldata keys, uint16 reason) external {
        uint32 attesterId = _issuer();
        for (uint256 i; i < keys.length; ++i) {
            _revoke(attesterId, keys[i], reason);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function revokeBatchLeaf(bytes32 root, bytes32 commitment, bytes32[] calldata proof, uint16 reason) external {
        uint32 attesterId = _issuer();
        Record memory batch = _issuedRecord(attesterId, root);
        if (batch.count == 0) revert NotABatch(root);
        if (!MerkleProof.verifyCalldata(proof, root, _batchLeaf(commitment))) revert InvalidProof(root, commitment);
        LeafRevocation storage leaf = _leafRevocations[attesterId][root][commitment];
        if (batch.revokedAt != 0) revert AlreadyRevoked(root);
        if (leaf.revokedAt != 0) revert AlreadyRevoked(commitment);
        uint40 now_ = uint40(block.timestamp);
        leaf.revokedAt = now_;
        leaf.reason = reason;
        emit BatchLeafRevoked(root, commitment, attesterId, reason, now_);
    }

    // --- views ---

    /// @inheritdoc IAttestationRegistry
    function getRecord(uint32 attesterId, bytes32 key) external view returns (Record memory) {
        return _records[attesterId][key];
    }

    /// @inheritdoc IAttestationRegistry
    function getBatchLeafRevocation(uint32 attesterId, bytes32 root, bytes32 commitment)
        external
        view
        returns (LeafRevocation memory)
    {
        return _leafRevocations[attesterId][root][commitment];
    }

    /// @inheritdoc IAttestationRegistry
    function statusOf(uint32 attesterId, bytes32 commitment) external view returns (Status) {
        Record memory r = _records[attesterId][commitment];
        if (r.attesterId == 0 || r.count != 0) return Status.Unknown;
        return _status(r, 0);
    }

    /// @inheritdoc IAttestationRegistry
    function statusOfBatchRecord(uint32 attesterId, bytes32 root, bytes32 commitment, bytes32[] calldata proof)
        external
        view
        returns (Status)
    {
        Record memory batch = _records[attesterId][root];
        if (batch.count == 0 || !MerkleProof.verifyCalldata(proof, root, _batchLeaf(commitment))) {
            return Status.Unknown;
        }
        return _status(batch, _leafRevocations[attesterId][root][commitment].revokedAt);
    }

    /// @inheritdoc IAttestationRegistry
    function verifyBatchLeaf(uint32 attesterId, bytes32 root, bytes32 commitment, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return _records[attesterId][root].count != 0
            && MerkleProof.verifyCalldata(proof, root, _batchLeaf(commitment));
    }

    /// @inheritdoc IAttestationRegistry
    function nonces(address signer) public view override(IAttestationRegistry, Nonces) returns (uint256) {
        return super.nonces(signer);
    }

    /// @inheritdoc IAttestationRegistry
    function attestDigest(bytes32 commitment, bytes32 modelId, uint40 expiresAt, uint256 nonce, uint256 deadline)
        public
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(ATTEST_TYPEHASH, commitment, modelId, expiresAt, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
    }

    /// @notice ERC-5267: the EIP-712 domain (name, version, chain id, this contract).
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", _NAME, _VERSION, block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    // --- internals ---

    /// @dev Reverts unless `key` is non-zero and has never belonged to an attester.
    function _claimKey(address key, string memory field) private view {
        if (key == address(0)) revert ZeroAddress(field);
        if (_keys[key].attesterId != 0) revert KeyAlreadyUsed(key);
    }

    function _knownAttester(uint32 attesterId) private view returns (Attester storage a) {
        a = _attesters[attesterId];
        if (a.key == address(0)) revert UnknownAttester(attesterId);
    }

    /// @dev The attester whose current key is `key`; reverts if there is none or it is suspended.
    function _activeAttester(address key) private view returns (uint32 attesterId) {
        attesterId = attesterOf(key);
        if (attesterId == 0) revert NotAttester(key);
        if (_attesters[attesterId].suspended) revert SuspendedAttester(attesterId);
    }

    /// @dev Stores a single record (count = 0) or a batch root and emits its event.
    function _anchor(uint32 attesterId, bytes32 key, uint32 count, bytes32 modelId, uint40 expiresAt) private {
        if (key == bytes32(0)) revert ZeroHash(count == 0 ? "commitment" : "root");
        uint32 modelIndex = _models[modelId].index;
        if (modelIndex == 0) revert UnknownModel(modelId);
        uint40 now_ = uint40(block.timestamp);
        if (expiresAt <= now_) revert ExpiryNotInFuture(expiresAt);
        mapping(bytes32 => Record) storage own = _records[attesterId];
        if (own[key].attesterId != 0) revert AlreadyAnchored(attesterId, key);
        own[key] = Record({
            attesterId: attesterId,
            modelIndex: modelIndex,
            issuedAt: now_,
            expiresAt: expiresAt,
            revokedAt: 0,
            revocationReason: 0,
            count: count
        });
        if (count == 0) emit Attested(key, attesterId, modelId, now_, expiresAt);
        else emit BatchAnchored(key, attesterId, modelId, count, now_, expiresAt);
    }

    /// @dev The caller's attester id (suspended or not: revocation only reduces trust).
    function _issuer() private view returns (uint32 attesterId) {
        attesterId = attesterOf(msg.sender);
        if (attesterId == 0) revert NotAttester(msg.sender);
    }

    /// @dev The record `attesterId` anchored under `key`; reverts if it has none.
    function _issuedRecord(uint32 attesterId, bytes32 key) private view returns (Record memory r) {
        r = _records[attesterId][key];
        if (r.attesterId == 0) revert UnknownRecord(attesterId, key);
    }

    function _revoke(uint32 attesterId, bytes32 key, uint16 reason) private {
        Record memory r = _issuedRecord(attesterId, key);
        if (r.revokedAt != 0) revert AlreadyRevoked(key);
        uint40 now_ = uint40(block.timestamp);
        Record storage stored = _records[attesterId][key];
        stored.revokedAt = now_;
        stored.revocationReason = reason;
        emit Revoked(key, attesterId, reason, now_);
    }

    /// @dev Precedence after Unknown: Revoked, Expired, AttesterSuspended, Valid.
    function _status(Record memory r, uint40 leafRevokedAt) private view returns (Status) {
        if (r.revokedAt != 0 || leafRevokedAt != 0) return Status.Revoked;
        if (block.timestamp >= r.expiresAt) return Status.Expired;
        if (_attesters[r.attesterId].suspended) return Status.AttesterSuspended;
        return Status.Valid;
    }

    /// @dev Computed on each use rather than cached in immutables (see the header: no immutables).
    function _domainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(_DOMAIN_TYPEHASH, keccak256(bytes(_NAME)), keccak256(bytes(_VERSION)), block.chainid, address(this))
        );
    }

    /// @dev As OpenZeppelin's SignatureChecker: an ECDSA signature by `signer`, else ERC-1271 approval.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        if (signer.code.length == 0) return false;
        // Low-level call so a signer that reverts or returns garbage reads as "invalid", not as a revert.
        (bool ok, bytes memory ret) = signer.staticcall(abi.encodeCall(IERC1271.isValidSignature, (digest, signature)));
        return ok && ret.length >= 32 && abi.decode(ret, (bytes32)) == bytes32(IERC1271.isValidSignature.selector);
    }

    /// @dev StandardMerkleTree leaf of type ["bytes32"] (double hashed against second preimages).
    function _batchLeaf(bytes32 commitment) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(commitment))));
    }
}
