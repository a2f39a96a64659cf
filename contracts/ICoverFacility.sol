// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ICoverFacility
/// @notice What a pool needs of a bound guarantee facility or insurance policy.
interface ICoverFacility {
    /// @notice The pool this facility covers.
    function pool() external view returns (address);

    /// @notice Who posted the collateral and is paid premiums and recoveries.
    function provider() external view returns (address);

    /// @notice Collateral the facility must keep posted now (0 once released).
    function required() external view returns (uint256);

    /// @notice Posted and not yet drawn.
    function collateral() external view returns (uint256);

    /// @notice Called by the pool when the structurer binds the facility.
    function bind() external;
}
