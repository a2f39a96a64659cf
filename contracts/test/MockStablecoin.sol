// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockStablecoin
/// @notice A 6-decimal ERC-20 with an open mint, standing in for a stablecoin in tests and
/// demos. Never deploy it where its balances are meant to be worth anything.
contract MockStablecoin is ERC20 {
    constructor() ERC20("Mock USD", "mUSD") {}

    /// @notice Token decimals: 6, as USDC and most fiat stablecoins.
    /// @return 6
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mint `amount` to `to`; open to anyone (test token).
    /// @param to receiver
    /// @param amount units of 10**-6
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
