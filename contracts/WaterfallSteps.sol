// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoverRule} from "./CoverRule.sol";
import {Waterfall} from "./Waterfall.sol";
import {WaterfallMath} from "./WaterfallMath.sol";

/// @title WaterfallSteps
/// @notice The steps of one period (docs/waterfall.md §4-§11) that `Waterfall.applyPeriod`
/// runs in order: accrual, losses and recoveries, trigger tests, the revenue and principal
/// priorities of payments. Each step updates the state `s`, the period's figures `res` and
/// the working accounts `a` in memory. Internal, so the compiler inlines it into Waterfall:
/// it has no deployment of its own.
library WaterfallSteps {
    /// @dev §4 fees on the pool and each tranche's coupon on its start-of-period balance,
    /// with what was left unpaid last period.
    function accrueFeesAndInterest(
        Waterfall.Terms memory t,
        Waterfall.State memory s,
        Waterfall.Result memory res,
        Waterfall.Accounts memory a
    ) internal pure {
        (uint256 days_, uint256 basis) =
            WaterfallMath.accrual(t.feeDayCount, t.periodMonths, res.accrualDays);
        uint256 servicerCurrent = WaterfallMath.accrue(s.poolBalance, t.servicerFeeBps, days_, basis);
        uint256 trusteeCurrent = WaterfallMath.accrue(s.poolBalance, t.trusteeFeeBps, days_, basis);
        res.servicerFeeDue = servicerCurrent + s.servicerShortfall;
        res.trusteeFeeDue = trusteeCurrent + s.trusteeShortfall;
        a.feesCurrent = servicerCurrent + trusteeCurrent;
        uint256 n = t.tranches.length;
        for (uint256 i; i < n; ++i) {
            Waterfall.TrancheTerms memory tranche = t.tranches[i];
            (days_, basis) = WaterfallMath.accrual(tranche.dayCount, t.periodMonths, res.accrualDays);
            uint256 current = WaterfallMath.accrue(s.balances[i], tranche.couponBps, days_, basis);
            if (i < n - 1) a.notesInterest += current;
            res.tranches[i].interestDue = current + s.shortfalls[i];
        }
    }

    /// @dev §4a premiums: the guarantee's on its note's balance with the note's day count,
    /// the policy's on the pool balance with the fees' day count.
    function accruePremiums(
        Waterfall.Terms memory t,
        Waterfall.State memory s,
        Waterfall.Result memory res,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr
    ) internal pure {
        uint256 gCurrent = 0;
        uint256 iCurrent = 0;
        if (c.hasGuarantee) {
            uint256 k = c.gt.tranche;
            (uint256 d, uint256 b) =
                WaterfallMath.accrual(t.tranches[k].dayCount, t.periodMonths, res.accrualDays);
            gCurrent = WaterfallMath.accrue(s.balances[k], c.gt.premiumBps, d, b);
        }
        if (c.hasInsurance) {
            (uint256 d, uint256 b) = WaterfallMath.accrual(t.feeDayCount, t.periodMonths, res.accrualDays);
            iCurrent = WaterfallMath.accrue(s.poolBalance, c.it.premiumBps, d, b);
        }
        CoverRule.accruePremiums(c, cr, s.period + 1, gCurrent, iCurrent);
    }

    /// @dev §6 losses write the tranches down from the most junior up.
    function writeDown(Waterfall.State memory s, Waterfall.Result memory res, uint256 loss)
        internal
        pure
    {
        for (uint256 i = s.balances.length; i > 0; --i) {
            uint256 wd = WaterfallMath.min(loss, s.balances[i - 1]);
            loss -= wd;
            s.balances[i - 1] -= wd;
            s.writedowns[i - 1] += wd;
            res.tranches[i - 1].writedown = wd;
        }
    }

    /// @dev §7 and §7a; returns what the guarantor took.
    function writeUp(
        Waterfall.State memory s,
        Waterfall.Result memory res,
        uint256 recovered,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr
    ) internal pure returns (uint256 subrogated) {
        uint256 last = s.balances.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (i == last) {
                subrogated = CoverRule.subrogateRecoveries(c, cr, recovered);
                recovered -= subrogated;
            }
            uint256 wu = WaterfallMath.min(recovered, s.writedowns[i]);
            recovered -= wu;
            s.balances[i] += wu;
            s.writedowns[i] -= wu;
            res.tranches[i].writeup = wu;
        }
    }

    /// @dev §8 the coverage, cumulative-default and rating tests on this period's figures.
    function testTriggers(
        Waterfall.Terms memory t,
        Waterfall.State memory s,
        Waterfall.Report memory r,
        Waterfall.Result memory res,
        Waterfall.Accounts memory a
    ) internal pure {
        res.cumulativeDefaults = s.cumulativeDefaults + r.newDefaults;
        res.ocRatioBps =
            WaterfallMath.coverageRatio(r.poolBalance + a.principalReceipts + s.reserve, a.notesOutstanding);
        uint256 netInterest = r.interest - WaterfallMath.min(r.interest, a.feesCurrent);
        res.icRatioBps = WaterfallMath.coverageRatio(netInterest, a.notesInterest);
        res.cdRatioBps = WaterfallMath.coverageRatio(res.cumulativeDefaults, t.initialPoolBalance);
        res.cdThresholdBps = WaterfallMath.cdThreshold(t, s.period + 1);
        res.ocPass = res.ocRatioBps >= t.ocTriggerBps;
        res.icPass = res.icRatioBps >= t.icTriggerBps;
        res.cdPass = res.cdThresholdBps == 0
            || res.cumulativeDefaults * Waterfall.BPS <= res.cdThresholdBps * t.initialPoolBalance;
        res.triggerBreached = !(res.ocPass && res.icPass && res.cdPass && res.ratingPass);
    }

    /// @dev §9: fees (9.1, 9.2); each note's interest then its cure (9.3); the reserve up to
    /// its target (9.4); equity's interest (9.5) and its cure (9.6). Each line pays what it
    /// can of what is left of the revenue account.
    function payRevenue(
        Waterfall.Terms memory t,
        Waterfall.State memory s,
        Waterfall.Result memory res,
        Waterfall.Accounts memory a,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr
    ) internal pure {
        res.servicerFeePaid = _pay(a, res.servicerFeeDue);
        res.trusteeFeePaid = _pay(a, res.trusteeFeeDue);
        s.servicerShortfall = res.servicerFeeDue - res.servicerFeePaid;
        s.trusteeShortfall = res.trusteeFeeDue - res.trusteeFeePaid;
        cr.g.premiumPaid = _pay(a, cr.g.premiumDue); // 9.2a guarantee premium
        cr.i.premiumPaid = _pay(a, cr.i.premiumDue); // 9.2b insurance premium
        uint256 last = t.tranches.length - 1;
        for (uint256 i; i < last; ++i) {
            _payInterest(s, res, a, i);
            _cure(s, res, a, i);
            if (c.hasGuarantee && i == c.gt.tranche) _draw(s, res, a, c, cr, i);
        }
        cr.g.fromRevenue = _pay(a, CoverRule.reimbursementDue(c, cr)); // 9.3d subrogation
        res.reserveTarget = a.notesBefore > 0 ? t.reserveTarget : 0;
        s.reserve = _pay(a, res.reserveTarget);
        _payInterest(s, res, a, last);
        _cure(s, res, a, last);
    }

    /// @dev 9.3a / 9.5 tranche `i`'s interest due; what is unpaid carries.
    function _payInterest(
        Waterfall.State memory s,
        Waterfall.Result memory res,
        Waterfall.Accounts memory a,
        uint256 i
    ) private pure {
        Waterfall.TrancheResult memory tr = res.tranches[i];
        tr.interestPaid = _pay(a, tr.interestDue);
        tr.interestShortfall = tr.interestDue - tr.interestPaid;
        s.shortfalls[i] = tr.interestShortfall;
    }

    /// @dev Credits tranche `i`'s deficiency from revenue; the cash joins principal (§10).
    function _cure(
        Waterfall.State memory s,
        Waterfall.Result memory res,
        Waterfall.Accounts memory a,
        uint256 i
    ) private pure {
        uint256 cured = _pay(a, s.writedowns[i]);
        s.writedowns[i] -= cured;
        s.balances[i] += cured;
        res.tranches[i].cured = cured;
        res.tranches[i].writeup += cured;
    }

    /// @dev 9.3c the guarantee draw: the note's interest shortfall, then its deficiency.
    function _draw(
        Waterfall.State memory s,
        Waterfall.Result memory res,
        Waterfall.Accounts memory a,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr,
        uint256 i
    ) private pure {
        Waterfall.TrancheResult memory tr = res.tranches[i];
        (uint256 interest, uint256 cure) =
            CoverRule.draw(c, cr, a.period, tr.interestDue - tr.interestPaid, s.writedowns[i]);
        tr.interestPaid += interest;
        tr.interestShortfall = tr.interestDue - tr.interestPaid;
        s.shortfalls[i] = tr.interestShortfall;
        s.writedowns[i] -= cure;
        s.balances[i] += cure;
        tr.cured += cure;
        tr.writeup += cure;
    }

    /// @dev Pays what it can of `due` out of the revenue account.
    function _pay(Waterfall.Accounts memory a, uint256 due) private pure returns (uint256 paid) {
        paid = WaterfallMath.min(due, a.revenue);
        a.revenue -= paid;
    }

    /// @dev §10 principal receipts plus cures, sequential or pro rata; §11 the residual.
    function payPrincipalAndResidual(
        Waterfall.Terms memory t,
        Waterfall.State memory s,
        Waterfall.Result memory res,
        Waterfall.Accounts memory a
    ) internal pure {
        uint256 n = t.tranches.length;
        uint256 cured = 0;
        for (uint256 i; i < n; ++i) {
            cured += res.tranches[i].cured;
        }
        // §10.1 what the balances cannot take credits the deficiencies, most senior first.
        uint256 total = a.principalReceipts + cured;
        uint256 balances = WaterfallMath.sum(s.balances, n);
        uint256 credit = total > balances ? total - balances : 0;
        bool deficiency = false;
        for (uint256 i; i < n; ++i) {
            uint256 extra = WaterfallMath.min(credit, s.writedowns[i]);
            credit -= extra;
            s.writedowns[i] -= extra;
            s.balances[i] += extra;
            res.tranches[i].writeup += extra;
            if (s.writedowns[i] > 0) deficiency = true;
        }
        // §10.2 sequential if the deal says so, a trigger is breached or a deficiency is left.
        uint256 amount = WaterfallMath.min(total, WaterfallMath.sum(s.balances, n));
        res.sequential = t.principalMode == Waterfall.SEQUENTIAL || res.triggerBreached || deficiency;
        uint256[] memory paid = res.sequential
            ? WaterfallMath.paySequential(amount, s.balances)
            : WaterfallMath.payProRata(amount, s.balances);
        for (uint256 i; i < n; ++i) {
            res.tranches[i].principalPaid = paid[i];
            s.balances[i] -= paid[i];
        }
        // §11 what is left of both accounts: to equity, or to the reserve if breached.
        uint256 left = a.revenue + a.principalReceipts + cured - amount;
        res.reserveTrapped = res.triggerBreached ? left : 0;
        res.residualToEquity = left - res.reserveTrapped;
        s.reserve += res.reserveTrapped;
        res.reserveAfter = s.reserve;
    }
}
