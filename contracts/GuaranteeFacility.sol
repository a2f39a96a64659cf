// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoverAccount} from "./CoverAccount.sol";
import {CoverRule} from "./CoverRule.sol";
import {ISecuritizationPool} from "./ISecuritizationPool.sol";
import {IPoolView} from "./IPoolView.sol";
import {Waterfall} from "./Waterfall.sol";

/// @title GuaranteeFacility
/// @notice A guarantee behind one note of a pool (docs/waterfall.md §14): each period the
/// pool's waterfall draws on the posted collateral for the note's interest shortfall and
/// uncured deficiency, up to the limit left; what the collateral cannot meet is recorded as
/// an unpaid claim. The premium and the subrogation (recoveries and excess spread) are paid
/// by the pool straight to the provider. The pricing inputs and result are committed here.
contract GuaranteeFacility is CoverAccount {
    /// @notice Keccak-256 of the canonical JSON of the pricing inputs and result.
    bytes32 public immutable pricingHash;
    CoverRule.GuaranteeTerms internal _terms;
    CoverRule.GuaranteeState internal _state;

    /// @notice Once, at deployment: what the facility is made of, so that an index rebuilds
    /// its terms from events alone (they never change).
    event GuaranteeOpened(
        address indexed pool,
        address indexed provider,
        CoverRule.GuaranteeTerms terms,
        uint256 required,
        bytes32 pricingHash
    );
    /// @notice One per period the pool ran with this facility bound.
    event GuaranteeSettled(uint256 indexed period, CoverRule.GuaranteeResult result);

    /// @param pool_ the pool covered
    /// @param provider_ the guarantor (must be admitted in `registry`)
    /// @param token_ the pool's settlement token
    /// @param registry the investor registry
    /// @param terms_ covered tranche, limit, premium and term
    /// @param required_ collateral to keep posted while in force (at most the limit left)
    /// @param pricingHash_ commitment to the pricing record
    constructor(
        address pool_,
        address provider_,
        address token_,
        address registry,
        CoverRule.GuaranteeTerms memory terms_,
        uint256 required_,
        bytes32 pricingHash_
    ) CoverAccount(pool_, provider_, token_, registry, required_) {
        // slither-disable-next-line uninitialized-local (a memory struct starts zeroed; fields set below)
        CoverRule.Cover memory c;
        c.hasGuarantee = true;
        c.gt = terms_;
        CoverRule.check(c, IPoolView(pool_).trancheCount());
        _terms = terms_;
        pricingHash = pricingHash_;
        emit GuaranteeOpened(pool_, provider_, terms_, required_, pricingHash_);
    }

    /// @notice The facility's terms.
    function terms() external view returns (CoverRule.GuaranteeTerms memory) {
        return _terms;
    }

    /// @notice The facility's state after the last period.
    function coverState() external view returns (CoverRule.GuaranteeState memory) {
        return _state;
    }

    /// @notice Records the pool's period result and pays the draw to the pool.
    /// @param period the pool's period number
    /// @param result the waterfall's guarantee figures, with the state after the period
    function settle(uint256 period, CoverRule.GuaranteeResult calldata result) external onlyPool {
        _state = result.state;
        _payPool(result.draw);
        emit GuaranteeSettled(period, result);
    }

    /// @inheritdoc CoverAccount
    function required() public view override returns (uint256) {
        if (_state.released) return 0;
        return _min(collateralRequired, _terms.limit - _state.drawn);
    }

    /// @inheritdoc CoverAccount
    function collateral() public view override returns (uint256) {
        return _state.collateral;
    }

    /// @inheritdoc CoverAccount
    function releasable() public view override returns (bool) {
        ISecuritizationPool.State s = IPoolView(pool).state();
        if (s <= ISecuritizationPool.State.Subscription) return false;
        if (s >= ISecuritizationPool.State.Matured) return true; // matured, called, wound down, cancelled
        Waterfall.State memory d = IPoolView(pool).dealState();
        uint256 k = _terms.tranche;
        return d.period >= _terms.lastPeriod || d.balances[k] + d.writedowns[k] + d.shortfalls[k] == 0;
    }

    function _setCollateral(uint256 amount) internal override {
        _state.collateral = amount;
    }

    function _markReleased() internal override {
        _state.released = true;
    }

    function _released() internal view override returns (bool) {
        return _state.released;
    }
}
