// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IInvestorRegistry} from "./IInvestorRegistry.sol";

/// @title Permissioned tranche token
/// @notice An ERC-20 that only allowlisted, unfrozen investors can hold and move, minted and
/// burned by its pool, paying the pool's distributions (in the settlement token) to holders
/// pro rata through a per-token accumulator that holders draw from (pull, not push).
interface ITrancheToken is IERC20 {
    /// @notice The pool distributed `amount`; each token accrued `perTokenIncrement` / 2**128.
    /// @param amount settlement-token units added by this distribution
    /// @param supply token supply the distribution was divided over (0: all carried)
    /// @param perTokenIncrement magnified (x 2**128) amount credited per token unit, rounded down
    /// @param carriedRemainder magnified remainder not yet allocated, carried into the next
    /// distribution (always < supply, so under one settlement unit, unless supply is 0)
    event Distributed(
        uint256 amount, uint256 supply, uint256 perTokenIncrement, uint256 carriedRemainder
    );
    event Claimed(address indexed holder, uint256 amount);
    event Frozen(address indexed account, uint16 reason, address indexed agent);
    event Unfrozen(address indexed account, address indexed agent);
    event ForcedTransfer(
        address indexed from,
        address indexed to,
        uint256 amount,
        bytes32 reasonCode,
        address indexed agent
    );

    error ZeroAddress(string field);
    error ZeroAmount();
    error NotPool(address caller);
    error InvestorNotAllowed(address account, IInvestorRegistry.Status status);
    error AccountFrozen(address account, uint16 reason);
    error AlreadyFrozen(address account);
    error NotFrozen(address account);
    error UnfundedDistribution(uint256 amount, uint256 available);

    /// @notice Mint `amount` to `to`, which must be allowed and not frozen. Only the pool.
    /// @param to receiving investor
    /// @param amount token units
    function mint(address to, uint256 amount) external;

    /// @notice Burn `amount` from `from`, which must be allowed and not frozen. Only the pool.
    /// @param from holding investor
    /// @param amount token units
    function burn(address from, uint256 amount) external;

    /// @notice Credit `amount` settlement-token units, already transferred to this contract,
    /// to current holders pro rata. Only the pool. Constant gas in the number of holders.
    /// @param amount settlement-token units
    function distribute(uint256 amount) external;

    /// @notice Pay the caller its accrued settlement tokens. Reverts if the caller is frozen
    /// or not allowed; its accrual is then kept.
    /// @return amount paid (0 when nothing whole has accrued)
    function claim() external returns (uint256);

    /// @notice Pay `holder` (never anyone else) its accrued settlement tokens; anyone may call.
    /// @param holder the holder to pay; must be allowed and not frozen
    /// @return amount paid
    function claimFor(address holder) external returns (uint256);

    /// @notice Settlement-token units `holder` could claim now.
    /// @param holder any address
    /// @return whole units accrued and unclaimed
    function claimable(address holder) external view returns (uint256);

    /// @notice Freeze `account` for this token only. Only AGENT_ROLE.
    /// @param account address to freeze
    /// @param reason compliance reason code
    function freeze(address account, uint16 reason) external;

    /// @notice Lift a token-level freeze. Only AGENT_ROLE.
    /// @param account a frozen address
    function unfreeze(address account) external;

    /// @notice Move `amount` from `from` to `to` without the holder's consent (lost keys,
    /// court orders). Ignores every restriction on `from`; `to` must be allowed and not
    /// frozen. Accrued distributions are settled first and stay with `from`. Only AGENT_ROLE.
    /// @param from current holder
    /// @param to receiving investor
    /// @param amount token units
    /// @param reasonCode agent's reference for the order (e.g. a hash of the court order)
    function forcedTransfer(address from, address to, uint256 amount, bytes32 reasonCode)
        external;

    /// @notice Whether `account` is frozen for this token, and why.
    /// @param account any address
    /// @return frozen true when frozen
    /// @return reason reason code (0 when not frozen)
    function frozenStatus(address account) external view returns (bool frozen, uint16 reason);
}
