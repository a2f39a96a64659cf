"""Publishing ratings on the registry: the agency attester, methodologies, records, history.

The rating agency signs with its own key (keystore role ``rating-agency``), registered as
an attester by the registrar on first use. Publishing a rating for a tranche that already
has a valid one supersedes it: the new record is attested first (naming the old one), then
the old one is revoked with ``REASON_SUPERSEDED``. If the post to the pool's feed or the
revocation fails, the new record stands and the old one stays valid until ``rating sync``
(``ledger.ratings.sync``) finishes, never the other way round. Status is the
registry's (valid, revoked, expired, attester suspended), with a revocation for
supersession shown as ``superseded``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from sqlmodel import Session, select

from ledger.attest.registry import Registry
from ledger.attest.status import Status
from ledger.deals.pool import PoolClient
from ledger.deals.waterfall import RatingTrigger
from ledger.ratings.feed import RatingFeedClient
from ledger.ratings.method import NOT_RATED
from ledger.ratings.methodology import Methodology
from ledger.ratings.outcome import RatingOutcome
from ledger.ratings.records import REASON_SUPERSEDED, ZERO32, RatingRecord, RatingRecordError
from ledger.ratings.store import RatingRow, ensure_table
from ledger.store.db import session_scope
from ledger.store.deal_tables import DealPool

log = logging.getLogger(__name__)

AGENCY_ROLE = "rating-agency"
AGENCY_NAME = "Credence ratings"


@dataclass(frozen=True)
class Published:
    record: RatingRecord
    tx_hash: str
    superseded: str | None  # the commitment it superseded, if any
    feed_tx: str | None = None  # posted to the pool's RatingFeed (its rating trigger's)
    pending: str | None = None  # why the feed post or the supersession is left to sync


def rating_status(registry: Registry, attester_id: int, commitment: str) -> str:
    """valid | revoked | superseded | expired | attester_suspended | unknown (the registry's)."""
    key = bytes.fromhex(commitment[2:])
    status = registry.status_of(attester_id, key)
    revoked = status == Status.Revoked
    if revoked and registry.record(attester_id, key).revocation_reason == REASON_SUPERSEDED:
        return "superseded"
    return status.name_snake


class RatingService:
    def __init__(self, runtime) -> None:  # ledger.runtime.Runtime
        self.runtime = runtime
        # One publication or sync at a time in this process: a sync never sees a record
        # that its publish is still posting (the API's background sync shares the service).
        self.lock = threading.RLock()
        self.registry: Registry = runtime.registry(AGENCY_ROLE)
        ensure_table(runtime.engine)

    # -- the agency and its methodologies --------------------------------------------

    def agency_id(self) -> int:
        """The agency's attester id, registering its key with the registrar on first use."""
        address = self.runtime.keystore.signer(AGENCY_ROLE).address
        attester_id = self.registry.attester_of(address)
        if attester_id == 0:
            if self.runtime.is_dev_chain():
                self.runtime.fund_dev_keys((AGENCY_ROLE,))
            self.runtime.registry("admin").register_attester(
                address, AGENCY_NAME, "credence://ratings"
            )
            attester_id = self.registry.attester_of(address)
        return attester_id

    def register_methodology(self, method: Methodology, uri: str) -> bytes:
        model_id = bytes.fromhex(method.hash[2:])
        self.agency_id()
        if self.registry.model(model_id) is None:
            # Registered like a scorecard; a method has no holdout metrics, only its paths.
            self.registry.register_model(model_id, uri, (0, 0, 0, 0, method.paths))
        return model_id

    # -- publishing ---------------------------------------------------------------------

    def publish(
        self,
        outcome: RatingOutcome,
        pool: str,
        tranche: int,
        *,
        outlook: str = "stable",
        watch: str = "none",
        valid_seconds: int = 365 * 86_400,
        methodology_uri: str = "",
    ) -> Published:
        """Attest the tranche's grade from ``outcome``, superseding the current rating."""
        names = outcome.spec.tranche_names
        if not 0 <= tranche < len(names):
            raise RatingRecordError("tranche", f"the deal has tranches 0..{len(names) - 1}")
        rated = outcome.run.tranches[tranche]
        if rated.grade == NOT_RATED:
            raise RatingRecordError("tranche", f"{rated.name} is the equity tranche, not rated")
        method = outcome.method
        self.register_methodology(
            method, methodology_uri or f"credence://methodology/{method.hash}"
        )
        tape_root, period = self._pool_state(pool)
        previous = self.current(pool, tranche)
        now = int(self.runtime.w3.eth.get_block("latest")["timestamp"])
        # Strictly after the tranche's last record: a RatingFeed keeps only a newer one.
        history = self.history(pool, tranche)
        if history:
            now = max(now, json.loads(history[-1].record)["issued_at"] + 1)
        inputs = outcome.inputs
        record = RatingRecord(
            pool=pool,
            tranche=tranche,
            tranche_name=names[tranche],
            grade=rated.grade,
            outlook=outlook,
            watch=watch,
            methodology_hash=bytes.fromhex(method.hash[2:]),
            tape_root=tape_root,
            deal_terms_hash=bytes.fromhex(inputs["deal_terms_hash"][2:]),
            pool_digest=bytes.fromhex(inputs["pool_digest"][2:]),
            period=period,
            issued_at=now,
            expires_at=now + valid_seconds,
            supersedes=bytes.fromhex(previous.commitment[2:]) if previous else ZERO32,
            loss_probability_bps=rated.loss_probability_bps,
            expected_loss_bps=rated.expected_loss_bps,
        )
        return self._anchor(record, previous)

    def _anchor(self, record: RatingRecord, previous: RatingRow | None) -> Published:
        with self.lock:
            return self._anchor_locked(record, previous)

    def _anchor_locked(self, record: RatingRecord, previous: RatingRow | None) -> Published:
        key = record.commitment_hex
        receipt = self.registry.attest(
            record.commitment,
            record.methodology_hash,
            record.expires_at,
            idempotency_key=f"rating:{key}",
        )
        with session_scope(self.runtime.engine) as session:
            session.add(
                RatingRow(
                    commitment=key,
                    attester_id=self.agency_id(),
                    pool=record.pool,
                    tranche=record.tranche,
                    grade=record.grade,
                    watch=record.watch,
                    record=json.dumps(record.to_dict()),
                    supersedes=previous.commitment if previous else None,
                    tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
                    block_number=receipt["blockNumber"],
                    created_at=int(time.time()),
                )
            )
        # Posted before the old record is revoked, so the pool's feed never holds a gap.
        feed_tx, pending = None, None
        try:
            feed_tx = self._post_to_feed(record)
            if previous is not None:
                self.supersede(previous.commitment, key)
        except Exception as exc:  # the record stands; ``ledger.ratings.sync`` finishes
            pending = f"{type(exc).__name__}: {exc}"
            log.warning("rating %s: feed post or supersession left to sync (%s)", key, pending)
        return Published(
            record,
            "0x" + bytes(receipt["transactionHash"]).hex(),
            previous.commitment if previous else None,
            feed_tx,
            pending,
        )

    def trigger(self, pool: str) -> RatingTrigger | None:
        """The rating trigger of a pool in this service's index (None: none, or no such pool)."""
        with Session(self.runtime.engine) as session:
            if session.get(DealPool, pool) is None:
                return None
        trigger = PoolClient.at(self.runtime.sender(AGENCY_ROLE), pool).rating_trigger()
        return None if int(trigger.feed, 16) == 0 else trigger

    def _feed_of(self, record: RatingRecord) -> tuple[RatingFeedClient, int] | None:
        """The pool's feed and agency when its rating trigger reads this agency's rating
        of this tranche (None: nothing to post)."""
        trigger = self.trigger(record.pool)
        if trigger is None or (trigger.agency, trigger.tranche) != (
            self.agency_id(),
            record.tranche,
        ):
            return None
        return RatingFeedClient.at(self.runtime.sender(AGENCY_ROLE), trigger.feed), trigger.agency

    def _post_to_feed(self, record: RatingRecord) -> str | None:
        found = self._feed_of(record)
        if found is None:
            return None
        feed, agency = found
        key = f"rating-feed:{record.commitment_hex}"
        receipt = feed.post(agency, record, idempotency_key=key)
        return "0x" + bytes(receipt["transactionHash"]).hex()

    def feed_lags(self, row: RatingRow) -> bool:
        """Whether the pool's feed should hold this record but holds an older one."""
        record = RatingRecord.from_dict(json.loads(row.record))
        found = self._feed_of(record)
        if found is None:
            return False
        feed, agency = found
        held = feed.current(agency, record.pool, record.tranche)
        return held.commitment != row.commitment and held.issued_at < record.issued_at

    def post_to_feed(self, commitment: str) -> str | None:
        """Post a stored record to its pool's feed (None: the pool has no feed for it)."""
        row = self.row(commitment)
        if row is None:
            raise RatingRecordError("commitment", "no rating record with this commitment")
        return self._post_to_feed(RatingRecord.from_dict(json.loads(row.record)))

    def supersede(self, old: str, new: str) -> bool:
        """Revoke ``old`` as superseded by ``new`` unless the registry no longer holds it
        valid, and note it in the rows; True if a revocation was sent."""
        sent = self.status(old) == "valid"
        if sent:
            self.registry.revoke(
                bytes.fromhex(old[2:]),
                REASON_SUPERSEDED,
                idempotency_key=f"rating-supersede:{old}",
            )
        with session_scope(self.runtime.engine) as session:
            row = session.get(RatingRow, old)
            row.superseded_by = new
            session.add(row)
        return sent

    def revoke(self, commitment: str, reason: int) -> str:
        if not 1 <= reason < REASON_SUPERSEDED:
            raise RatingRecordError("reason", f"must be 1 to {REASON_SUPERSEDED - 1}")
        if self.row(commitment) is None:
            raise RatingRecordError("commitment", "no rating record with this commitment")
        status = self.status(commitment)
        if status in ("revoked", "superseded"):
            raise RatingRecordError("commitment", f"already {status}")
        receipt = self.registry.revoke(bytes.fromhex(commitment[2:]), reason)
        return "0x" + bytes(receipt["transactionHash"]).hex()

    # -- reading ------------------------------------------------------------------------

    def row(self, commitment: str) -> RatingRow | None:
        with Session(self.runtime.engine) as session:
            return session.get(RatingRow, commitment.lower())

    def status(self, commitment: str) -> str:
        row = self.row(commitment)
        if row is None:
            return "unknown"
        return rating_status(self.registry, row.attester_id, row.commitment)

    def history(self, pool: str, tranche: int | None = None) -> list[RatingRow]:
        """Every rating of the pool (or one tranche), oldest first."""
        with Session(self.runtime.engine) as session:
            query = select(RatingRow).where(RatingRow.pool == pool)
            if tranche is not None:
                query = query.where(RatingRow.tranche == tranche)
            return list(session.exec(query.order_by(RatingRow.block_number)))  # type: ignore[arg-type]

    def current(self, pool: str, tranche: int) -> RatingRow | None:
        """The latest rating of the tranche that the registry still holds valid."""
        for row in reversed(self.history(pool, tranche)):
            if self.status(row.commitment) == "valid":
                return row
        return None

    def _pool_state(self, pool: str) -> tuple[bytes, int]:
        """The pool's current tape root and periods reported, from the index (zero if unknown)."""
        with Session(self.runtime.engine) as session:
            row = session.get(DealPool, pool)
        if row is None or not row.tape_root:
            return ZERO32, 0
        return bytes.fromhex(row.tape_root.removeprefix("0x")), row.periods
