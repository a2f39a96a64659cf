"""Client of the RatingFeed contract: post a rating record, read a tranche's current rank.

The feed recomputes a posted record's commitment exactly as ``RatingRecord.commitment``
does and keeps it only if the named agency's attestation of it is valid in the registry;
a pool with a rating trigger reads ``rankOf`` at every period report (docs/waterfall.md §8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from web3.logs import DISCARD
from web3.types import TxReceipt

from ledger.chain.client import ContractClient
from ledger.chain.deploy import contract_at, deploy
from ledger.deals.pool import PoolClient
from ledger.errors import checked_address
from ledger.ratings.records import FORMAT, RECORD_FIELDS, RatingRecord, RatingRecordError
from ledger.ratings.scale import Scale
from ledger.tx import Sender


def record_tuple(record: RatingRecord) -> tuple:
    """``IRatingFeed.RatingRecord``: the format and the fields in commitment order."""
    return (FORMAT, *(getattr(record, name) for name in RECORD_FIELDS))


@dataclass(frozen=True)
class FeedRating:
    """What the feed keeps for (agency, pool, tranche), and whether it counts now."""

    commitment: str  # 0x-hex; zero if nothing was posted
    issued_at: int
    rank: int
    valid: bool  # the registry still holds it valid (not revoked, not expired)

    @property
    def grade(self) -> str | None:
        """The grade the pool reads (None: no valid rating)."""
        return Scale().grades[self.rank] if self.valid else None


@dataclass(frozen=True)
class RatingFeedClient(ContractClient):
    @classmethod
    def deploy(cls, sender: Sender, registry: str) -> Self:
        contract, _ = deploy(sender, "RatingFeed", checked_address("registry", registry))
        return cls(contract, sender)

    @classmethod
    def at(cls, sender: Sender, feed: str) -> Self:
        address = checked_address("feed", feed, RatingRecordError)
        return cls(contract_at(sender.w3, "RatingFeed", address), sender)

    def check(self, agency: int) -> None:
        """Refuse, naming the field, a feed that is not a RatingFeed or an agency its
        registry does not know: a pool reading either could never report a period."""
        w3 = self.w3
        try:
            registry = self.contract.functions.registry().call()
            self.contract.functions.rankOf(agency, registry, 0).call()
            attester = contract_at(w3, "AttestationRegistry", registry).functions
            key = attester.getAttester(agency).call()[0]
        except Exception:  # no code, or code that does not answer as a RatingFeed
            raise RatingRecordError("feed", f"{self.address} is not a RatingFeed") from None
        if int(key, 16) == 0:
            raise RatingRecordError("agency", f"no attester {agency} in the feed's registry")

    def post(
        self, agency: int, record: RatingRecord, idempotency_key: str | None = None
    ) -> TxReceipt:
        """Post ``record`` as the latest rating of its tranche by ``agency``."""
        fn = self.contract.functions.post(agency, record_tuple(record))
        return self._send(fn, idempotency_key)

    def posted(self, receipt: TxReceipt) -> list[dict]:
        events = self.contract.events.RatingPosted().process_receipt(receipt, errors=DISCARD)
        return [dict(e["args"]) for e in events]

    def current(self, agency: int, pool: str, tranche: int) -> FeedRating:
        fn = self.contract.functions
        commitment, issued_at, rank = fn.latest(agency, pool, tranche).call()
        valid, _ = fn.rankOf(agency, pool, tranche).call()
        return FeedRating("0x" + bytes(commitment).hex(), issued_at, rank, bool(valid))

    def commitment_of(self, record: RatingRecord) -> bytes:
        return bytes(self.contract.functions.commitmentOf(record_tuple(record)).call())

    def rank_of_grade(self, grade: str) -> int:
        return self.contract.functions.rankOfGrade(grade).call()


def triggers_report(pool: PoolClient, names: list[str]) -> dict[str, Any]:
    """A pool's trigger thresholds (from the chain) and its rating trigger as the next
    period report will read it: the floor, the grade the feed holds for the note (None: no
    valid rating) and whether the test passes; ``rating`` is None without a trigger."""
    terms = pool.terms()
    body: dict[str, Any] = {
        "oc_min_bps": terms.oc_trigger_bps,
        "ic_min_bps": terms.ic_trigger_bps,
        "cumulative_default": [
            {"from_period": s.from_period, "max_bps": s.max_bps} for s in terms.cd_trigger
        ],
        "rating": None,
    }
    rt = pool.rating_trigger()
    if int(rt.feed, 16) == 0:
        return body
    current = RatingFeedClient.at(pool.sender, rt.feed).current(rt.agency, pool.address, rt.tranche)
    body["rating"] = {
        "tranche": rt.tranche,
        "name": names[rt.tranche],
        "floor": Scale().grades[rt.floor_rank],
        "agency": rt.agency,
        "feed": rt.feed,
        "grade": current.grade,
        "commitment": current.commitment if int(current.commitment, 16) else None,
        "passes": rt.passes(current.rank if current.valid else None),
    }
    return body
