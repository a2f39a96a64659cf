// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {CoverRule} from "./CoverRule.sol";
import {PoolCover} from "./PoolCover.sol";
import {Waterfall} from "./Waterfall.sol";
import {WaterfallMath} from "./WaterfallMath.sol";

/// @title PoolPeriods
/// @notice The running deal: the servicer's period reports checked against the pool and run
/// through the linked Waterfall library, the cash settled (fees, distributions, cover), and
/// the deal's end: maturity, the clean-up call and the wind-down.
abstract contract PoolPeriods is PoolCover {
    using SafeERC20 for IERC20;

    /// @notice The servicer reports a period and pays its collections in (transferFrom of
    /// interest + scheduled principal + prepayments + recoveries); the waterfall runs, fees
    /// are paid, and each tranche's interest and principal (plus the residual, for equity)
    /// are distributed to its holders. Reports go on after a call or a pool balance of 0,
    /// for recoveries of earlier defaults, until the deal matures or winds down.
    /// @param report the period's collections, defaults, delinquencies and new tape root
    /// @param stats aggregates of the new tape
    function reportPeriod(Waterfall.Report calldata report, TapeStats calldata stats)
        external
        nonReentrant
        onlyRole(SERVICER_ROLE)
    {
        if (state != State.Active && state != State.Amortising && state != State.Called) {
            revert WrongState(state);
        }
        _checkReport(report);
        _runPeriod(report, stats);
    }

    /// @notice Declares the deal matured once the last report left no loans in the pool.
    function mature() external onlyRole(SERVICER_ROLE) {
        _requireRunning();
        if (_deal.poolBalance != 0) revert PoolNotRetired(_deal.poolBalance);
        _moveTo(State.Matured);
    }

    /// @notice Clean-up call: once the pool factor is at or under the deal's threshold, the
    /// servicer buys the remaining loans; the price comes in as prepayments of a final
    /// period (report.poolBalance must be 0), as the simulator models it. Later reports may
    /// still bring in recoveries of loans that defaulted before the call.
    /// @param report the final period, the purchase price included in prepayments
    /// @param stats aggregates of the (now empty) tape
    function exerciseCall(Waterfall.Report calldata report, TapeStats calldata stats)
        external
        nonReentrant
        onlyRole(SERVICER_ROLE)
    {
        _requireRunning();
        uint256 poolBalance = _deal.poolBalance;
        if (poolBalance == 0 || !WaterfallMath.cleanupEligible(_terms, poolBalance)) {
            revert CallNotEligible(poolBalance);
        }
        if (report.poolBalance != 0) revert CallMustRetirePool(report.poolBalance);
        // State first, then the period whose settlement calls the tokens (checks-effects-
        // interactions): nothing reentering can see the pool still Active or Amortising.
        _moveTo(State.Called);
        _runPeriod(report, stats);
    }

    /// @notice Winds a matured or called deal down: what is left in the reserve is released
    /// to the equity tranche's holders.
    function windDown() external nonReentrant onlyRole(STRUCTURER_ROLE) {
        if (state != State.Matured && state != State.Called) revert WrongState(state);
        uint256 released = _deal.reserve;
        _deal.reserve = 0;
        _moveTo(State.WoundDown);
        _distribute(_tokens.length - 1, released);
        emit WoundDown(released);
    }

    /// @dev A period report must be consistent with the pool before the waterfall runs
    /// (docs/loan-tape.md): principal and defaults come out of the pool balance, and the new
    /// balance is the old less both, within BALANCE_TOLERANCE_PER_LOAN units for each loan of
    /// the current tape (servicers round each loan's balance). Compared step by step so
    /// that no sum of reported figures can overflow.
    function _checkReport(Waterfall.Report calldata r) internal view {
        uint256 before = _deal.poolBalance;
        if (r.scheduledPrincipal > before || r.prepayments > before - r.scheduledPrincipal) {
            revert PrincipalExceedsPool(_saturatingAdd(r.scheduledPrincipal, r.prepayments), before);
        }
        uint256 remaining = before - r.scheduledPrincipal - r.prepayments;
        if (r.newDefaults > remaining) revert DefaultsExceedPool(r.newDefaults, remaining);
        uint256 expected = remaining - r.newDefaults;
        uint256 tolerance = _tape.count * BALANCE_TOLERANCE_PER_LOAN;
        uint256 gap = r.poolBalance > expected ? r.poolBalance - expected : expected - r.poolBalance;
        if (gap > tolerance) revert PoolBalanceMismatch(r.poolBalance, expected, tolerance);
        uint256 delinquent =
            _saturatingAdd(_saturatingAdd(r.delinquent30, r.delinquent60), r.delinquent90);
        if (delinquent > r.poolBalance) revert DelinquencyExceedsPool(delinquent, r.poolBalance);
    }

    function _saturatingAdd(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            uint256 c = a + b;
            return c < a ? type(uint256).max : c;
        }
    }

    function _runPeriod(Waterfall.Report calldata report, TapeStats calldata stats) internal {
        if (report.periodEnd > block.timestamp) revert PeriodNotEnded(report.periodEnd, block.timestamp);
        bool covered = address(guarantee) != address(0) || address(insurance) != address(0);
        // one copy of the rule, in the linked library: without cover the cover is empty (§14)
        (Waterfall.State memory s, Waterfall.Result memory res, CoverRule.Result memory cr) =
            Waterfall.run(_terms, _deal, report, _cover(), ratingTrigger);
        _deal = s;
        _tape = Tape(
            report.tapeRoot,
            stats.count,
            report.poolBalance,
            stats.waRateBps,
            stats.waScore,
            stats.waRemainingTermMonths
        );
        emit PeriodReported(s.period, report, stats, res);
        if (res.cashIn > 0) settlementToken.safeTransferFrom(msg.sender, address(this), res.cashIn);
        (uint256 coverIn, uint256 coverOut) = covered ? _settleCover(s.period, cr) : (0, 0);
        _settle(res, coverIn, coverOut);
        if (state == State.Active && _principalPaid(res)) _moveTo(State.Amortising);
    }

    /// @dev Moves the cash: collections in, fees and distributions out, the reserve stays.
    function _settle(Waterfall.Result memory res, uint256 coverIn, uint256 coverOut) internal {
        _pay(servicerFeeRecipient, res.servicerFeePaid);
        _pay(trusteeFeeRecipient, res.trusteeFeePaid);
        uint256 n = res.tranches.length;
        uint256 cashOut = res.servicerFeePaid + res.trusteeFeePaid + res.residualToEquity;
        for (uint256 i; i < n; ++i) {
            uint256 amount = res.tranches[i].interestPaid + res.tranches[i].principalPaid;
            cashOut += amount;
            if (i == n - 1) amount += res.residualToEquity;
            _distribute(i, amount);
        }
        // §13 conservation, checked on every period; it holds by construction.
        if (res.cashIn + coverIn + res.reserveBefore != cashOut + coverOut + res.reserveAfter) {
            revert CashNotConserved(res.cashIn, cashOut, res.reserveAfter);
        }
    }

    function _principalPaid(Waterfall.Result memory res) internal pure returns (bool) {
        for (uint256 i; i < res.tranches.length; ++i) {
            if (res.tranches[i].principalPaid > 0) return true;
        }
        return false;
    }
}
