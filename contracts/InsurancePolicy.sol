// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoverAccount} from "./CoverAccount.sol";
import {CoverRule} from "./CoverRule.sol";
import {ISecuritizationPool} from "./ISecuritizationPool.sol";
import {IPoolView} from "./IPoolView.sol";
import {Waterfall} from "./Waterfall.sol";

/// @title InsurancePolicy
/// @notice Credit insurance on a pool's defaults (docs/waterfall.md §14): claims for new
/// defaults past the aggregate deductible, at the coinsurance share and up to the limit,
/// are paid from the posted capital into the period's revenue; what the capital cannot
/// meet is recorded as unpaid. Premiums and the insurer's share of recoveries (up to what
/// it paid) are paid by the pool straight to the provider.
contract InsurancePolicy is CoverAccount {
    /// @notice Keccak-256 of the canonical JSON of the pricing inputs and result.
    bytes32 public immutable pricingHash;
    CoverRule.InsuranceTerms internal _terms;
    CoverRule.InsuranceState internal _state;

    /// @notice Once, at deployment: what the policy is made of, so that an index rebuilds
    /// its terms from events alone (they never change).
    event InsuranceOpened(
        address indexed pool,
        address indexed provider,
        CoverRule.InsuranceTerms terms,
        uint256 required,
        bytes32 pricingHash
    );
    /// @notice One per period the pool ran with this policy bound.
    event InsuranceSettled(uint256 indexed period, CoverRule.InsuranceResult result);

    /// @param pool_ the pool insured
    /// @param provider_ the insurer (must be admitted in `registry`)
    /// @param token_ the pool's settlement token
    /// @param registry the investor registry
    /// @param terms_ deductible, limit, coinsurance, premium and term
    /// @param required_ capital to keep posted while in force (at most the limit left)
    /// @param pricingHash_ commitment to the pricing record
    constructor(
        address pool_,
        address provider_,
        address token_,
        address registry,
        CoverRule.InsuranceTerms memory terms_,
        uint256 required_,
        bytes32 pricingHash_
    ) CoverAccount(pool_, provider_, token_, registry, required_) {
        // slither-disable-next-line uninitialized-local (a memory struct starts zeroed; fields set below)
        CoverRule.Cover memory c;
        c.hasInsurance = true;
        c.it = terms_;
        CoverRule.check(c, 2);
        _terms = terms_;
        pricingHash = pricingHash_;
        emit InsuranceOpened(pool_, provider_, terms_, required_, pricingHash_);
    }

    /// @notice The policy's terms.
    function terms() external view returns (CoverRule.InsuranceTerms memory) {
        return _terms;
    }

    /// @notice The policy's state after the last period.
    function coverState() external view returns (CoverRule.InsuranceState memory) {
        return _state;
    }

    /// @notice Records the pool's period result and pays the claim to the pool.
    /// @param period the pool's period number
    /// @param result the waterfall's insurance figures, with the state after the period
    function settle(uint256 period, CoverRule.InsuranceResult calldata result) external onlyPool {
        _state = result.state;
        _payPool(result.claimPaid);
        emit InsuranceSettled(period, result);
    }

    /// @inheritdoc CoverAccount
    function required() public view override returns (uint256) {
        if (_state.released) return 0;
        return _min(collateralRequired, _terms.limit - _state.claimsPaid);
    }

    /// @inheritdoc CoverAccount
    function collateral() public view override returns (uint256) {
        return _state.capital;
    }

    /// @inheritdoc CoverAccount
    function releasable() public view override returns (bool) {
        ISecuritizationPool.State s = IPoolView(pool).state();
        if (s <= ISecuritizationPool.State.Subscription) return false;
        if (s >= ISecuritizationPool.State.Matured) return true;
        Waterfall.State memory d = IPoolView(pool).dealState();
        return d.period >= _terms.lastPeriod || d.poolBalance == 0;
    }

    function _setCollateral(uint256 amount) internal override {
        _state.capital = amount;
    }

    function _markReleased() internal override {
        _state.released = true;
    }

    function _released() internal view override returns (bool) {
        return _state.released;
    }
}
