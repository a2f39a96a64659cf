// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

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
    uint8 internal constant THIRTY_360 = 0;
    uint8 internal constant ACT_360 = 1;
    uint8 internal constant SEQUENTIAL = 0;

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
    }

    /// @notice §1 state kept between periods (vectors are per tranche).
    struct State {
        uint256[] balances;
        uint256[] shortfalls;
        uint256[] writedowns;
        uint256 servicerShortfall;
        uint256 trusteeShortfall;
        uint256 reserve;
        uint256 poolBalance;
        uint256 lastPeriodEnd;
        bool triggerBreached;
        uint256 period;
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
        uint256 writedown;
        uint256 writeup;
        uint256 balance;
    }

    /// @notice §13 the period's figures.
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
        bool triggerInForce;
        uint256 ocRatioBps;
        uint256 icRatioBps;
        bool ocPass;
        bool icPass;
        bool triggerBreached;
        bool cleanupEligible;
        uint256 cashIn;
    }

    /// @notice Runs one period; `s` becomes the state after the period (§13).
    function applyPeriod(Terms memory t, State memory s, Report memory r)
        internal
        pure
        returns (Result memory res)
    {
        checkReport(s, r);
        uint256 n = t.tranches.length;
        res.tranches = new TrancheResult[](n);
        res.cashIn = r.interest + r.scheduledPrincipal + r.prepayments + r.recoveries;
        res.triggerInForce = s.triggerBreached;
        res.reserveBefore = s.reserve;

        // §2 Accrual periods.
        res.accrualDays = (r.periodEnd - s.lastPeriodEnd) / SECONDS_PER_DAY;

        // §3 Available funds: this period's cash plus the whole reserve.
        uint256 available = res.cashIn + s.reserve;

        // §4 Fees, on the pool balance at the start of the period.
        uint256 feesCurrent;
        (available, feesCurrent) = _payFees(t, s, res, available);

        // §5 Interest by seniority, on the balances at the start of the period.
        uint256 notesInterest;
        (available, notesInterest) = _payInterest(t, s, res, available);

        // §6 Reserve top-up; the target falls to 0 once the notes are repaid.
        res.reserveTarget = _sum(s.balances, n - 1) > 0 ? t.reserveTarget : 0;
        s.reserve = _min(res.reserveTarget, available);
        available -= s.reserve;

        // §7 Losses, then §8 recoveries, on the start-of-period balances.
        _writeDown(s, res, r.newDefaults);
        _writeUp(s, res, r.recoveries);

        // §9 Principal: sequential if the deal says so or a trigger is in force, else pro rata.
        available = _payPrincipal(t, s, r, res, available);

        // §10 Residual: to equity, or trapped in the reserve while a trigger is in force.
        res.reserveTrapped = s.triggerBreached ? available : 0;
        res.residualToEquity = available - res.reserveTrapped;
        s.reserve += res.reserveTrapped;
        res.reserveAfter = s.reserve;

        // §11 Triggers, on the figures after distribution; they govern the next period.
        res.ocRatioBps = coverageRatio(r.poolBalance + s.reserve, _sum(s.balances, n - 1));
        uint256 netInterest = r.interest - _min(r.interest, feesCurrent);
        res.icRatioBps = coverageRatio(netInterest, notesInterest);
        res.ocPass = res.ocRatioBps >= t.ocTriggerBps;
        res.icPass = res.icRatioBps >= t.icTriggerBps;
        res.triggerBreached = !(res.ocPass && res.icPass);

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
    }

    function _payFees(Terms memory t, State memory s, Result memory res, uint256 available)
        private
        pure
        returns (uint256, uint256 feesCurrent)
    {
        (uint256 days_, uint256 basis) = accrual(t.feeDayCount, t.periodMonths, res.accrualDays);
        uint256 servicerCurrent = accrue(s.poolBalance, t.servicerFeeBps, days_, basis);
        res.servicerFeeDue = servicerCurrent + s.servicerShortfall;
        res.servicerFeePaid = _min(res.servicerFeeDue, available);
        available -= res.servicerFeePaid;
        uint256 trusteeCurrent = accrue(s.poolBalance, t.trusteeFeeBps, days_, basis);
        res.trusteeFeeDue = trusteeCurrent + s.trusteeShortfall;
        res.trusteeFeePaid = _min(res.trusteeFeeDue, available);
        available -= res.trusteeFeePaid;
        s.servicerShortfall = res.servicerFeeDue - res.servicerFeePaid;
        s.trusteeShortfall = res.trusteeFeeDue - res.trusteeFeePaid;
        return (available, servicerCurrent + trusteeCurrent);
    }

    /// @dev Returns the funds left and the current interest of the notes (for §11).
    function _payInterest(Terms memory t, State memory s, Result memory res, uint256 available)
        private
        pure
        returns (uint256, uint256 notesInterest)
    {
        uint256 n = t.tranches.length;
        for (uint256 i; i < n; ++i) {
            TrancheTerms memory tranche = t.tranches[i];
            (uint256 days_, uint256 basis) = accrual(tranche.dayCount, t.periodMonths, res.accrualDays);
            uint256 current = accrue(s.balances[i], tranche.couponBps, days_, basis);
            if (i < n - 1) notesInterest += current;
            TrancheResult memory tr = res.tranches[i];
            tr.interestDue = current + s.shortfalls[i];
            tr.interestPaid = _min(tr.interestDue, available);
            available -= tr.interestPaid;
            tr.interestShortfall = tr.interestDue - tr.interestPaid;
            s.shortfalls[i] = tr.interestShortfall;
        }
        return (available, notesInterest);
    }

    function _payPrincipal(
        Terms memory t,
        State memory s,
        Report memory r,
        Result memory res,
        uint256 available
    ) private pure returns (uint256) {
        uint256 n = t.tranches.length;
        res.principalDue = r.scheduledPrincipal + r.prepayments + r.recoveries;
        uint256 amount = _min(_min(res.principalDue, available), _sum(s.balances, n));
        bool sequential = t.principalMode == SEQUENTIAL || s.triggerBreached;
        uint256[] memory paid = sequential ? paySequential(amount, s.balances) : payProRata(amount, s.balances);
        for (uint256 i; i < n; ++i) {
            res.tranches[i].principalPaid = paid[i];
            s.balances[i] -= paid[i];
        }
        return available - amount;
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

    function _writeUp(State memory s, Result memory res, uint256 recovered) private pure {
        for (uint256 i; i < s.balances.length; ++i) {
            uint256 wu = _min(recovered, s.writedowns[i]);
            recovered -= wu;
            s.balances[i] += wu;
            s.writedowns[i] -= wu;
            res.tranches[i].writeup = wu;
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

    /// @notice §11 numerator / denominator in basis points, rounded down, capped at RATIO_CAP.
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
