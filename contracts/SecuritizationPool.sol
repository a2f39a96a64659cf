// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IInvestorRegistry} from "./IInvestorRegistry.sol";
import {ISecuritizationPool} from "./ISecuritizationPool.sol";
import {ITrancheToken} from "./ITrancheToken.sol";
import {CoverRule} from "./CoverRule.sol";
import {GuaranteeFacility} from "./GuaranteeFacility.sol";
import {InsurancePolicy} from "./InsurancePolicy.sol";
import {Waterfall} from "./Waterfall.sol";
import {WaterfallMath} from "./WaterfallMath.sol";

/// @title SecuritizationPool
/// @notice One deal: subscription in the settlement token, permissioned tranche tokens, and
/// the period waterfall (docs/waterfall.md) run on chain when the servicer pays the
/// collections in. Distributions are pulled by holders from the tranche tokens, so no
/// function here loops over holders or loans. Deployed as a clone by PoolFactory.
contract SecuritizationPool is ISecuritizationPool, AccessControl, Initializable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant STRUCTURER_ROLE = keccak256("STRUCTURER_ROLE");
    bytes32 public constant SERVICER_ROLE = keccak256("SERVICER_ROLE");
    /// @notice Rounding a period report's pool balance may carry, per loan of the tape.
    uint256 public constant BALANCE_TOLERANCE_PER_LOAN = 1;

    /// @notice Current lifecycle state.
    State public state;
    /// @notice Token subscriptions, collections and distributions are paid in.
    IERC20 public settlementToken;
    /// @notice Allowlist every subscriber must be on.
    IInvestorRegistry public registry;
    /// @notice Receives the proceeds at close.
    address public originator;
    /// @notice Receives the servicer fee.
    address public servicerFeeRecipient;
    /// @notice Receives the trustee fee.
    address public trusteeFeeRecipient;
    /// @notice Start of the first accrual period.
    uint256 public closingTime;
    /// @notice Reserve funded at close out of the proceeds.
    uint256 public initialReserve;

    /// @notice The bound guarantee facility (zero if none).
    GuaranteeFacility public guarantee;
    /// @notice The bound insurance policy (zero if none).
    InsurancePolicy public insurance;
    /// @notice The rating trigger (§8) read from its feed at every period (zero feed: none).
    Waterfall.RatingTrigger public ratingTrigger;

    ITrancheToken[] internal _tokens;
    Waterfall.Terms internal _terms;
    Waterfall.State internal _deal;
    Tape internal _tape;

    constructor() {
        _disableInitializers();
    }

    modifier inState(State expected) {
        if (state != expected) revert WrongState(state);
        _;
    }

    /// @notice Sets the deal up once (the factory calls it in the clone's creation transaction).
    /// @param p terms, roles, parties and the opening loan tape
    /// @param tokens one tranche token per tranche, most senior first, minted only by this pool
    function initialize(InitParams calldata p, address[] calldata tokens) external initializer {
        _requireNonZero(p);
        Waterfall.validate(p.terms, p.rating);
        if (tokens.length != p.terms.tranches.length) revert Waterfall.InvalidTerms("tokens");
        if (p.tape.balance != p.terms.initialPoolBalance) {
            revert TapeBalanceMismatch(p.tape.balance, p.terms.initialPoolBalance);
        }
        _checkSizes(p.terms, p.initialReserve);
        _grantRole(DEFAULT_ADMIN_ROLE, p.admin);
        _grantRole(STRUCTURER_ROLE, p.structurer);
        _grantRole(SERVICER_ROLE, p.servicer);
        settlementToken = IERC20(p.settlementToken);
        registry = IInvestorRegistry(p.registry);
        originator = p.originator;
        servicerFeeRecipient = p.servicerFeeRecipient;
        trusteeFeeRecipient = p.trusteeFeeRecipient;
        closingTime = p.closingTime;
        initialReserve = p.initialReserve;
        _terms = p.terms;
        _tape = p.tape;
        ratingTrigger = p.rating;
        for (uint256 i; i < tokens.length; ++i) {
            _tokens.push(ITrancheToken(tokens[i]));
        }
        emit PoolInitialized(p, tokens);
    }

    // ---------------------------------------------------------------- subscription

    /// @notice Opens subscription; the terms can no longer change.
    function openSubscription() external onlyRole(STRUCTURER_ROLE) inState(State.Structuring) {
        _moveTo(State.Subscription);
    }

    /// @notice Subscribes `amount` of the settlement token to `tranche`. Tranche tokens are
    /// minted 1:1 at once and redeem 1:1 through `refund` if the deal is cancelled.
    /// @dev Minting here rather than at close keeps `close` independent of the number of
    /// subscribers.
    /// @param tranche tranche index (0 = most senior)
    /// @param amount settlement-token units; the tranche's size is its cap
    function subscribe(uint256 tranche, uint256 amount)
        external
        nonReentrant
        inState(State.Subscription)
    {
        ITrancheToken token = _token(tranche);
        if (amount == 0) revert ZeroAmount();
        if (!registry.isAllowed(msg.sender)) revert NotAllowed(msg.sender);
        uint256 remaining = _terms.tranches[tranche].size - token.totalSupply();
        if (amount > remaining) revert CapExceeded(tranche, remaining);
        settlementToken.safeTransferFrom(msg.sender, address(this), amount);
        token.mint(msg.sender, amount);
        emit Subscribed(msg.sender, tranche, amount);
    }

    /// @notice Closes the deal. A tranche not fully subscribed is refused unless `unsubscribed`
    /// (one entry per tranche, or empty for Refuse everywhere) says what happens to it:
    /// Retain mints the remainder to the originator, Resize makes its face what was
    /// subscribed. Each face becomes the tranche's waterfall size; the equity tranche must
    /// end up held (its residual would otherwise be paid to nobody). The initial reserve is
    /// kept out of the cash subscribed, the rest goes to the originator, the pool is Active.
    /// @param unsubscribed treatment of each tranche's unsubscribed part (empty: Refuse)
    // slither-disable-next-line reentrancy-no-eth (calls reach only the pool's own tranche tokens; nonReentrant)
    function close(Unsubscribed[] calldata unsubscribed)
        external
        nonReentrant
        onlyRole(STRUCTURER_ROLE)
        inState(State.Subscription)
    {
        uint256 n = _tokens.length;
        if (unsubscribed.length != 0 && unsubscribed.length != n) {
            revert TreatmentCount(unsubscribed.length, n);
        }
        uint256[] memory faces = new uint256[](n);
        uint256 proceeds = 0;
        for (uint256 i; i < n; ++i) {
            uint256 subscribed = _tokens[i].totalSupply();
            proceeds += subscribed;
            Unsubscribed treatment = unsubscribed.length == 0 ? Unsubscribed.Refuse : unsubscribed[i];
            faces[i] = _resolveFace(i, subscribed, treatment);
            _terms.tranches[i].size = faces[i];
            _deal.balances.push(faces[i]);
            _deal.shortfalls.push(0);
            _deal.writedowns.push(0);
        }
        if (proceeds == 0) revert NothingSubscribed();
        if (faces[n - 1] == 0) revert NoHolder(n - 1, 0);
        if (initialReserve > proceeds) revert ReserveExceedsProceeds(initialReserve, proceeds);
        _deal.reserve = initialReserve;
        _deal.poolBalance = _terms.initialPoolBalance;
        _deal.lastPeriodEnd = closingTime;
        _moveTo(State.Active);
        settlementToken.safeTransfer(originator, proceeds - initialReserve);
        emit Closed(originator, proceeds - initialReserve, initialReserve, faces);
    }

    /// @notice Cancels the deal during subscription; subscribers then `refund`.
    function cancel() external onlyRole(STRUCTURER_ROLE) inState(State.Subscription) {
        _moveTo(State.Cancelled);
    }

    /// @notice After a cancel, burns the caller's `tranche` tokens and pays back as much of
    /// the settlement token.
    /// @param tranche tranche index
    function refund(uint256 tranche) external nonReentrant inState(State.Cancelled) {
        ITrancheToken token = _token(tranche);
        uint256 amount = token.balanceOf(msg.sender);
        // slither-disable-next-line incorrect-equality (nothing held means nothing to refund)
        if (amount == 0) revert NothingToRefund(msg.sender, tranche);
        token.burn(msg.sender, amount);
        settlementToken.safeTransfer(msg.sender, amount);
        emit Refunded(msg.sender, tranche, amount);
    }

    // ---------------------------------------------------------------- periods

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

    // ---------------------------------------------------------------- cover (§14)

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

    // ---------------------------------------------------------------- views

    /// @notice Number of tranches (the last one is equity).
    /// @return count
    function trancheCount() external view returns (uint256) {
        return _tokens.length;
    }

    /// @notice Token of `tranche`.
    /// @param tranche tranche index (0 = most senior)
    /// @return the ERC-20 tranche token
    function trancheToken(uint256 tranche) external view returns (address) {
        return address(_token(tranche));
    }

    /// @notice Deal terms; after close, tranche sizes are the subscribed faces.
    /// @return terms
    function terms() external view returns (Waterfall.Terms memory) {
        return _terms;
    }

    /// @notice Waterfall state after the last period (empty vectors before close).
    /// @return deal state
    function dealState() external view returns (Waterfall.State memory) {
        return _deal;
    }

    /// @notice Current loan-tape commitment.
    /// @return tape root and aggregates
    function tape() external view returns (Tape memory) {
        return _tape;
    }

    /// @notice Whether `leaf` (a StandardMerkleTree leaf hash of a loan) is in the current tape.
    /// @param proof the loan's Merkle proof
    /// @param leaf the loan's leaf hash
    /// @return true when the proof leads to the stored root
    function isLoanInTape(bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        return MerkleProof.verifyCalldata(proof, _tape.root, leaf);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Create-time guard rails: every tranche has a size, the sizes add up to the pool,
    /// and a fully subscribed close can fund the initial reserve.
    function _checkSizes(Waterfall.Terms calldata t, uint256 reserve) internal pure {
        uint256 total = 0;
        for (uint256 i; i < t.tranches.length; ++i) {
            if (t.tranches[i].size == 0) revert EmptyTranche(i);
            total += t.tranches[i].size;
        }
        if (total != t.initialPoolBalance) revert TranchesNotPool(total, t.initialPoolBalance);
        if (reserve > total) revert ReserveExceedsProceeds(reserve, total);
    }

    /// @dev The face of `tranche` at close: its size when full, else as `treatment` says.
    function _resolveFace(uint256 tranche, uint256 subscribed, Unsubscribed treatment)
        internal
        returns (uint256)
    {
        uint256 size = _terms.tranches[tranche].size;
        if (subscribed == size) return size;
        if (treatment == Unsubscribed.Retain) {
            _tokens[tranche].mint(originator, size - subscribed);
            emit Retained(tranche, originator, size - subscribed);
            return size;
        }
        if (treatment == Unsubscribed.Resize) return subscribed;
        revert TrancheNotFull(tranche, subscribed, size);
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

    /// @dev Cash for a tranche nobody holds could never be claimed: refused, never sent.
    function _distribute(uint256 tranche, uint256 amount) internal {
        if (amount == 0) return;
        ITrancheToken token = _tokens[tranche];
        if (token.totalSupply() == 0) revert NoHolder(tranche, amount);
        settlementToken.safeTransfer(address(token), amount);
        token.distribute(amount);
    }

    function _pay(address to, uint256 amount) internal {
        if (amount > 0) settlementToken.safeTransfer(to, amount);
    }

    function _principalPaid(Waterfall.Result memory res) internal pure returns (bool) {
        for (uint256 i; i < res.tranches.length; ++i) {
            if (res.tranches[i].principalPaid > 0) return true;
        }
        return false;
    }

    function _requireRunning() internal view {
        if (state != State.Active && state != State.Amortising) revert WrongState(state);
    }

    function _requireNonZero(InitParams calldata p) internal pure {
        if (p.admin == address(0)) revert ZeroAddress("admin");
        if (p.structurer == address(0)) revert ZeroAddress("structurer");
        if (p.servicer == address(0)) revert ZeroAddress("servicer");
        if (p.originator == address(0)) revert ZeroAddress("originator");
        if (p.servicerFeeRecipient == address(0)) revert ZeroAddress("servicerFeeRecipient");
        if (p.trusteeFeeRecipient == address(0)) revert ZeroAddress("trusteeFeeRecipient");
        if (p.settlementToken == address(0)) revert ZeroAddress("settlementToken");
        if (p.registry == address(0)) revert ZeroAddress("registry");
    }

    function _token(uint256 tranche) internal view returns (ITrancheToken) {
        if (tranche >= _tokens.length) revert UnknownTranche(tranche);
        return _tokens[tranche];
    }

    function _moveTo(State next) internal {
        emit StateChanged(state, next);
        state = next;
    }
}
