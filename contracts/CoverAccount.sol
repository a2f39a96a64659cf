// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {ICoverFacility} from "./ICoverFacility.sol";
import {IInvestorRegistry} from "./IInvestorRegistry.sol";

/// @title CoverAccount
/// @notice The collateral account shared by GuaranteeFacility and InsurancePolicy: the
/// provider (admitted in the investor registry) posts collateral in the settlement token,
/// tops it up, withdraws only above what the cover requires, and gets it back once the
/// cover is released. Only the pool draws on it, at the amount its waterfall computed.
abstract contract CoverAccount is ICoverFacility, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @inheritdoc ICoverFacility
    address public immutable pool;
    /// @inheritdoc ICoverFacility
    address public immutable provider;
    /// @notice The settlement token of the pool.
    IERC20 public immutable token;
    /// @notice Collateral required while the cover is in force (at most the limit left).
    uint256 public immutable collateralRequired;
    /// @notice Whether the pool has bound this cover.
    bool public bound;

    error NotProvider(address caller);
    error NotPool(address caller);
    error NotAllowed(address provider);
    error ZeroAmount();
    error AlreadyBound();
    error BelowRequired(uint256 left, uint256 required);
    error NotReleasable();
    error AlreadyReleased();

    event CollateralPosted(address indexed provider, uint256 amount, uint256 collateral);
    event CollateralWithdrawn(address indexed provider, uint256 amount, uint256 collateral);
    event Bound(address indexed pool);
    event Released(address indexed provider, uint256 amount);

    modifier onlyProvider() {
        if (msg.sender != provider) revert NotProvider(msg.sender);
        _;
    }

    modifier onlyPool() {
        if (msg.sender != pool) revert NotPool(msg.sender);
        _;
    }

    constructor(address pool_, address provider_, address token_, address registry, uint256 required_) {
        if (!IInvestorRegistry(registry).isAllowed(provider_)) revert NotAllowed(provider_);
        pool = pool_;
        provider = provider_;
        token = IERC20(token_);
        collateralRequired = required_;
    }

    /// @notice Posts (or tops up) `amount` of collateral.
    /// @param amount settlement-token units, pulled from the provider
    function post(uint256 amount) external nonReentrant onlyProvider {
        if (amount == 0) revert ZeroAmount();
        if (_released()) revert AlreadyReleased();
        token.safeTransferFrom(msg.sender, address(this), amount);
        _setCollateral(collateral() + amount);
        emit CollateralPosted(msg.sender, amount, collateral());
    }

    /// @notice Withdraws `amount`, never below what the cover requires.
    /// @param amount settlement-token units
    function withdraw(uint256 amount) external nonReentrant onlyProvider {
        if (amount == 0) revert ZeroAmount();
        uint256 have = collateral();
        uint256 need = required();
        if (amount > have || have - amount < need) revert BelowRequired(have - _min(amount, have), need);
        _setCollateral(have - amount);
        token.safeTransfer(msg.sender, amount);
        emit CollateralWithdrawn(msg.sender, amount, have - amount);
    }

    /// @inheritdoc ICoverFacility
    function bind() external onlyPool {
        if (bound) revert AlreadyBound();
        if (collateral() < required()) revert BelowRequired(collateral(), required());
        bound = true;
        emit Bound(pool);
    }

    /// @notice Releases the cover and returns the collateral to the provider once the pool
    /// has matured, been called or wound down, the term is over or the covered position is
    /// repaid (see `releasable`). Anyone may call it.
    function release() external nonReentrant {
        if (_released()) revert AlreadyReleased();
        if (!releasable()) revert NotReleasable();
        uint256 amount = collateral();
        _setCollateral(0);
        _markReleased();
        if (amount > 0) token.safeTransfer(provider, amount);
        emit Released(provider, amount);
    }

    /// @inheritdoc ICoverFacility
    function required() public view virtual returns (uint256);

    /// @inheritdoc ICoverFacility
    function collateral() public view virtual returns (uint256);

    /// @notice Whether `release` may run now.
    function releasable() public view virtual returns (bool);

    /// @dev Pays the pool what its waterfall drew; the state was set by the caller.
    function _payPool(uint256 amount) internal {
        if (amount > 0) token.safeTransfer(pool, amount);
    }

    function _setCollateral(uint256 amount) internal virtual;

    function _markReleased() internal virtual;

    function _released() internal view virtual returns (bool);

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
