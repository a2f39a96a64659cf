// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CoverRule
/// @notice Credit enhancement in the waterfall (docs/waterfall.md §14), ported line by line
/// from `ledger/deals/cover.py`: a guarantee facility behind one note and a credit-insurance
/// policy on the pool's defaults. The Waterfall library calls these steps at their rank;
/// the facilities' contracts keep the state between periods.
library CoverRule {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_AMOUNT = 2 ** 128 - 1;
    uint256 internal constant MAX_BPS = 100_000;
    uint256 internal constant MAX_PERIOD = 100_000;

    /// @notice A cover term or state is outside its domain; `field` names it.
    error InvalidCover(string field);

    /// @notice Covers note `tranche` for periods 1 .. `lastPeriod`, up to `limit` drawn in
    /// total, for `premiumBps` a year on the note's start-of-period balance.
    struct GuaranteeTerms {
        uint256 tranche;
        uint256 limit;
        uint256 premiumBps;
        uint256 lastPeriod;
    }

    struct GuaranteeState {
        uint256 collateral; // posted and not yet drawn
        uint256 drawn; // in total, never above the limit
        uint256 reimbursed; // subrogation received, never above drawn
        uint256 premiumShortfall;
        uint256 unpaidClaims; // demands the collateral could not meet
        bool released;
    }

    /// @notice Pays `coinsuranceBps` of the pool's defaults past an aggregate `deductible`,
    /// up to `limit` paid in total, for `premiumBps` a year on the pool balance.
    struct InsuranceTerms {
        uint256 deductible;
        uint256 limit;
        uint256 coinsuranceBps;
        uint256 premiumBps;
        uint256 lastPeriod;
    }

    struct InsuranceState {
        uint256 capital; // posted and not yet paid out
        uint256 losses; // defaults reported while in force
        uint256 claimsPaid;
        uint256 recovered; // recoveries received, never above claimsPaid
        uint256 premiumShortfall;
        uint256 unpaidClaims;
        bool released;
    }

    /// @notice The cover of one period: what is bound, terms, and the state before it.
    struct Cover {
        bool hasGuarantee;
        GuaranteeTerms gt;
        GuaranteeState gs;
        bool hasInsurance;
        InsuranceTerms it;
        InsuranceState ins;
    }

    struct GuaranteeResult {
        uint256 premiumDue;
        uint256 premiumPaid;
        uint256 demand; // min(need, limit left)
        uint256 draw; // min(demand, collateral)
        uint256 drawInterest;
        uint256 drawCure;
        uint256 unpaidClaim;
        uint256 fromRecoveries; // §7a
        uint256 fromRevenue; // 9.3d
        GuaranteeState state;
    }

    struct InsuranceResult {
        uint256 premiumDue;
        uint256 premiumPaid;
        uint256 claim;
        uint256 claimPaid;
        uint256 unpaidClaim;
        uint256 recovered; // §3b
        InsuranceState state;
    }

    /// @notice The period's cover figures; `state` fields are the states after it.
    struct Result {
        bool hasGuarantee;
        GuaranteeResult g;
        bool hasInsurance;
        InsuranceResult i;
    }

    /// @notice Whether a facility covers `period` (1-based).
    function inForce(uint256 lastPeriod, bool released, uint256 period) internal pure returns (bool) {
        return !released && period <= lastPeriod;
    }

    /// @notice §3a the insurer's share of aggregate losses past the deductible, rounded down.
    function insured(InsuranceTerms memory t, uint256 losses) internal pure returns (uint256) {
        return losses > t.deductible ? ((losses - t.deductible) * t.coinsuranceBps) / BPS : 0;
    }

    /// @notice Starts the period's result from the state before it.
    function begin(Cover memory c) internal pure returns (Result memory r) {
        r.hasGuarantee = c.hasGuarantee;
        r.hasInsurance = c.hasInsurance;
        r.g.state = c.gs;
        r.i.state = c.ins;
    }

    /// @notice §3a the claim (into revenue) and §3b the insurer's recoveries (out of principal).
    function claimAndRecover(Cover memory c, Result memory r, uint256 period, uint256 defaults, uint256 recoveries)
        internal
        pure
        returns (uint256 claimPaid, uint256 toInsurer)
    {
        if (!c.hasInsurance) return (0, 0);
        InsuranceState memory s = c.ins;
        uint256 losses = s.losses;
        if (inForce(c.it.lastPeriod, s.released, period)) {
            losses += defaults;
            uint256 due = insured(c.it, losses) - insured(c.it, s.losses);
            r.i.claim = _min(due, c.it.limit - s.claimsPaid);
            r.i.claimPaid = _min(r.i.claim, s.capital);
        }
        // recoveries belong to the insurer in the share its claims bear to the losses
        uint256 paid = s.claimsPaid + r.i.claimPaid;
        uint256 share = losses > 0 ? (recoveries * paid) / losses : 0;
        r.i.recovered = _min(share, paid - s.recovered);
        r.i.unpaidClaim = r.i.claim - r.i.claimPaid;
        r.i.state.losses = losses;
        return (r.i.claimPaid, r.i.recovered);
    }

    /// @notice §4a premiums due: this period's (if in force) plus the carried shortfall.
    function accruePremiums(Cover memory c, Result memory r, uint256 period, uint256 gCurrent, uint256 iCurrent)
        internal
        pure
    {
        if (c.hasGuarantee) {
            bool on = inForce(c.gt.lastPeriod, c.gs.released, period);
            r.g.premiumDue = (on ? gCurrent : 0) + c.gs.premiumShortfall;
        }
        if (c.hasInsurance) {
            bool on = inForce(c.it.lastPeriod, c.ins.released, period);
            r.i.premiumDue = (on ? iCurrent : 0) + c.ins.premiumShortfall;
        }
    }

    /// @notice §7a recoveries left after the notes' write-up repay the guarantor before equity.
    function subrogateRecoveries(Cover memory c, Result memory r, uint256 unapplied)
        internal
        pure
        returns (uint256)
    {
        if (!c.hasGuarantee) return 0;
        r.g.fromRecoveries = _min(unapplied, c.gs.drawn - c.gs.reimbursed);
        return r.g.fromRecoveries;
    }

    /// @notice 9.3c the draw for the covered note after its own interest and cure.
    function draw(Cover memory c, Result memory r, uint256 period, uint256 interestShort, uint256 deficiency)
        internal
        pure
        returns (uint256 interest, uint256 cure)
    {
        if (!c.hasGuarantee || !inForce(c.gt.lastPeriod, c.gs.released, period)) return (0, 0);
        r.g.demand = _min(interestShort + deficiency, c.gt.limit - c.gs.drawn);
        r.g.draw = _min(r.g.demand, c.gs.collateral);
        interest = _min(r.g.draw, interestShort);
        cure = r.g.draw - interest;
        r.g.drawInterest = interest;
        r.g.drawCure = cure;
    }

    /// @notice 9.3d what the guarantor is still owed after this period's draw and §7a.
    function reimbursementDue(Cover memory c, Result memory r) internal pure returns (uint256) {
        if (!c.hasGuarantee) return 0;
        return c.gs.drawn - c.gs.reimbursed + r.g.draw - r.g.fromRecoveries;
    }

    /// @notice §14 the facilities' states after the period.
    function finish(Cover memory c, Result memory r) internal pure {
        if (c.hasGuarantee) {
            GuaranteeResult memory g = r.g;
            g.unpaidClaim = g.demand - g.draw;
            g.state.collateral = c.gs.collateral - g.draw;
            g.state.drawn = c.gs.drawn + g.draw;
            g.state.reimbursed = c.gs.reimbursed + g.fromRecoveries + g.fromRevenue;
            g.state.premiumShortfall = g.premiumDue - g.premiumPaid;
            g.state.unpaidClaims = c.gs.unpaidClaims + g.unpaidClaim;
        }
        if (c.hasInsurance) {
            InsuranceResult memory i = r.i;
            i.state.capital = c.ins.capital - i.claimPaid;
            i.state.claimsPaid = c.ins.claimsPaid + i.claimPaid;
            i.state.recovered = c.ins.recovered + i.recovered;
            i.state.premiumShortfall = i.premiumDue - i.premiumPaid;
            i.state.unpaidClaims = c.ins.unpaidClaims + i.unpaidClaim;
        }
    }

    /// @notice Cash the facilities pay in (draw, claim) and are paid (premiums, recoveries).
    function flows(Result memory r) internal pure returns (uint256 cashIn, uint256 cashOut) {
        if (r.hasGuarantee) {
            cashIn += r.g.draw;
            cashOut += r.g.premiumPaid + r.g.fromRecoveries + r.g.fromRevenue;
        }
        if (r.hasInsurance) {
            cashIn += r.i.claimPaid;
            cashOut += r.i.premiumPaid + r.i.recovered;
        }
    }

    /// @notice §14.1 domains, reverting with InvalidCover naming the field.
    function check(Cover memory c, uint256 tranches) internal pure {
        if (c.hasGuarantee) {
            if (c.gt.tranche + 1 >= tranches) revert InvalidCover("guarantee.tranche");
            if (c.gt.limit > MAX_AMOUNT) revert InvalidCover("guarantee.limit");
            if (c.gt.premiumBps > MAX_BPS) revert InvalidCover("guarantee.premiumBps");
            if (c.gt.lastPeriod > MAX_PERIOD) revert InvalidCover("guarantee.lastPeriod");
        }
        if (c.hasInsurance) {
            if (c.it.deductible > MAX_AMOUNT) revert InvalidCover("insurance.deductible");
            if (c.it.limit > MAX_AMOUNT) revert InvalidCover("insurance.limit");
            if (c.it.coinsuranceBps > BPS) revert InvalidCover("insurance.coinsuranceBps");
            if (c.it.premiumBps > MAX_BPS) revert InvalidCover("insurance.premiumBps");
            if (c.it.lastPeriod > MAX_PERIOD) revert InvalidCover("insurance.lastPeriod");
        }
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
