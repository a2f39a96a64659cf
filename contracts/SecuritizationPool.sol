// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IInvestorRegistry} from "./IInvestorRegistry.sol";
import {ITrancheToken} from "./ITrancheToken.sol";
import {PoolPeriods} from "./PoolPeriods.sol";
import {PoolSubscription} from "./PoolSubscription.sol";
import {Waterfall} from "./Waterfall.sol";

/// @title SecuritizationPool
/// @notice One deal: subscription in the settlement token, permissioned tranche tokens, and
/// the period waterfall (docs/waterfall.md) run on chain when the servicer pays the
/// collections in. Distributions are pulled by holders from the tranche tokens, so no
/// function here loops over holders or loans. Deployed as a clone by PoolFactory.
/// @dev This file sets the deal up and answers the views; the parts are PoolSubscription,
/// PoolPeriods and PoolCover, on the storage of PoolBase (docs/pool-contracts.md).
contract SecuritizationPool is PoolSubscription, PoolPeriods {
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the deal up once (the factory calls it in the clone's creation transaction).
    /// @param p terms, roles, parties and the opening loan tape
    /// @param tokens one tranche token per tranche, most senior first, minted only by this pool
    function initialize(InitParams calldata p, address[] calldata tokens) external initializer {
        _requireNonZero(p);
        Waterfall.validate(p.terms, p.rating);
        if (tokens.length != p.terms.tranches.length) revert Waterfall.InvalidTerms("tokens");
        if (p.tape.balance != p.terms.initialPoolBalance) {
            revert TapeBalanceMismatch(p.tape.balance, p.terms.initialPoolBalance);
        }
        _checkSizes(p.terms, p.initialReserve);
        _grantRole(DEFAULT_ADMIN_ROLE, p.admin);
        _grantRole(STRUCTURER_ROLE, p.structurer);
        _grantRole(SERVICER_ROLE, p.servicer);
        settlementToken = IERC20(p.settlementToken);
        registry = IInvestorRegistry(p.registry);
        originator = p.originator;
        servicerFeeRecipient = p.servicerFeeRecipient;
        trusteeFeeRecipient = p.trusteeFeeRecipient;
        closingTime = p.closingTime;
        initialReserve = p.initialReserve;
        _terms = p.terms;
        _tape = p.tape;
        ratingTrigger = p.rating;
        for (uint256 i; i < tokens.length; ++i) {
            _tokens.push(ITrancheToken(tokens[i]));
        }
        emit PoolInitialized(p, tokens);
    }

    // ---------------------------------------------------------------- views

    /// @notice Number of tranches (the last one is equity).
    /// @return count
    function trancheCount() external view returns (uint256) {
        return _tokens.length;
    }

    /// @notice Token of `tranche`.
    /// @param tranche tranche index (0 = most senior)
    /// @return the ERC-20 tranche token
    function trancheToken(uint256 tranche) external view returns (address) {
        return address(_token(tranche));
    }

    /// @notice Deal terms; after close, tranche sizes are the subscribed faces.
    /// @return terms
    function terms() external view returns (Waterfall.Terms memory) {
        return _terms;
    }

    /// @notice Waterfall state after the last period (empty vectors before close).
    /// @return deal state
    function dealState() external view returns (Waterfall.State memory) {
        return _deal;
    }

    /// @notice Current loan-tape commitment.
    /// @return tape root and aggregates
    function tape() external view returns (Tape memory) {
        return _tape;
    }

    /// @notice Whether `leaf` (a StandardMerkleTree leaf hash of a loan) is in the current tape.
    /// @param proof the loan's Merkle proof
    /// @param leaf the loan's leaf hash
    /// @return true when the proof leads to the stored root
    function isLoanInTape(bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        return MerkleProof.verifyCalldata(proof, _tape.root, leaf);
    }

    // ---------------------------------------------------------------- set-up checks

    /// @dev Create-time guard rails: every tranche has a size, the sizes add up to the pool,
    /// and a fully subscribed close can fund the initial reserve.
    function _checkSizes(Waterfall.Terms calldata t, uint256 reserve) internal pure {
        uint256 total = 0;
        for (uint256 i; i < t.tranches.length; ++i) {
            if (t.tranches[i].size == 0) revert EmptyTranche(i);
            total += t.tranches[i].size;
        }
        if (total != t.initialPoolBalance) revert TranchesNotPool(total, t.initialPoolBalance);
        if (reserve > total) revert ReserveExceedsProceeds(reserve, total);
    }

    function _requireNonZero(InitParams calldata p) internal pure {
        if (p.admin == address(0)) revert ZeroAddress("admin");
        if (p.structurer == address(0)) revert ZeroAddress("structurer");
        if (p.servicer == address(0)) revert ZeroAddress("servicer");
        if (p.originator == address(0)) revert ZeroAddress("originator");
        if (p.servicerFeeRecipient == address(0)) revert ZeroAddress("servicerFeeRecipient");
        if (p.trusteeFeeRecipient == address(0)) revert ZeroAddress("trusteeFeeRecipient");
        if (p.settlementToken == address(0)) revert ZeroAddress("settlementToken");
        if (p.registry == address(0)) revert ZeroAddress("registry");
    }
}
