// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoverRule} from "./CoverRule.sol";
import {GuaranteeFacility} from "./GuaranteeFacility.sol";
import {InsurancePolicy} from "./InsurancePolicy.sol";
import {PoolBase} from "./PoolBase.sol";

/// @title PoolCover
/// @notice The pool's side of credit enhancement (docs/waterfall.md §14): binding a
/// guarantee facility and an insurance policy, reading their terms and state into each
/// period's waterfall, and settling the period with them. The rule itself is CoverRule, in
/// the Waterfall library.
abstract contract PoolCover is PoolBase {
    /// @notice Binds a guarantee facility made for this pool and funded to its requirement;
    /// from the next period on the waterfall pays its premium and draws on it.
    /// @param facility the GuaranteeFacility
    function bindGuarantee(GuaranteeFacility facility) external onlyRole(STRUCTURER_ROLE) {
        _requireBindable(address(guarantee), facility.pool());
        guarantee = facility;
        facility.bind();
        emit CoverBound(address(facility), true);
    }

    /// @notice Binds an insurance policy made for this pool and funded to its requirement.
    /// @param policy the InsurancePolicy
    function bindInsurance(InsurancePolicy policy) external onlyRole(STRUCTURER_ROLE) {
        _requireBindable(address(insurance), policy.pool());
        insurance = policy;
        policy.bind();
        emit CoverBound(address(policy), false);
    }

    /// @dev The cover of this period, read from the bound facilities.
    function _cover() internal view returns (CoverRule.Cover memory c) {
        if (address(guarantee) != address(0)) {
            c.hasGuarantee = true;
            c.gt = guarantee.terms();
            c.gs = guarantee.coverState();
        }
        if (address(insurance) != address(0)) {
            c.hasInsurance = true;
            c.it = insurance.terms();
            c.ins = insurance.coverState();
        }
    }

    /// @dev The facilities record the period and pay their draw and claim in; the pool pays
    /// their providers the premiums, the subrogation and the insurer's recoveries.
    function _settleCover(uint256 period, CoverRule.Result memory cr)
        internal
        returns (uint256 cashIn, uint256 cashOut)
    {
        (cashIn, cashOut) = CoverRule.flows(cr);
        if (cr.hasGuarantee) {
            guarantee.settle(period, cr.g);
            _pay(guarantee.provider(), cr.g.premiumPaid + cr.g.fromRecoveries + cr.g.fromRevenue);
        }
        if (cr.hasInsurance) {
            insurance.settle(period, cr.i);
            _pay(insurance.provider(), cr.i.premiumPaid + cr.i.recovered);
        }
    }

    function _requireBindable(address current, address facilityPool) internal view {
        if (current != address(0)) revert CoverAlreadyBound(current);
        if (facilityPool != address(this)) revert CoverForAnotherPool(facilityPool);
        if (state > State.Amortising) revert WrongState(state);
    }
}
