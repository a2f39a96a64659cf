// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAttestationRegistry} from "./IAttestationRegistry.sol";

/// @title IRatingFeed
/// @notice The current rating of a tranche, proven against the attestation registry: anyone
/// posts a rating record's fields (docs/ratings.md), the feed recomputes its commitment and
/// keeps it as the latest of (agency, pool, tranche) if that agency's attestation of it is
/// valid and it was issued after the one kept. A reader gets the grade's rank only while the
/// registry still says the kept record is valid (not revoked, not expired, agency not
/// suspended). Ranks are the documented scale: AAA 0, AA 1, A 2, BBB 3, BB 4, B 5, CCC 6,
/// CC 7, C 8, D 9.
interface IRatingFeed {
    /// @notice A rating record; field for field the JSON of `ledger/ratings/records.py`, in
    /// the order its commitment encodes them (`format` must be `credence-rating/1`).
    struct RatingRecord {
        string format;
        address pool;
        uint8 tranche;
        string trancheName;
        string grade;
        string outlook;
        string watch;
        bytes32 methodologyHash;
        bytes32 tapeRoot;
        bytes32 dealTermsHash;
        bytes32 poolDigest;
        uint32 period;
        uint64 issuedAt;
        uint64 expiresAt;
        bytes32 supersedes;
        uint16 lossProbabilityBps;
        uint16 expectedLossBps;
    }

    /// @notice The latest rating kept for (agency, pool, tranche); one slot.
    struct Latest {
        bytes32 commitment;
        uint64 issuedAt;
        uint8 rank;
    }

    /// @notice A rating record became the latest of (agency, pool, tranche).
    event RatingPosted(
        uint32 indexed agency,
        address indexed pool,
        uint8 indexed tranche,
        bytes32 commitment,
        string grade,
        uint8 rank,
        uint64 issuedAt
    );

    /// @notice `agency`'s attestation of `commitment` is not valid in the registry.
    error RatingNotValid(uint32 agency, bytes32 commitment, IAttestationRegistry.Status status);
    /// @notice A rating issued at `issuedAt` is not newer than the one kept (`latest`).
    error RatingNotNewer(uint64 issuedAt, uint64 latest);
    /// @notice `grade` is not on the documented scale.
    error UnknownGrade(string grade);
    /// @notice The record's `format` is not `credence-rating/1`.
    error UnknownFormat(string format);

    /// @notice Posts `record` as the latest rating of its (pool, tranche) by `agency`.
    /// @param agency the rating agency's attester id in the registry
    /// @param record the rating record's fields
    /// @return commitment the record's commitment
    function post(uint32 agency, RatingRecord calldata record) external returns (bytes32 commitment);

    /// @notice The rank of the current grade of `pool`'s `tranche` by `agency`; `valid` is false
    /// when none was posted or the kept one is no longer valid in the registry.
    /// @param agency the rating agency's attester id
    /// @param pool the pool
    /// @param tranche the tranche index
    /// @return valid whether a valid rating exists
    /// @return rank its grade's rank (0 = AAA) when valid
    function rankOf(uint32 agency, address pool, uint8 tranche) external view returns (bool valid, uint8 rank);

    /// @notice The rating kept for (agency, pool, tranche), valid or not (all zero if none).
    function latest(uint32 agency, address pool, uint8 tranche) external view returns (Latest memory);

    /// @notice The commitment of `record`, as `ledger/ratings/records.py` computes it.
    function commitmentOf(RatingRecord calldata record) external pure returns (bytes32);

    /// @notice The rank of `grade` on the scale (reverts with UnknownGrade if not on it).
    function rankOfGrade(string calldata grade) external pure returns (uint8);
}
