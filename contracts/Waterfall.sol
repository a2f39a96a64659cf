// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoverRule} from "./CoverRule.sol";
import {IRatingFeed} from "./IRatingFeed.sol";
import {WaterfallChecks} from "./WaterfallChecks.sol";
import {WaterfallMath} from "./WaterfallMath.sol";
import {WaterfallSteps} from "./WaterfallSteps.sol";

/// @title Waterfall
/// @notice The payment waterfall of one period (docs/waterfall.md), ported line by line
/// from the reference `ledger/deals/waterfall.py`: same integers, same order, every division
/// rounded down. Section numbers (§) match the specification. Loops run over the tranches
/// only (at most 8), never over loans or holders.
/// @dev This file holds the deal's types, errors and constants, the two external entry
/// points and `applyPeriod`, the order of the steps. The steps are in WaterfallSteps, the
/// formulas in WaterfallMath and the input checks in WaterfallChecks: internal libraries,
/// inlined here, so the deployed library is one piece of code.
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
        WaterfallChecks.checkTerms(t);
        WaterfallChecks.checkRatingTrigger(rt, t.tranches.length);
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
        WaterfallChecks.checkReport(s, r);
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
        WaterfallSteps.accrueFeesAndInterest(t, s, res, a);
        WaterfallSteps.accruePremiums(t, s, res, c, cr);

        // §5 Coverage figures before this period's losses: the notes' principal outstanding.
        for (uint256 i; i < n - 1; ++i) {
            a.notesOutstanding += s.balances[i] + s.writedowns[i];
            a.notesBefore += s.balances[i];
        }

        // §6 Losses, from the most junior up; §7 recoveries, from the most senior down.
        WaterfallSteps.writeDown(s, res, r.newDefaults);
        // §7a after every note and before equity, recoveries repay the guarantor.
        a.principalReceipts -= WaterfallSteps.writeUp(s, res, r.recoveries - toInsurer, c, cr);
        res.principalDue = a.principalReceipts;

        // §8 Triggers, on this period's own figures before distribution; they govern it.
        WaterfallSteps.testTriggers(t, s, r, res, a);

        // §9 Revenue priority of payments.
        WaterfallSteps.payRevenue(t, s, res, a, c, cr);

        // §10 Principal priority: receipts plus cures; §11 the residual.
        WaterfallSteps.payPrincipalAndResidual(t, s, res, a);

        // §12 Clean-up call eligibility.
        res.cleanupEligible = WaterfallMath.cleanupEligible(t, r.poolBalance);

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
}
