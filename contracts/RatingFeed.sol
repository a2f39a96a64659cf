// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAttestationRegistry} from "./IAttestationRegistry.sol";
import {IRatingFeed} from "./IRatingFeed.sol";

/// @title RatingFeed
/// @notice Tranche ratings a pool can read without trusting whoever posts them (see
/// IRatingFeed). The feed adds no authority of its own: it has no owner, a rating counts
/// only while the registry says the agency's attestation of its commitment is valid, and
/// the agency is named by each reader (a deal's rating trigger names its agency), so a
/// record attested by anyone else is never read as that agency's. A newer `issuedAt`
/// replaces the kept rating; superseding in the registry revokes the old record, so an old
/// rating cannot come back.
contract RatingFeed is IRatingFeed {
    /// @notice The registry the ratings are attested in.
    IAttestationRegistry public immutable registry;

    string private constant _FORMAT = "credence-rating/1";

    mapping(uint32 agency => mapping(address pool => mapping(uint8 tranche => Latest))) private _latest;

    /// @param registry_ the AttestationRegistry
    constructor(IAttestationRegistry registry_) {
        registry = registry_;
    }

    /// @inheritdoc IRatingFeed
    function post(uint32 agency, RatingRecord calldata record) external returns (bytes32 commitment) {
        commitment = commitmentOf(record);
        uint8 rank = rankOfGrade(record.grade);
        IAttestationRegistry.Status status = registry.statusOf(agency, commitment);
        if (status != IAttestationRegistry.Status.Valid) revert RatingNotValid(agency, commitment, status);
        Latest storage kept = _latest[agency][record.pool][record.tranche];
        if (record.issuedAt <= kept.issuedAt) revert RatingNotNewer(record.issuedAt, kept.issuedAt);
        _latest[agency][record.pool][record.tranche] = Latest(commitment, record.issuedAt, rank);
        emit RatingPosted(agency, record.pool, record.tranche, commitment, record.grade, rank, record.issuedAt);
    }

    /// @inheritdoc IRatingFeed
    function rankOf(uint32 agency, address pool, uint8 tranche) external view returns (bool valid, uint8 rank) {
        Latest memory kept = _latest[agency][pool][tranche];
        if (kept.commitment == bytes32(0)) return (false, 0);
        valid = registry.statusOf(agency, kept.commitment) == IAttestationRegistry.Status.Valid;
        rank = valid ? kept.rank : 0;
    }

    /// @inheritdoc IRatingFeed
    function latest(uint32 agency, address pool, uint8 tranche) external view returns (Latest memory) {
        return _latest[agency][pool][tranche];
    }

    /// @inheritdoc IRatingFeed
    function commitmentOf(RatingRecord calldata r) public pure returns (bytes32 commitment) {
        if (keccak256(bytes(r.format)) != keccak256(bytes(_FORMAT))) revert UnknownFormat(r.format);
        // abi.encode of one dynamic struct is an offset word, then the struct as a tuple:
        // the tuple alone is abi.encode of the fields in order, which records.py hashes.
        bytes memory encoded = abi.encode(r);
        assembly ("memory-safe") {
            commitment := keccak256(add(encoded, 64), sub(mload(encoded), 32))
        }
    }

    /// @inheritdoc IRatingFeed
    function rankOfGrade(string calldata grade) public pure returns (uint8) {
        bytes32 g = keccak256(bytes(grade));
        if (g == keccak256("AAA")) return 0;
        if (g == keccak256("AA")) return 1;
        if (g == keccak256("A")) return 2;
        if (g == keccak256("BBB")) return 3;
        if (g == keccak256("BB")) return 4;
        if (g == keccak256("B")) return 5;
        if (g == keccak256("CCC")) return 6;
        if (g == keccak256("CC")) return 7;
        if (g == keccak256("C")) return 8;
        if (g == keccak256("D")) return 9;
        revert UnknownGrade(grade);
    }
}
