// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Investor registry: the KYC allowlist behind permissioned tranche tokens
/// @notice Holds, per address, whether it is listed, until when its KYC is valid, its
/// jurisdiction (ISO 3166-1 alpha-2, e.g. "US") and whether compliance froze it. No
/// personal data: an address, a date, two letters and a reason code.
interface IInvestorRegistry {
    /// @notice Why an address may or may not hold and move permissioned tokens.
    enum Status {
        Allowed,
        NotListed,
        KycExpired,
        JurisdictionBlocked,
        Frozen
    }

    /// @notice One investor's record; fits in one storage slot.
    /// @param listed whether compliance admitted the address
    /// @param kycExpiry first unix second at which the KYC check is no longer valid
    /// @param jurisdiction ISO 3166-1 alpha-2 country code, e.g. 0x5553 for "US"
    /// @param frozen whether compliance froze the address (kept across removal)
    /// @param freezeReason compliance reason code of the current freeze (0 when not frozen)
    struct Investor {
        bool listed;
        uint40 kycExpiry;
        bytes2 jurisdiction;
        bool frozen;
        uint16 freezeReason;
    }

    event InvestorSet(address indexed investor, uint40 kycExpiry, bytes2 jurisdiction);
    event InvestorRemoved(address indexed investor);
    event JurisdictionBlockedSet(bytes2 indexed jurisdiction, bool blocked);
    event InvestorFrozen(address indexed investor, uint16 reason);
    event InvestorUnfrozen(address indexed investor);

    error ZeroAddress(string field);
    error KycExpiryNotInFuture(uint40 kycExpiry, uint256 blockTimestamp);
    error InvalidJurisdiction(bytes2 jurisdiction);
    error NotListed(address investor);
    error AlreadyFrozen(address investor);
    error NotFrozen(address investor);

    /// @notice Admit or update an investor. Only COMPLIANCE_ROLE.
    /// @param investor the investor's address
    /// @param kycExpiry first unix second at which its KYC is no longer valid (must be in the future)
    /// @param jurisdiction two upper-case ASCII letters (ISO 3166-1 alpha-2)
    function setInvestor(address investor, uint40 kycExpiry, bytes2 jurisdiction) external;

    /// @notice Remove an investor from the allowlist; a freeze stays in force. Only COMPLIANCE_ROLE.
    /// @param investor a listed address
    function removeInvestor(address investor) external;

    /// @notice Block or unblock every investor of a jurisdiction. Only COMPLIANCE_ROLE.
    /// @param jurisdiction two upper-case ASCII letters
    /// @param blocked true to block
    function setJurisdictionBlocked(bytes2 jurisdiction, bool blocked) external;

    /// @notice Freeze an address (listed or not) across every token using this registry.
    /// Only COMPLIANCE_ROLE.
    /// @param investor the address to freeze
    /// @param reason compliance reason code
    function freeze(address investor, uint16 reason) external;

    /// @notice Lift a freeze. Only COMPLIANCE_ROLE.
    /// @param investor a frozen address
    function unfreeze(address investor) external;

    /// @notice Whether `account` is listed, its KYC unexpired at block.timestamp, its
    /// jurisdiction not blocked and it is not frozen.
    /// @param account the address to check
    /// @return true when all four hold
    function isAllowed(address account) external view returns (bool);

    /// @notice The first rule `account` fails, or Status.Allowed.
    /// @param account the address to check
    /// @return the status (frozen, not listed, KYC expired, jurisdiction blocked, allowed)
    function status(address account) external view returns (Status);

    /// @notice The stored record of `account` (all zero if never set).
    /// @param account the address to read
    /// @return the investor record
    function investor(address account) external view returns (Investor memory);

    /// @notice Whether `jurisdiction` is blocked.
    /// @param jurisdiction two-letter code
    /// @return true when blocked
    function jurisdictionBlocked(bytes2 jurisdiction) external view returns (bool);
}
