// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoverRule} from "./CoverRule.sol";
import {IRatingFeed} from "./IRatingFeed.sol";

/// @title Waterfall
/// @notice The payment waterfall of one period (docs/waterfall.md), ported line by line
/// from the reference `ledger/deals/waterfall.py`: same integers, same order, every division
/// rounded down. Section numbers (§) match the specification. Loops run over the tranches
/// only (at most 8), never over loans or holders.
library Waterfall {
    uint256 internal constant MAX_TRANCHES = 8;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant SECONDS_PER_DAY = 86_400;
    uint256 internal constant RATIO_CAP = 2 ** 32 - 1;
    uint256 internal constant MAX_AMOUNT = 2 ** 128 - 1;
    uint256 internal constant MAX_BPS = 100_000;
    uint256 internal constant MAX_TRIGGER_STEPS = 16;
    uint256 internal constant MAX_PERIOD = 100_000;
    uint8 internal constant THIRTY_360 = 0;
    uint8 internal constant ACT_360 = 1;
    uint8 internal constant SEQUENTIAL = 0;
    uint8 internal constant RATING_RANKS = 10; // AAA (0) to D (9)

    /// @notice A term is outside its domain; `field` names it.
    error InvalidTerms(string field);
    /// @notice A report amount is above 2**128 - 1; `field` names it.
    error AmountOutOfRange(string field, uint256 value);
    /// @notice The period must end after the previous one.
    error PeriodEndNotAfter(uint256 periodEnd, uint256 lastPeriodEnd);

    struct TrancheTerms {
        uint256 size;
        uint256 couponBps;
        uint8 dayCount; // 0 = 30/360, 1 = ACT/360, 2 = ACT/365
    }

    /// @notice From period `fromPeriod` on, cumulative defaults may reach `maxBps` of the
    /// initial pool balance (0 disables the test from that period).
    struct TriggerStep {
        uint256 fromPeriod;
        uint256 maxBps;
    }

    /// @notice §8 the rating test: `tranche`'s current grade by `agency` (an attester id),
    /// read from `feed`, must rank at or above `floorRank` (BBB = 3 for "below BBB"); no
    /// valid rating fails the test. A zero feed disables it.
    struct RatingTrigger {
        address feed;
        uint32 agency;
        uint8 tranche;
        uint8 floorRank;
    }

    /// @notice §1 deal terms; tranche 0 is the most senior, the last one is equity.
    struct Terms {
        TrancheTerms[] tranches;
        uint256 periodMonths;
        uint256 initialPoolBalance;
        uint256 servicerFeeBps;
        uint256 trusteeFeeBps;
        uint8 feeDayCount;
        uint8 principalMode; // 0 = sequential, 1 = pro rata
        uint256 ocTriggerBps;
        uint256 icTriggerBps;
        uint256 reserveTarget;
        uint256 cleanupCallBps;
        TriggerStep[] cdTrigger; // cumulative-default schedule; empty disables the test
    }

    /// @notice §1 state kept between periods (vectors are per tranche).
    struct State {
        uint256[] balances;
        uint256[] shortfalls;
        uint256[] writedowns; // the principal deficiency ledger
        uint256 servicerShortfall;
        uint256 trusteeShortfall;
        uint256 reserve;
        uint256 poolBalance;
        uint256 lastPeriodEnd;
        bool triggerBreached; // the last period's tests
        uint256 period;
        uint256 cumulativeDefaults;
    }

    /// @notice §1 the servicer's period report; its cash is paid in with it.
    struct Report {
        uint256 periodEnd;
        uint256 interest;
        uint256 scheduledPrincipal;
        uint256 prepayments;
        uint256 recoveries;
        uint256 newDefaults;
        uint256 delinquent30;
        uint256 delinquent60;
        uint256 delinquent90;
        uint256 poolBalance;
        bytes32 tapeRoot;
    }

    /// @notice §13 one tranche's figures for the period.
    struct TrancheResult {
        uint256 interestDue;
        uint256 interestPaid;
        uint256 interestShortfall;
        uint256 principalPaid;
        uint256 writedown; // debited to the deficiency ledger (§6)
        uint256 writeup; // credited: by recoveries (§7) and cured from revenue (§9)
        uint256 cured; // of writeup, the part cured from revenue and paid as principal
        uint256 balance;
    }

    /// @notice §13 the period's figures, with every trigger test and its threshold.
    struct Result {
        TrancheResult[] tranches;
        uint256 accrualDays;
        uint256 servicerFeeDue;
        uint256 servicerFeePaid;
        uint256 trusteeFeeDue;
        uint256 trusteeFeePaid;
        uint256 principalDue;
        uint256 reserveBefore;
        uint256 reserveTarget;
        uint256 reserveTrapped;
        uint256 reserveAfter;
        uint256 residualToEquity;
        uint256 ocRatioBps;
        uint256 icRatioBps;
        uint256 cdRatioBps;
        uint256 cdThresholdBps;
        uint256 cumulativeDefaults;
        bool ocPass;
        bool icPass;
        bool cdPass;
        bool triggerBreached;
        bool sequential;
        bool cleanupEligible;
        uint256 cashIn;
        bool ratingPass; // the rating test (§8), read from the feed at this report
    }

    /// @dev Working figures of one period: the two accounts and the notes before losses.
    struct Accounts {
        uint256 revenue;
        uint256 principalReceipts;
        uint256 feesCurrent;
        uint256 notesOutstanding;
        uint256 notesBefore;
        uint256 notesInterest;
        uint256 period; // the period being run (1-based)
    }

    /// @notice Runs one period, with the bound cover if any (§14), as an external call of the
    /// linked library: the waterfall's code lives in this library's own deployment rather
    /// than in every pool, which keeps SecuritizationPool under the EIP-170 runtime size
    /// limit of 24,576 bytes. The rating test's only input from outside the report is read
    /// here, from the deal's feed, for the calling pool (`address(this)` under delegatecall).
    /// @param t the deal terms
    /// @param s the state after the last period
    /// @param r the servicer's report
    /// @param c the cover bound to the pool (empty if none)
    /// @param rt the deal's rating trigger (a zero feed: none)
    /// @return next the state after this period
    /// @return res the period's figures
    /// @return cr the facilities' figures and states after this period
    function run(
        Terms memory t,
        State memory s,
        Report memory r,
        CoverRule.Cover memory c,
        RatingTrigger memory rt
    ) external view returns (State memory next, Result memory res, CoverRule.Result memory cr) {
        (res, cr) = applyPeriod(t, s, r, c, ratingPasses(rt));
        next = s;
    }

    /// @notice §8 the rating test at this report: the tranche has a valid rating by the
    /// deal's agency whose rank is at or above the floor (true when the deal has none).
    function ratingPasses(RatingTrigger memory rt) internal view returns (bool) {
        if (rt.feed == address(0)) return true;
        (bool valid, uint8 rank) = IRatingFeed(rt.feed).rankOf(rt.agency, address(this), rt.tranche);
        return valid && rank <= rt.floorRank;
    }

    /// @notice checkTerms and checkRatingTrigger as an external call of the linked library
    /// (see `run`).
    /// @param t the deal terms
    /// @param rt the deal's rating trigger
    function validate(Terms memory t, RatingTrigger memory rt) external pure {
        checkTerms(t);
        checkRatingTrigger(rt, t.tranches.length);
    }

    /// @notice Runs one period with a guarantee and/or an insurance policy (§14); `s`
    /// becomes the state after the period and `cr` carries the facilities' states after it.
    /// `ratingPass` is the rating test's outcome (§8), read by the caller.
    function applyPeriod(
        Terms memory t,
        State memory s,
        Report memory r,
        CoverRule.Cover memory c,
        bool ratingPass
    )
        internal
        pure
        returns (Result memory res, CoverRule.Result memory cr)
    {
        checkReport(s, r);
        CoverRule.check(c, t.tranches.length);
        cr = CoverRule.begin(c);
        uint256 n = t.tranches.length;
        res.tranches = new TrancheResult[](n);
        res.cashIn = r.interest + r.scheduledPrincipal + r.prepayments + r.recoveries;
        res.reserveBefore = s.reserve;
        res.ratingPass = ratingPass;

        // §2 Accrual periods.
        res.accrualDays = (r.periodEnd - s.lastPeriodEnd) / SECONDS_PER_DAY;

        // §3 Two accounts: revenue (interest collections and the whole reserve) and principal.
        // slither-disable-next-line uninitialized-local (a memory struct starts zeroed; fields set below)
        Accounts memory a;
        a.revenue = r.interest + s.reserve;
        a.principalReceipts = r.scheduledPrincipal + r.prepayments + r.recoveries;
        a.period = s.period + 1;
        // §3a the insurance claim joins revenue; §3b the insurer's recoveries leave principal.
        (uint256 claim, uint256 toInsurer) =
            CoverRule.claimAndRecover(c, cr, a.period, r.newDefaults, r.recoveries);
        a.revenue += claim;
        a.principalReceipts -= toInsurer;

        // §4 Interest accrues on the balances at the start of the period, fees on the pool.
        _accrue(t, s, res, a);
        _accruePremiums(t, s, res, c, cr);

        // §5 Coverage figures before this period's losses: the notes' principal outstanding.
        for (uint256 i; i < n - 1; ++i) {
            a.notesOutstanding += s.balances[i] + s.writedowns[i];
            a.notesBefore += s.balances[i];
        }

        // §6 Losses, from the most junior up; §7 recoveries, from the most senior down.
        _writeDown(s, res, r.newDefaults);
        // §7a after every note and before equity, recoveries repay the guarantor.
        a.principalReceipts -= _writeUp(s, res, r.recoveries - toInsurer, c, cr);
        res.principalDue = a.principalReceipts;

        // §8 Triggers, on this period's own figures before distribution; they govern it.
        _testTriggers(t, s, r, res, a);

        // §9 Revenue priority of payments.
        _payRevenue(t, s, res, a, c, cr);

        // §10 Principal priority: receipts plus cures; §11 the residual.
        _payPrincipalAndResidual(t, s, res, a);

        // §12 Clean-up call eligibility.
        res.cleanupEligible = cleanupEligible(t, r.poolBalance);

        // §13 The next state.
        for (uint256 i; i < n; ++i) {
            res.tranches[i].balance = s.balances[i];
        }
        s.poolBalance = r.poolBalance;
        s.lastPeriodEnd = r.periodEnd;
        s.triggerBreached = res.triggerBreached;
        s.period += 1;
        s.cumulativeDefaults = res.cumulativeDefaults;
        CoverRule.finish(c, cr);
    }

    /// @dev §4a premiums: the guarantee's on its note's balance with the note's day count,
    /// the policy's on the pool balance with the fees' day count.
    function _accruePremiums(
        Terms memory t,
        State memory s,
        Result memory res,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr
    ) private pure {
        uint256 gCurrent = 0;
        uint256 iCurrent = 0;
        if (c.hasGuarantee) {
            uint256 k = c.gt.tranche;
            (uint256 d, uint256 b) = accrual(t.tranches[k].dayCount, t.periodMonths, res.accrualDays);
            gCurrent = accrue(s.balances[k], c.gt.premiumBps, d, b);
        }
        if (c.hasInsurance) {
            (uint256 d, uint256 b) = accrual(t.feeDayCount, t.periodMonths, res.accrualDays);
            iCurrent = accrue(s.poolBalance, c.it.premiumBps, d, b);
        }
        CoverRule.accruePremiums(c, cr, s.period + 1, gCurrent, iCurrent);
    }

    function _accrue(Terms memory t, State memory s, Result memory res, Accounts memory a)
        private
        pure
    {
        (uint256 days_, uint256 basis) = accrual(t.feeDayCount, t.periodMonths, res.accrualDays);
        uint256 servicerCurrent = accrue(s.poolBalance, t.servicerFeeBps, days_, basis);
        uint256 trusteeCurrent = accrue(s.poolBalance, t.trusteeFeeBps, days_, basis);
        res.servicerFeeDue = servicerCurrent + s.servicerShortfall;
        res.trusteeFeeDue = trusteeCurrent + s.trusteeShortfall;
        a.feesCurrent = servicerCurrent + trusteeCurrent;
        uint256 n = t.tranches.length;
        for (uint256 i; i < n; ++i) {
            TrancheTerms memory tranche = t.tranches[i];
            (days_, basis) = accrual(tranche.dayCount, t.periodMonths, res.accrualDays);
            uint256 current = accrue(s.balances[i], tranche.couponBps, days_, basis);
            if (i < n - 1) a.notesInterest += current;
            res.tranches[i].interestDue = current + s.shortfalls[i];
        }
    }

    function _testTriggers(
        Terms memory t,
        State memory s,
        Report memory r,
        Result memory res,
        Accounts memory a
    ) private pure {
        res.cumulativeDefaults = s.cumulativeDefaults + r.newDefaults;
        res.ocRatioBps = coverageRatio(r.poolBalance + a.principalReceipts + s.reserve, a.notesOutstanding);
        uint256 netInterest = r.interest - _min(r.interest, a.feesCurrent);
        res.icRatioBps = coverageRatio(netInterest, a.notesInterest);
        res.cdRatioBps = coverageRatio(res.cumulativeDefaults, t.initialPoolBalance);
        res.cdThresholdBps = cdThreshold(t, s.period + 1);
        res.ocPass = res.ocRatioBps >= t.ocTriggerBps;
        res.icPass = res.icRatioBps >= t.icTriggerBps;
        res.cdPass = res.cdThresholdBps == 0
            || res.cumulativeDefaults * BPS <= res.cdThresholdBps * t.initialPoolBalance;
        res.triggerBreached = !(res.ocPass && res.icPass && res.cdPass && res.ratingPass);
    }

    /// @dev §9: fees (9.1, 9.2); each note's interest then its cure (9.3); the reserve up to
    /// its target (9.4); equity's interest (9.5) and its cure (9.6). Each line pays what it
    /// can of what is left of the revenue account.
    function _payRevenue(
        Terms memory t,
        State memory s,
        Result memory res,
        Accounts memory a,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr
    ) private pure {
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

    function _payInterest(State memory s, Result memory res, Accounts memory a, uint256 i)
        private
        pure
    {
        TrancheResult memory tr = res.tranches[i];
        tr.interestPaid = _pay(a, tr.interestDue);
        tr.interestShortfall = tr.interestDue - tr.interestPaid;
        s.shortfalls[i] = tr.interestShortfall;
    }

    /// @dev Credits tranche `i`'s deficiency from revenue; the cash joins principal (§10).
    function _cure(State memory s, Result memory res, Accounts memory a, uint256 i) private pure {
        uint256 cured = _pay(a, s.writedowns[i]);
        s.writedowns[i] -= cured;
        s.balances[i] += cured;
        res.tranches[i].cured = cured;
        res.tranches[i].writeup += cured;
    }

    /// @dev 9.3c the guarantee draw: the note's interest shortfall, then its deficiency.
    function _draw(
        State memory s,
        Result memory res,
        Accounts memory a,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr,
        uint256 i
    ) private pure {
        TrancheResult memory tr = res.tranches[i];
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

    function _pay(Accounts memory a, uint256 due) private pure returns (uint256 paid) {
        paid = _min(due, a.revenue);
        a.revenue -= paid;
    }

    function _payPrincipalAndResidual(
        Terms memory t,
        State memory s,
        Result memory res,
        Accounts memory a
    ) private pure {
        uint256 n = t.tranches.length;
        uint256 cured = 0;
        for (uint256 i; i < n; ++i) {
            cured += res.tranches[i].cured;
        }
        // §10.1 what the balances cannot take credits the deficiencies, most senior first.
        uint256 total = a.principalReceipts + cured;
        uint256 balances = _sum(s.balances, n);
        uint256 credit = total > balances ? total - balances : 0;
        bool deficiency = false;
        for (uint256 i; i < n; ++i) {
            uint256 extra = _min(credit, s.writedowns[i]);
            credit -= extra;
            s.writedowns[i] -= extra;
            s.balances[i] += extra;
            res.tranches[i].writeup += extra;
            if (s.writedowns[i] > 0) deficiency = true;
        }
        // §10.2 sequential if the deal says so, a trigger is breached or a deficiency is left.
        uint256 amount = _min(total, _sum(s.balances, n));
        res.sequential = t.principalMode == SEQUENTIAL || res.triggerBreached || deficiency;
        uint256[] memory paid = res.sequential ? paySequential(amount, s.balances) : payProRata(amount, s.balances);
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

    function _writeDown(State memory s, Result memory res, uint256 loss) private pure {
        for (uint256 i = s.balances.length; i > 0; --i) {
            uint256 wd = _min(loss, s.balances[i - 1]);
            loss -= wd;
            s.balances[i - 1] -= wd;
            s.writedowns[i - 1] += wd;
            res.tranches[i - 1].writedown = wd;
        }
    }

    /// @dev §7 and §7a; returns what the guarantor took.
    function _writeUp(
        State memory s,
        Result memory res,
        uint256 recovered,
        CoverRule.Cover memory c,
        CoverRule.Result memory cr
    ) private pure returns (uint256 subrogated) {
        uint256 last = s.balances.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (i == last) {
                subrogated = CoverRule.subrogateRecoveries(c, cr, recovered);
                recovered -= subrogated;
            }
            uint256 wu = _min(recovered, s.writedowns[i]);
            recovered -= wu;
            s.balances[i] += wu;
            s.writedowns[i] -= wu;
            res.tranches[i].writeup = wu;
        }
    }

    /// @notice §8 the cumulative-default threshold of `period` (1-based); 0 = no test.
    function cdThreshold(Terms memory t, uint256 period) internal pure returns (uint256 threshold) {
        for (uint256 k; k < t.cdTrigger.length; ++k) {
            if (t.cdTrigger[k].fromPeriod <= period) threshold = t.cdTrigger[k].maxBps;
        }
    }

    // ------------------------------------------------------------ formulas of the spec

    /// @notice §2 (days, year basis) of a period under `dayCount`.
    function accrual(uint8 dayCount, uint256 periodMonths, uint256 actualDays)
        internal
        pure
        returns (uint256, uint256)
    {
        if (dayCount == THIRTY_360) return (30 * periodMonths, 360);
        if (dayCount == ACT_360) return (actualDays, 360);
        return (actualDays, 365);
    }

    /// @notice amount × rate × days / (10000 × basis), one division, rounded down.
    function accrue(uint256 amount, uint256 rateBps, uint256 days_, uint256 basis)
        internal
        pure
        returns (uint256)
    {
        return (amount * rateBps * days_) / (BPS * basis);
    }

    /// @notice §9a pay `amount` most senior first, each tranche up to its balance.
    function paySequential(uint256 amount, uint256[] memory balances)
        internal
        pure
        returns (uint256[] memory paid)
    {
        paid = new uint256[](balances.length);
        for (uint256 i; i < balances.length; ++i) {
            paid[i] = _min(amount, balances[i]);
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
        uint256 total = _sum(balances, n);
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
    function cleanupEligible(Terms memory t, uint256 poolBalance) internal pure returns (bool) {
        return poolBalance * BPS <= t.cleanupCallBps * t.initialPoolBalance;
    }

    /// @notice §8 numerator / denominator in basis points, rounded down, capped at RATIO_CAP.
    function coverageRatio(uint256 numerator, uint256 denominator) internal pure returns (uint256) {
        if (denominator == 0) return RATIO_CAP;
        return _min((numerator * BPS) / denominator, RATIO_CAP);
    }

    // ------------------------------------------------------------ §1 input checks

    /// @notice Reverts with InvalidTerms naming the first term outside its domain.
    function checkTerms(Terms memory t) internal pure {
        uint256 n = t.tranches.length;
        if (n < 2 || n > MAX_TRANCHES) revert InvalidTerms("tranches");
        for (uint256 i; i < n; ++i) {
            if (t.tranches[i].size > MAX_AMOUNT) revert InvalidTerms("tranches.size");
            if (t.tranches[i].couponBps > MAX_BPS) revert InvalidTerms("tranches.couponBps");
            if (t.tranches[i].dayCount > 2) revert InvalidTerms("tranches.dayCount");
        }
        if (t.periodMonths < 1 || t.periodMonths > 12) revert InvalidTerms("periodMonths");
        if (t.initialPoolBalance > MAX_AMOUNT) revert InvalidTerms("initialPoolBalance");
        if (t.servicerFeeBps > MAX_BPS) revert InvalidTerms("servicerFeeBps");
        if (t.trusteeFeeBps > MAX_BPS) revert InvalidTerms("trusteeFeeBps");
        if (t.feeDayCount > 2) revert InvalidTerms("feeDayCount");
        if (t.principalMode > 1) revert InvalidTerms("principalMode");
        if (t.ocTriggerBps > MAX_BPS) revert InvalidTerms("ocTriggerBps");
        if (t.icTriggerBps > MAX_BPS) revert InvalidTerms("icTriggerBps");
        if (t.reserveTarget > MAX_AMOUNT) revert InvalidTerms("reserveTarget");
        if (t.cleanupCallBps > BPS) revert InvalidTerms("cleanupCallBps");
        uint256 steps = t.cdTrigger.length;
        if (steps > MAX_TRIGGER_STEPS) revert InvalidTerms("cdTrigger");
        uint256 first = 1; // the first step starts at period 1, each later one after the previous
        for (uint256 k; k < steps; ++k) {
            uint256 from = t.cdTrigger[k].fromPeriod;
            if (from < first || from > MAX_PERIOD || (k == 0 && from != 1)) {
                revert InvalidTerms("cdTrigger.fromPeriod");
            }
            if (t.cdTrigger[k].maxBps > BPS) revert InvalidTerms("cdTrigger.maxBps");
            first = from + 1;
        }
    }

    /// @notice Reverts with InvalidTerms naming the rating trigger's field out of its domain:
    /// a note (not equity) rated by a non-zero agency, a floor above D.
    function checkRatingTrigger(RatingTrigger memory rt, uint256 tranches) internal pure {
        if (rt.feed == address(0)) return;
        if (rt.agency == 0) revert InvalidTerms("rating.agency");
        if (rt.tranche + 1 >= tranches) revert InvalidTerms("rating.tranche");
        if (rt.floorRank + 1 >= RATING_RANKS) revert InvalidTerms("rating.floorRank");
    }

    /// @notice Reverts when a report amount is out of range or the period does not move on.
    function checkReport(State memory s, Report memory r) internal pure {
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
        if (r.periodEnd <= s.lastPeriodEnd) revert PeriodEndNotAfter(r.periodEnd, s.lastPeriodEnd);
    }

    function _amount(string memory field, uint256 value) private pure {
        if (value > MAX_AMOUNT) revert AmountOutOfRange(field, value);
    }

    function _sum(uint256[] memory values, uint256 count) private pure returns (uint256 total) {
        for (uint256 i; i < count; ++i) {
            total += values[i];
        }
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
