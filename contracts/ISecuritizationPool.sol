// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Waterfall} from "./Waterfall.sol";

/// @title ISecuritizationPool
/// @notice Types, events and errors of a Credence securitization pool (one pool per deal).
interface ISecuritizationPool {
    /// @notice Lifecycle: Structuring -> Subscription -> Active -> Amortising -> Matured | Called
    /// -> WoundDown, and Cancelled from Subscription.
    enum State {
        Structuring,
        Subscription,
        Active,
        Amortising,
        Matured,
        Called,
        WoundDown,
        Cancelled
    }

    /// @notice What `close` does with a tranche that is not fully subscribed: refuse to close,
    /// mint the remainder to the originator (risk retention: it keeps those notes instead of
    /// cash), or resize the tranche to what was subscribed.
    enum Unsubscribed {
        Refuse,
        Retain,
        Resize
    }

    /// @notice Loan-tape commitment: OpenZeppelin StandardMerkleTree root and the aggregates
    /// (weighted by current principal, rounded down) anyone holding the tape can re-derive.
    struct Tape {
        bytes32 root;
        uint256 count;
        uint256 balance;
        uint256 waRateBps;
        uint256 waScore;
        uint256 waRemainingTermMonths;
    }

    /// @notice Aggregates of a period's new tape, reported with it (its balance is the report's
    /// poolBalance and its root the report's tapeRoot).
    struct TapeStats {
        uint256 count;
        uint256 waRateBps;
        uint256 waScore;
        uint256 waRemainingTermMonths;
    }

    /// @notice Everything `initialize` needs; the factory passes it through.
    /// @param admin DEFAULT_ADMIN_ROLE (grants and revokes the other roles)
    /// @param structurer STRUCTURER_ROLE: opens subscription, closes or cancels, winds down
    /// @param servicer SERVICER_ROLE: reports periods (paying the cash in), exercises the call
    /// @param originator receives the proceeds at close
    /// @param servicerFeeRecipient receives the servicer fee every period
    /// @param trusteeFeeRecipient receives the trustee fee every period
    /// @param closingTime unix time the deal closes: the start of the first accrual period
    /// @param initialReserve reserve funded at close out of the proceeds
    /// @param rating the rating trigger read at every period report (a zero feed: none)
    struct InitParams {
        address admin;
        address structurer;
        address servicer;
        address originator;
        address servicerFeeRecipient;
        address trusteeFeeRecipient;
        address settlementToken;
        address registry;
        uint256 closingTime;
        uint256 initialReserve;
        Waterfall.Terms terms;
        Tape tape;
        Waterfall.RatingTrigger rating;
    }

    error WrongState(State current);
    error NotAllowed(address investor);
    error UnknownTranche(uint256 tranche);
    error ZeroAmount();
    error ZeroAddress(string field);
    error CapExceeded(uint256 tranche, uint256 remaining);
    error NothingSubscribed();
    error ReserveExceedsProceeds(uint256 reserve, uint256 proceeds);
    error NothingToRefund(address investor, uint256 tranche);
    error TapeBalanceMismatch(uint256 tapeBalance, uint256 initialPoolBalance);
    error PeriodNotEnded(uint256 periodEnd, uint256 now_);
    error CallNotEligible(uint256 poolBalance);
    error PoolNotRetired(uint256 poolBalance);
    error CallMustRetirePool(uint256 poolBalance);
    error CashNotConserved(uint256 cashIn, uint256 cashOut, uint256 retained);
    error TranchesNotPool(uint256 tranchesTotal, uint256 initialPoolBalance);
    error EmptyTranche(uint256 tranche);
    error TrancheNotFull(uint256 tranche, uint256 subscribed, uint256 size);
    error TreatmentCount(uint256 given, uint256 tranches);
    /// @notice A tranche whose token has no supply would be paid `amount` (0 at close: equity
    ///         left without a holder), and no holder could ever claim it.
    error NoHolder(uint256 tranche, uint256 amount);
    error PrincipalExceedsPool(uint256 principal, uint256 poolBalance);
    error DefaultsExceedPool(uint256 newDefaults, uint256 remaining);
    error PoolBalanceMismatch(uint256 reported, uint256 expected, uint256 tolerance);
    error DelinquencyExceedsPool(uint256 delinquent, uint256 poolBalance);

    /// @notice A guarantee facility or insurance policy is already bound.
    error CoverAlreadyBound(address facility);
    /// @notice The facility was made for another pool.
    error CoverForAnotherPool(address pool);

    /// @notice A guarantee facility (`guarantee` true) or an insurance policy was bound.
    event CoverBound(address indexed facility, bool guarantee);
    event PoolInitialized(InitParams params, address[] tokens);
    event StateChanged(State from, State to);
    event Subscribed(address indexed investor, uint256 indexed tranche, uint256 amount);
    event Refunded(address indexed investor, uint256 indexed tranche, uint256 amount);
    event Closed(address indexed originator, uint256 proceeds, uint256 reserve, uint256[] faces);
    /// @notice At close, `amount` of an unfilled `tranche` minted to the originator (retained).
    event Retained(uint256 indexed tranche, address indexed originator, uint256 amount);
    /// @notice One per period: the report, every tranche's figures and the period totals;
    /// enough to rebuild every balance, shortfall, write-down and trigger state.
    event PeriodReported(
        uint256 indexed period,
        Waterfall.Report report,
        TapeStats stats,
        Waterfall.Result result
    );
    event WoundDown(uint256 releasedToEquity);
}
