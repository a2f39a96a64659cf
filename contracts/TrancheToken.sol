// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IInvestorRegistry} from "./IInvestorRegistry.sol";
import {ITrancheToken} from "./ITrancheToken.sol";

/// @title TrancheToken
/// @notice A permissioned ERC-20 for one tranche of a securitization pool. Only investors
/// the registry allows, and this token has not frozen, can receive or send it. The pool
/// mints, burns and distributes; AGENT_ROLE freezes and forces transfers. `multicall`
/// batches calls (e.g. the pool minting to every subscriber at close) in one transaction.
/// @dev Distributions use a magnified per-token accumulator: a distribution adds
/// floor((amount * 2**128 + carried) / supply) to `magnifiedPerToken` and carries the
/// remainder into the next one. Each holder's accrual is settled into `_owed` (kept
/// magnified, so no fraction is dropped) before its balance changes, so a transfer never
/// moves past distributions with the tokens. A claim pays floor(owed / 2**128) and keeps
/// the fraction. Rebuilding from events: accruals follow from Transfer and Distributed.
contract TrancheToken is ERC20, AccessControl, Multicall, ITrancheToken {
    using SafeERC20 for IERC20;

    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    uint256 public constant MAGNITUDE = 2 ** 128;

    /// @notice Where investors' eligibility is checked.
    IInvestorRegistry public immutable registry;
    /// @notice The token distributions are paid in.
    IERC20 public immutable settlementToken;
    /// @notice The only address that may mint, burn and distribute.
    address public immutable pool;
    uint8 private immutable _decimals;

    /// @notice Sum of all per-token increments, times 2**128.
    uint256 public magnifiedPerToken;
    /// @notice Magnified remainder of past distributions not yet allocated to any holder.
    uint256 public carriedRemainder;
    /// @notice Settlement-token units distributed (including amounts still carried).
    uint256 public totalDistributed;
    /// @notice Settlement-token units paid out by claims.
    uint256 public totalClaimed;

    mapping(address holder => uint256) private _owed; // magnified, settled accrual
    mapping(address holder => uint256) private _paidPerToken; // accumulator at last settle
    mapping(address account => uint16 reason) private _freezeReason;
    mapping(address account => bool) private _frozen;

    modifier onlyPool() {
        if (msg.sender != pool) revert NotPool(msg.sender);
        _;
    }

    /// @param name_ ERC-20 name
    /// @param symbol_ ERC-20 symbol
    /// @param decimals_ ERC-20 decimals (usually the settlement token's)
    /// @param registry_ investor registry checked on every receive and send
    /// @param settlementToken_ token distributions are paid in
    /// @param pool_ the pool: sole minter, burner and distributor
    /// @param admin receives DEFAULT_ADMIN_ROLE (grants AGENT_ROLE)
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        IInvestorRegistry registry_,
        IERC20 settlementToken_,
        address pool_,
        address admin
    ) ERC20(name_, symbol_) {
        if (address(registry_) == address(0)) revert ZeroAddress("registry");
        if (address(settlementToken_) == address(0)) revert ZeroAddress("settlementToken");
        if (pool_ == address(0)) revert ZeroAddress("pool");
        if (admin == address(0)) revert ZeroAddress("admin");
        registry = registry_;
        settlementToken = settlementToken_;
        pool = pool_;
        _decimals = decimals_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Token decimals, as set at construction.
    /// @return decimals
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc ITrancheToken
    function mint(address to, uint256 amount) external onlyPool {
        _mint(to, amount);
    }

    /// @inheritdoc ITrancheToken
    function burn(address from, uint256 amount) external onlyPool {
        _burn(from, amount);
    }

    /// @inheritdoc ITrancheToken
    /// @dev With no supply, the whole amount is carried to the next distribution.
    function distribute(uint256 amount) external onlyPool {
        if (amount == 0) revert ZeroAmount();
        uint256 reserved = totalDistributed - totalClaimed;
        uint256 held = settlementToken.balanceOf(address(this));
        uint256 available = held > reserved ? held - reserved : 0;
        if (available < amount) revert UnfundedDistribution(amount, available);

        uint256 supply = totalSupply();
        uint256 pot = amount * MAGNITUDE + carriedRemainder;
        uint256 increment = supply == 0 ? 0 : pot / supply;
        carriedRemainder = supply == 0 ? pot : pot % supply; // dust waits for the next round
        magnifiedPerToken += increment;
        totalDistributed += amount;
        emit Distributed(amount, supply, increment, carriedRemainder);
    }

    /// @inheritdoc ITrancheToken
    function claim() external returns (uint256) {
        return _claim(msg.sender);
    }

    /// @inheritdoc ITrancheToken
    function claimFor(address holder) external returns (uint256) {
        return _claim(holder);
    }

    /// @inheritdoc ITrancheToken
    function claimable(address holder) external view returns (uint256) {
        return _accrued(holder) / MAGNITUDE;
    }

    /// @inheritdoc ITrancheToken
    function freeze(address account, uint16 reason) external onlyRole(AGENT_ROLE) {
        if (account == address(0)) revert ZeroAddress("account");
        if (_frozen[account]) revert AlreadyFrozen(account);
        _frozen[account] = true;
        _freezeReason[account] = reason;
        emit Frozen(account, reason, msg.sender);
    }

    /// @inheritdoc ITrancheToken
    function unfreeze(address account) external onlyRole(AGENT_ROLE) {
        if (!_frozen[account]) revert NotFrozen(account);
        delete _frozen[account];
        delete _freezeReason[account];
        emit Unfrozen(account, msg.sender);
    }

    /// @inheritdoc ITrancheToken
    function forcedTransfer(address from, address to, uint256 amount, bytes32 reasonCode)
        external
        onlyRole(AGENT_ROLE)
    {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        if (amount == 0) revert ZeroAmount();
        _requireEligible(to);
        _settleAndMove(from, to, amount);
        emit ForcedTransfer(from, to, amount, reasonCode, msg.sender);
    }

    /// @inheritdoc ITrancheToken
    function frozenStatus(address account) external view returns (bool, uint16) {
        return (_frozen[account], _freezeReason[account]);
    }

    /// @dev Every mint, burn and transfer: each non-zero side must be eligible.
    function _update(address from, address to, uint256 amount) internal override {
        if (from != address(0)) _requireEligible(from);
        if (to != address(0)) _requireEligible(to);
        _settleAndMove(from, to, amount);
    }

    function _settleAndMove(address from, address to, uint256 amount) private {
        if (from != address(0)) _settle(from);
        if (to != address(0)) _settle(to);
        super._update(from, to, amount);
    }

    /// @dev Fold what `holder` accrued at its current balance into `_owed`.
    function _settle(address holder) private {
        uint256 perToken = magnifiedPerToken;
        uint256 paid = _paidPerToken[holder];
        if (paid == perToken) return;
        _owed[holder] += balanceOf(holder) * (perToken - paid);
        _paidPerToken[holder] = perToken;
    }

    function _accrued(address holder) private view returns (uint256) {
        return _owed[holder] + balanceOf(holder) * (magnifiedPerToken - _paidPerToken[holder]);
    }

    function _claim(address holder) private returns (uint256 amount) {
        _requireEligible(holder);
        _settle(holder);
        uint256 owed = _owed[holder];
        amount = owed / MAGNITUDE;
        if (amount == 0) return 0;
        _owed[holder] = owed % MAGNITUDE; // the sub-unit fraction stays accrued
        totalClaimed += amount;
        emit Claimed(holder, amount);
        settlementToken.safeTransfer(holder, amount);
    }

    function _requireEligible(address account) private view {
        if (_frozen[account]) revert AccountFrozen(account, _freezeReason[account]);
        IInvestorRegistry.Status status = registry.status(account);
        if (status != IInvestorRegistry.Status.Allowed) revert InvestorNotAllowed(account, status);
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(ITrancheToken).interfaceId || super.supportsInterface(interfaceId);
    }
}
