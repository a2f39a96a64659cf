// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IInvestorRegistry} from "./IInvestorRegistry.sol";
import {ISecuritizationPool} from "./ISecuritizationPool.sol";
import {SecuritizationPool} from "./SecuritizationPool.sol";
import {TrancheToken} from "./TrancheToken.sol";

/// @title PoolFactory
/// @notice Deploys one SecuritizationPool (a minimal clone of one implementation) and its
/// tranche tokens per deal, in one transaction.
contract PoolFactory {
    /// @notice The pool implementation every clone delegates to.
    address public immutable implementation;
    /// @notice Whether an address is a pool this factory created.
    mapping(address pool => bool) public isPool;
    /// @notice Every pool created, in order.
    address[] public pools;

    /// @notice Name and symbol of one tranche token, most senior first.
    struct TokenSpec {
        string name;
        string symbol;
    }

    event PoolCreated(
        address indexed pool, address indexed creator, bytes32 indexed dealId, address[] tokens
    );

    error ZeroAddress(string field);
    error TrancheCountMismatch(uint256 tokens, uint256 tranches);

    /// @param implementation_ a deployed SecuritizationPool to clone
    constructor(address implementation_) {
        if (implementation_ == address(0)) revert ZeroAddress("implementation");
        implementation = implementation_;
    }

    /// @notice Creates a pool for deal `dealId` with the given terms and one tranche token
    /// per tranche (same decimals as the settlement token).
    /// @param dealId the deal's identifier (e.g. a hash of its spec)
    /// @param params pool terms, roles and opening loan tape
    /// @param tokens tranche token names and symbols, most senior first
    /// @return pool the new pool's address
    function createPool(
        bytes32 dealId,
        ISecuritizationPool.InitParams calldata params,
        TokenSpec[] calldata tokens
    ) external returns (address pool) {
        if (tokens.length != params.terms.tranches.length) {
            revert TrancheCountMismatch(tokens.length, params.terms.tranches.length);
        }
        if (params.admin == address(0)) revert ZeroAddress("admin");
        pool = Clones.clone(implementation);
        uint8 decimals = IERC20Metadata(address(params.settlementToken)).decimals();
        address[] memory deployed = new address[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            deployed[i] = address(
                new TrancheToken(
                    tokens[i].name,
                    tokens[i].symbol,
                    decimals,
                    IInvestorRegistry(address(params.registry)),
                    IERC20(address(params.settlementToken)),
                    pool,
                    params.admin
                )
            );
        }
        SecuritizationPool(pool).initialize(params, deployed);
        isPool[pool] = true;
        pools.push(pool);
        emit PoolCreated(pool, msg.sender, dealId, deployed);
    }

    /// @notice Number of pools created.
    function poolCount() external view returns (uint256) {
        return pools.length;
    }
}
