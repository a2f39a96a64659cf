"""A rating agency on a real node for tests: its registry, its attester id, a RatingFeed,
and ratings published (attested, then posted to the feed) or revoked on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.attest.registry import Registry
from ledger.chain.deploy import deploy
from ledger.deals.waterfall import RatingTrigger
from ledger.ratings.feed import RatingFeedClient
from ledger.ratings.records import ZERO32, RatingRecord
from ledger.ratings.scale import Scale
from ledger.tx import Sender

METHOD = bytes.fromhex("11" * 32)
YEAR = 365 * 86_400


@dataclass
class RatingDesk:
    registry: Registry  # sending as the agency
    feed: RatingFeedClient
    agency: int
    issued: int = 0  # the last issued_at used: every record is newer than the one before
    current: dict[tuple[str, int], RatingRecord] = field(default_factory=dict)

    @classmethod
    def deploy(cls, admin: Sender, agency_key: Sender) -> RatingDesk:
        contract, _ = deploy(admin, "AttestationRegistry", admin.address)
        Registry(contract, admin).register_attester(agency_key.address, "Agency", "ipfs://a")
        registry = Registry(contract, agency_key)
        registry.register_model(METHOD, "ipfs://method", (0, 0, 0, 0, 1_000))
        feed = RatingFeedClient.deploy(admin, contract.address)
        return cls(registry, feed, registry.attester_of(agency_key.address))

    def trigger(self, tranche: int, below: str) -> RatingTrigger:
        return RatingTrigger(self.feed.address, self.agency, tranche, Scale().notch(below))

    def record(self, pool: str, tranche: int, grade: str, valid_seconds: int) -> RatingRecord:
        now = self.registry.sender.w3.eth.get_block("latest")["timestamp"]
        self.issued = max(self.issued + 1, now)
        previous = self.current.get((pool, tranche))
        return RatingRecord(
            pool=pool,
            tranche=tranche,
            tranche_name=f"T{tranche}",
            grade=grade,
            outlook="stable",
            watch="none",
            methodology_hash=METHOD,
            tape_root=ZERO32,
            deal_terms_hash=ZERO32,
            pool_digest=ZERO32,
            period=0,
            issued_at=self.issued,
            expires_at=now + valid_seconds,
            supersedes=previous.commitment if previous else ZERO32,
            loss_probability_bps=0,
            expected_loss_bps=0,
        )

    def publish(
        self, pool: str, tranche: int, grade: str, valid_seconds: int = 10 * YEAR
    ) -> RatingRecord:
        """Attest a rating and post it to the feed (the old one stays attested)."""
        record = self.record(pool, tranche, grade, valid_seconds)
        self.registry.attest(record.commitment, METHOD, record.expires_at)
        self.feed.post(self.agency, record)
        self.current[(pool, tranche)] = record
        return record

    def revoke(self, pool: str, tranche: int) -> None:
        record = self.current.pop((pool, tranche))
        self.registry.revoke(record.commitment, 7)

    def hold(self, pool: str, tranche: int, grade: str | None) -> None:
        """Make the feed hold ``grade`` for the tranche (None: no valid rating)."""
        record = self.current.get((pool, tranche))
        if grade is None:
            if record is not None:
                self.revoke(pool, tranche)
        elif record is None or record.grade != grade:
            self.publish(pool, tranche, grade)
