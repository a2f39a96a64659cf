// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Waterfall} from "./Waterfall.sol";

/// @title WaterfallMath
/// @notice The formulas of the waterfall specification (docs/waterfall.md §2, §8, §9a/b,
/// §12): pure arithmetic on the deal's terms and balances, every division rounded down.
/// Internal, so the compiler inlines it into Waterfall (and into the pool, for the
/// clean-up test): it has no deployment of its own.
library WaterfallMath {
    /// @notice §8 the cumulative-default threshold of `period` (1-based); 0 = no test.
    function cdThreshold(Waterfall.Terms memory t, uint256 period) internal pure returns (uint256 threshold) {
        for (uint256 k; k < t.cdTrigger.length; ++k) {
            if (t.cdTrigger[k].fromPeriod <= period) threshold = t.cdTrigger[k].maxBps;
        }
    }

    /// @notice §2 (days, year basis) of a period under `dayCount`.
    function accrual(uint8 dayCount, uint256 periodMonths, uint256 actualDays)
        internal
        pure
        returns (uint256, uint256)
    {
        if (dayCount == Waterfall.THIRTY_360) return (30 * periodMonths, 360);
        if (dayCount == Waterfall.ACT_360) return (actualDays, 360);
        return (actualDays, 365);
    }

    /// @notice amount × rate × days / (10000 × basis), one division, rounded down.
    function accrue(uint256 amount, uint256 rateBps, uint256 days_, uint256 basis)
        internal
        pure
        returns (uint256)
    {
        return (amount * rateBps * days_) / (Waterfall.BPS * basis);
    }

    /// @notice §9a pay `amount` most senior first, each tranche up to its balance.
    function paySequential(uint256 amount, uint256[] memory balances)
        internal
        pure
        returns (uint256[] memory paid)
    {
        paid = new uint256[](balances.length);
        for (uint256 i; i < balances.length; ++i) {
            paid[i] = min(amount, balances[i]);
            amount -= paid[i];
        }
    }

    /// @notice §9b floor shares by balance, then the rounding remainder sequentially.
    function payProRata(uint256 amount, uint256[] memory balances)
        internal
        pure
        returns (uint256[] memory paid)
    {
        uint256 n = balances.length;
        uint256 total = sum(balances, n);
        paid = new uint256[](n);
        if (total == 0) return paid;
        uint256[] memory room = new uint256[](n);
        uint256 shared = 0;
        for (uint256 i; i < n; ++i) {
            paid[i] = (amount * balances[i]) / total;
            room[i] = balances[i] - paid[i];
            shared += paid[i];
        }
        uint256[] memory dust = paySequential(amount - shared, room);
        for (uint256 i; i < n; ++i) {
            paid[i] += dust[i];
        }
    }

    /// @notice §12 the pool factor is at or under the clean-up call threshold.
    function cleanupEligible(Waterfall.Terms memory t, uint256 poolBalance) internal pure returns (bool) {
        return poolBalance * Waterfall.BPS <= t.cleanupCallBps * t.initialPoolBalance;
    }

    /// @notice §8 numerator / denominator in basis points, rounded down, capped at RATIO_CAP.
    function coverageRatio(uint256 numerator, uint256 denominator) internal pure returns (uint256) {
        if (denominator == 0) return Waterfall.RATIO_CAP;
        return min((numerator * Waterfall.BPS) / denominator, Waterfall.RATIO_CAP);
    }

    /// @notice The sum of the first `count` values.
    function sum(uint256[] memory values, uint256 count) internal pure returns (uint256 total) {
        for (uint256 i; i < count; ++i) {
            total += values[i];
        }
    }

    function min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
