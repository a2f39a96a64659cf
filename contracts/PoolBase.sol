// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IInvestorRegistry} from "./IInvestorRegistry.sol";
import {ISecuritizationPool} from "./ISecuritizationPool.sol";
import {ITrancheToken} from "./ITrancheToken.sol";
import {GuaranteeFacility} from "./GuaranteeFacility.sol";
import {InsurancePolicy} from "./InsurancePolicy.sol";
import {Waterfall} from "./Waterfall.sol";

/// @title PoolBase
/// @notice The pool's storage and the steps every part of it shares: roles, the lifecycle
/// state and its moves, the tranche lookup, and paying out in the settlement token. The
/// parts (PoolSubscription, PoolCover, PoolPeriods) inherit it; SecuritizationPool joins
/// them. Every state variable of the pool is declared here, in one place and one order,
/// so the storage layout is the one a single contract would have.
abstract contract PoolBase is ISecuritizationPool, AccessControl, Initializable, ReentrancyGuard {
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

    modifier inState(State expected) {
        if (state != expected) revert WrongState(state);
        _;
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

    function _requireRunning() internal view {
        if (state != State.Active && state != State.Amortising) revert WrongState(state);
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
