"""Contract reverts as readable problem details: ``WrongState(0)`` becomes "the pool is in
state structuring, which does not allow this", with the raw error kept for machines."""

from __future__ import annotations

import re

from ledger.deals.pool_types import PoolState

# Custom error name -> sentence; {0}, {1}... are the decoded arguments in order.
MESSAGES = {
    "AccountFrozen": "account {0} is frozen (reason {1})",
    "AlreadyAnchored": "{0} is already anchored on chain",
    "AlreadyFrozen": "{0} is already frozen",
    "AlreadyRevoked": "record {0} is already revoked",
    "AmountOutOfRange": "{0} is out of range: {1}",
    "AttesterNotSuspended": "attester {0} is not suspended",
    "CallMustRetirePool": "a clean-up call must retire the whole pool balance ({0} left)",
    "CallNotEligible": "the pool balance {0} is above the clean-up call threshold",
    "CapExceeded": "tranche {0} has only {1} left to subscribe",
    "CashNotConserved": "cash in and out do not balance (in {0}, out {1}, retained {2})",
    "EmptyBatch": "the batch is empty",
    "ExpiryNotInFuture": "the expiry {0} is not in the future",
    "InvalidJurisdiction": "jurisdiction {0} is not a valid code",
    "InvalidProof": "the proof does not place {1} under root {0}",
    "InvalidSignature": "the signature is not from {0}",
    "InvalidTerms": "the deal terms are invalid: {0}",
    "RatingNotNewer": "the rating was issued at {0}, not after the one the feed holds ({1})",
    "RatingNotValid": "agency {0}'s attestation of rating {1} is not valid (registry status {2})",
    "UnknownGrade": "grade {0} is not on the rating scale (AAA to D)",
    "UnknownFormat": "the record's format is {0}, not credence-rating/1",
    "InvestorNotAllowed": "investor {0} may not hold or receive tokens (registry status {1})",
    "KeyAlreadyUsed": "key {0} is already in use",
    "KycExpiryNotInFuture": "the KYC expiry {0} is not after the current block time {1}",
    "ModelAlreadyRegistered": "model {0} is already registered",
    "NotABatch": "{0} is not a batch root",
    "NotAllowed": "investor {0} is not allowed by the investor registry",
    "NotAttester": "{0} is not a registered attester",
    "NotFrozen": "{0} is not frozen",
    "NotIssuer": "{1} did not issue record {0}",
    "NotListed": "investor {0} is not listed",
    "NotPool": "{0} is not the pool",
    "NotRegistrarOrKey": "{0} is neither the registrar nor the attester's key",
    "NothingSubscribed": "nothing was subscribed",
    "NothingToRefund": "investor {0} has nothing to refund in tranche {1}",
    "PeriodEndNotAfter": "the period end {0} is not after the last period end {1}",
    "PeriodNotEnded": "the period ending {0} has not ended yet (now {1})",
    "PoolNotRetired": "the pool balance {0} is not yet zero",
    "ReserveExceedsProceeds": "the reserve {0} exceeds the proceeds {1}",
    "SignatureExpired": "the signature expired at {0}",
    "SuspendedAttester": "attester {0} is suspended",
    "TapeBalanceMismatch": "the tape balance {0} differs from the initial pool balance {1}",
    "TrancheCountMismatch": "{0} tokens for {1} tranches",
    "UnfundedDistribution": "distribution of {0} exceeds the {1} available",
    "UnknownAttester": "no attester {0}",
    "UnknownModel": "no model {0}",
    "UnknownRecord": "no record {0}",
    "UnknownTranche": "no tranche {0}",
    "ZeroAddress": "{0} must not be the zero address",
    "ZeroAmount": "the amount must not be zero",
    "ZeroHash": "{0} must not be zero",
    "TranchesNotPool": "the tranches add up to {0}, not the initial pool balance {1}",
    "EmptyTranche": "tranche {0} has size zero",
    "TrancheNotFull": "tranche {0} is subscribed {1} of {2}: retain or resize it at close",
    "TreatmentCount": "{0} treatments given for {1} tranches",
    "NoHolder": "tranche {0} has no holder to receive {1}",
    "PrincipalExceedsPool": "principal {0} exceeds the pool balance {1}",
    "DefaultsExceedPool": "new defaults {0} exceed the remaining pool balance {1}",
    "PoolBalanceMismatch": "the reported pool balance {0} differs from {1} by more than {2}",
    "DelinquencyExceedsPool": "delinquent balance {0} exceeds the pool balance {1}",
    "AccessControlUnauthorizedAccount": "{0} lacks the role {1} this needs",
    "AlreadyBound": "the cover is already bound to its pool",
    "AlreadyReleased": "the cover's collateral is already released",
    "BelowRequired": "collateral would be {0}, below the {1} the cover requires",
    "NotReleasable": "the cover is still in force: its collateral cannot be released yet",
    "NotProvider": "{0} is not the cover's provider",
    "InvalidCover": "the cover terms are invalid: {0}",
    "CoverAlreadyBound": "the pool already has a cover of this kind bound ({0})",
    "CoverForAnotherPool": "the cover was made for pool {0}, not this one",
}
_CALL = re.compile(r"^(\w+)\((.*)\)$", re.S)


def explain(error: str) -> str:
    """A sentence for a decoded custom error such as ``CapExceeded(0, 5)``, with the raw
    error in parentheses; unknown errors are returned as they are."""
    found = _CALL.match(error)
    if found is None:
        return error
    name, raw = found.groups()
    args = [a.strip() for a in raw.split(",")] if raw.strip() else []
    if name == "WrongState" and args and args[0].isdigit():
        state = PoolState(int(args[0])).name.lower()
        return f"the pool is {state}, which does not allow this ({error})"
    template = MESSAGES.get(name)
    if template is None or template.count("{") > len(args):
        return error
    return f"{template.format(*args)} ({error})"
