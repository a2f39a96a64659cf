// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Waterfall} from "./Waterfall.sol";

/// @title WaterfallChecks
/// @notice The waterfall's input checks (docs/waterfall.md §1): deal terms and the rating
/// trigger at creation, each period's report before it runs. Each reverts with Waterfall's
/// errors naming the first field outside its domain. Internal, so the compiler inlines it
/// into Waterfall: it has no deployment of its own.
library WaterfallChecks {
    /// @notice Reverts with InvalidTerms naming the first term outside its domain.
    function checkTerms(Waterfall.Terms memory t) internal pure {
        uint256 n = t.tranches.length;
        if (n < 2 || n > Waterfall.MAX_TRANCHES) revert Waterfall.InvalidTerms("tranches");
        for (uint256 i; i < n; ++i) {
            if (t.tranches[i].size > Waterfall.MAX_AMOUNT) revert Waterfall.InvalidTerms("tranches.size");
            if (t.tranches[i].couponBps > Waterfall.MAX_BPS) revert Waterfall.InvalidTerms("tranches.couponBps");
            if (t.tranches[i].dayCount > 2) revert Waterfall.InvalidTerms("tranches.dayCount");
        }
        if (t.periodMonths < 1 || t.periodMonths > 12) revert Waterfall.InvalidTerms("periodMonths");
        if (t.initialPoolBalance > Waterfall.MAX_AMOUNT) revert Waterfall.InvalidTerms("initialPoolBalance");
        if (t.servicerFeeBps > Waterfall.MAX_BPS) revert Waterfall.InvalidTerms("servicerFeeBps");
        if (t.trusteeFeeBps > Waterfall.MAX_BPS) revert Waterfall.InvalidTerms("trusteeFeeBps");
        if (t.feeDayCount > 2) revert Waterfall.InvalidTerms("feeDayCount");
        if (t.principalMode > 1) revert Waterfall.InvalidTerms("principalMode");
        if (t.ocTriggerBps > Waterfall.MAX_BPS) revert Waterfall.InvalidTerms("ocTriggerBps");
        if (t.icTriggerBps > Waterfall.MAX_BPS) revert Waterfall.InvalidTerms("icTriggerBps");
        if (t.reserveTarget > Waterfall.MAX_AMOUNT) revert Waterfall.InvalidTerms("reserveTarget");
        if (t.cleanupCallBps > Waterfall.BPS) revert Waterfall.InvalidTerms("cleanupCallBps");
        uint256 steps = t.cdTrigger.length;
        if (steps > Waterfall.MAX_TRIGGER_STEPS) revert Waterfall.InvalidTerms("cdTrigger");
        uint256 first = 1; // the first step starts at period 1, each later one after the previous
        for (uint256 k; k < steps; ++k) {
            uint256 from = t.cdTrigger[k].fromPeriod;
            if (from < first || from > Waterfall.MAX_PERIOD || (k == 0 && from != 1)) {
                revert Waterfall.InvalidTerms("cdTrigger.fromPeriod");
            }
            if (t.cdTrigger[k].maxBps > Waterfall.BPS) revert Waterfall.InvalidTerms("cdTrigger.maxBps");
            first = from + 1;
        }
    }

    /// @notice Reverts with InvalidTerms naming the rating trigger's field out of its domain:
    /// a note (not equity) rated by a non-zero agency, a floor above D.
    function checkRatingTrigger(Waterfall.RatingTrigger memory rt, uint256 tranches) internal pure {
        if (rt.feed == address(0)) return;
        if (rt.agency == 0) revert Waterfall.InvalidTerms("rating.agency");
        if (rt.tranche + 1 >= tranches) revert Waterfall.InvalidTerms("rating.tranche");
        if (rt.floorRank + 1 >= Waterfall.RATING_RANKS) revert Waterfall.InvalidTerms("rating.floorRank");
    }

    /// @notice Reverts when a report amount is out of range or the period does not move on.
    function checkReport(Waterfall.State memory s, Waterfall.Report memory r) internal pure {
        _amount("interest", r.interest);
        _amount("scheduledPrincipal", r.scheduledPrincipal);
        _amount("prepayments", r.prepayments);
        _amount("recoveries", r.recoveries);
        _amount("newDefaults", r.newDefaults);
        _amount("delinquent30", r.delinquent30);
        _amount("delinquent60", r.delinquent60);
        _amount("delinquent90", r.delinquent90);
        _amount("poolBalance", r.poolBalance);
        _amount("cashIn", r.interest + r.scheduledPrincipal + r.prepayments + r.recoveries);
        _amount("cumulativeDefaults", s.cumulativeDefaults + r.newDefaults);
        if (r.periodEnd <= s.lastPeriodEnd) revert Waterfall.PeriodEndNotAfter(r.periodEnd, s.lastPeriodEnd);
    }

    function _amount(string memory field, uint256 value) private pure {
        if (value > Waterfall.MAX_AMOUNT) revert Waterfall.AmountOutOfRange(field, value);
    }
}
