// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
contract Hello is Ownable { constructor() Ownable(msg.sender) {} }
