// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IInvestorRegistry} from "./IInvestorRegistry.sol";

/// @title InvestorRegistry
/// @notice The KYC allowlist shared by every permissioned tranche token of a deployment.
/// COMPLIANCE_ROLE admits, updates, removes, freezes and unfreezes investors and blocks
/// jurisdictions; the admin (DEFAULT_ADMIN_ROLE) grants and revokes COMPLIANCE_ROLE.
/// `multicall` batches calls (e.g. onboarding many investors) in one transaction, each
/// checked against the caller's roles as if sent alone.
contract InvestorRegistry is AccessControl, Multicall, IInvestorRegistry {
    bytes32 public constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");

    mapping(address account => Investor) private _investors;
    mapping(bytes2 jurisdiction => bool) private _blocked;

    /// @param admin receives DEFAULT_ADMIN_ROLE (it grants COMPLIANCE_ROLE; it has no
    /// compliance powers of its own until it grants itself the role)
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress("admin");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IInvestorRegistry
    function setInvestor(address account, uint40 kycExpiry, bytes2 jurisdiction)
        external
        onlyRole(COMPLIANCE_ROLE)
    {
        if (account == address(0)) revert ZeroAddress("investor");
        if (kycExpiry <= block.timestamp) revert KycExpiryNotInFuture(kycExpiry, block.timestamp);
        _requireJurisdiction(jurisdiction);
        Investor storage record = _investors[account];
        record.listed = true;
        record.kycExpiry = kycExpiry;
        record.jurisdiction = jurisdiction;
        emit InvestorSet(account, kycExpiry, jurisdiction);
    }

    /// @inheritdoc IInvestorRegistry
    function removeInvestor(address account) external onlyRole(COMPLIANCE_ROLE) {
        Investor storage record = _investors[account];
        if (!record.listed) revert NotListed(account);
        // The freeze fields stay: removing and re-admitting must not lift a freeze.
        record.listed = false;
        record.kycExpiry = 0;
        record.jurisdiction = bytes2(0);
        emit InvestorRemoved(account);
    }

    /// @inheritdoc IInvestorRegistry
    function setJurisdictionBlocked(bytes2 jurisdiction, bool blocked)
        external
        onlyRole(COMPLIANCE_ROLE)
    {
        _requireJurisdiction(jurisdiction);
        _blocked[jurisdiction] = blocked;
        emit JurisdictionBlockedSet(jurisdiction, blocked);
    }

    /// @inheritdoc IInvestorRegistry
    function freeze(address account, uint16 reason) external onlyRole(COMPLIANCE_ROLE) {
        if (account == address(0)) revert ZeroAddress("investor");
        Investor storage record = _investors[account];
        if (record.frozen) revert AlreadyFrozen(account);
        record.frozen = true;
        record.freezeReason = reason;
        emit InvestorFrozen(account, reason);
    }

    /// @inheritdoc IInvestorRegistry
    function unfreeze(address account) external onlyRole(COMPLIANCE_ROLE) {
        Investor storage record = _investors[account];
        if (!record.frozen) revert NotFrozen(account);
        record.frozen = false;
        record.freezeReason = 0;
        emit InvestorUnfrozen(account);
    }

    /// @inheritdoc IInvestorRegistry
    function isAllowed(address account) external view returns (bool) {
        return status(account) == Status.Allowed;
    }

    /// @inheritdoc IInvestorRegistry
    function status(address account) public view returns (Status) {
        Investor memory record = _investors[account];
        if (record.frozen) return Status.Frozen;
        if (!record.listed) return Status.NotListed;
        if (block.timestamp >= record.kycExpiry) return Status.KycExpired;
        if (_blocked[record.jurisdiction]) return Status.JurisdictionBlocked;
        return Status.Allowed;
    }

    /// @inheritdoc IInvestorRegistry
    function investor(address account) external view returns (Investor memory) {
        return _investors[account];
    }

    /// @inheritdoc IInvestorRegistry
    function jurisdictionBlocked(bytes2 jurisdiction) external view returns (bool) {
        return _blocked[jurisdiction];
    }

    /// @dev Two upper-case ASCII letters, as ISO 3166-1 alpha-2 codes are.
    function _requireJurisdiction(bytes2 jurisdiction) private pure {
        if (!_isUpperLetter(jurisdiction[0]) || !_isUpperLetter(jurisdiction[1])) {
            revert InvalidJurisdiction(jurisdiction);
        }
    }

    function _isUpperLetter(bytes1 char) private pure returns (bool) {
        return char >= "A" && char <= "Z";
    }
}
