// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ITrancheToken} from "./ITrancheToken.sol";
import {PoolBase} from "./PoolBase.sol";

/// @title PoolSubscription
/// @notice The pool before it runs: subscription opens, investors subscribe (tranche tokens
/// minted 1:1 at once), and the deal either closes (proceeds to the originator, reserve
/// kept, the waterfall's opening state set) or is cancelled and every subscriber refunded.
abstract contract PoolSubscription is PoolBase {
    using SafeERC20 for IERC20;

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
}
