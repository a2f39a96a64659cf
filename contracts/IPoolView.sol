// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISecuritizationPool} from "./ISecuritizationPool.sol";
import {Waterfall} from "./Waterfall.sol";

/// @title IPoolView
/// @notice The pool views a cover facility reads to know when it may be released.
interface IPoolView {
    function state() external view returns (ISecuritizationPool.State);

    function dealState() external view returns (Waterfall.State memory);

    function trancheCount() external view returns (uint256);
}
