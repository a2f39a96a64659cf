"""Pools: create from a spec and a tape, the lifecycle, period reports (structurer, servicer)."""

from __future__ import annotations

import time

from web3 import Web3

from ledger.chain.deploy import contract_at
from ledger.deals.checks import CheckError, check_report, plan_close
from ledger.deals.investors import TrancheTokenClient
from ledger.deals.pool_types import (
    Parties,
    PeriodOutcome,
    PoolSetup,
    PoolState,
    TapeCommitment,
    Unsubscribed,
)
from ledger.deals.service.base import ServiceBase
from ledger.deals.service.inputs import (
    CreatedPool,
    DealConflict,
    DealError,
    PeriodInput,
    Written,
    input_errors,
)
from ledger.deals.spec import DealSpec
from ledger.deals.tape import LoanTape
from ledger.ratings.feed import RatingFeedClient
from ledger.ratings.records import RatingRecordError
from ledger.ratings.service import RatingService
from ledger.store.db import session_scope
from ledger.store.deal_tables import (
    DealSpecRecord,
)


class PoolOps(ServiceBase):
    """Create pools, move them through their lifecycle, report periods."""

    def create_pool(
        self, spec: DealSpec, tape: LoanTape, parties: dict[str, str] | None = None
    ) -> CreatedPool:
        """Create the pool of ``spec`` over ``tape`` (structurer), grant the agent its token
        role (admin) and keep the spec for names and reports."""
        token = self._settlement_token(spec)
        keys = self.runtime.keystore
        chosen = {
            "originator": keys.signer("structurer").address,
            "servicer_fee_recipient": keys.signer("servicer").address,
            "trustee_fee_recipient": keys.signer("admin").address,
            **(parties or {}),
        }
        setup = self._setup(spec)
        with input_errors("tape"):
            pool = self.factory.create_pool(
                setup,
                parties=Parties(
                    admin=keys.signer("admin").address,
                    structurer=keys.signer("structurer").address,
                    servicer=keys.signer("servicer").address,
                    **chosen,
                ),
                settlement_token=token,
                registry=self.registry.address,
                tape=TapeCommitment(tape.root, tape.aggregates),
            )
        admin, agent = self.runtime.sender("admin"), keys.signer("agent").address
        tokens = pool.tokens()
        for address in tokens:
            TrancheTokenClient.at(admin, address).grant_role("AGENT_ROLE", agent)
        with session_scope(self.runtime.engine) as session:
            session.add(
                DealSpecRecord(
                    pool=pool.address,
                    spec=spec.model_dump_json(),
                    tape_as_of=tape.as_of.isoformat(),
                    created_at=int(time.time()),
                )
            )
        deal_id = "0x" + setup.deal_id.hex()
        block = self.runtime.w3.eth.block_number
        return CreatedPool(pool.address, deal_id, tokens, spec.tranche_names, block)

    def _setup(self, spec: DealSpec) -> PoolSetup:
        """The pool's setup; a rating trigger's feed and agency default to this
        deployment's RatingFeed and the service's rating agency."""
        rt = spec.rating_trigger
        if rt is None:
            return PoolSetup.from_spec(spec)
        feed = rt.feed or self._deployed("RatingFeed")
        agency = rt.agency
        if agency is None:
            agency = RatingService(self.runtime).agency_id()
        try:
            RatingFeedClient.at(self.runtime.sender("structurer"), feed).check(agency)
        except RatingRecordError as exc:
            raise DealError(f"spec.rating_trigger.{exc.field}", exc.reason) from None
        return PoolSetup.from_spec(spec, feed, agency)

    def _settlement_token(self, spec: DealSpec) -> str:
        address = spec.settlement_token.address or self._mock_token()
        if address is None:
            raise DealError(
                "spec.settlement_token.address", "required: this chain has no mock stablecoin"
            )
        address = Web3.to_checksum_address(address)
        token = contract_at(self.runtime.w3, "MockStablecoin", address)  # any ERC-20 metadata
        try:
            decimals = token.functions.decimals().call()
        except Exception:
            raise DealError(
                "spec.settlement_token.address", f"{address} is not an ERC-20 token"
            ) from None
        if decimals != spec.settlement_token.decimals:
            raise DealError(
                "spec.settlement_token.decimals",
                f"the token at {address} has {decimals} decimals, the spec says "
                f"{spec.settlement_token.decimals}",
            )
        return address

    def transition(self, address: str, action: str) -> Written:
        """open | close | cancel | wind-down (structurer) or mature (servicer)."""
        if action == "mature":
            return Written.of(self.pool(address, "servicer").mature())
        if action == "close":
            return self.close(address)
        pool = self.pool(address)
        calls = {
            "open": pool.open_subscription,
            "cancel": pool.cancel,
            "wind-down": pool.wind_down,
        }
        if action not in calls:
            raise DealError("action", f"must be one of {', '.join(calls)}, close or mature")
        return Written.of(calls[action]())

    def close(self, address: str, unsubscribed: dict[str, str] | None = None) -> Written:
        """Close (structurer). ``unsubscribed`` maps a tranche (name or index) that is not
        fully subscribed to ``retain`` (minted to the originator) or ``resize`` (face = what
        was subscribed); anything close would refuse is refused here first."""
        pool = self.pool(address)
        if pool.state() != PoolState.SUBSCRIPTION:
            raise DealConflict("pool", f"is {pool.state().name.lower()}, not open for subscription")
        sizes = [t.size for t in pool.terms().tranches]
        names = self.tranche_names(address, len(sizes))
        treatments = [Unsubscribed.REFUSE] * len(sizes)
        with input_errors("unsubscribed"):
            for tranche, how in (unsubscribed or {}).items():
                index = self.tranche_index(address, tranche)
                treatments[index] = Unsubscribed.named(f"unsubscribed.{tranche}", how)
            supplies = [pool.token(i).functions.totalSupply().call() for i in range(len(sizes))]
            reserve = pool.contract.functions.initialReserve().call()
        try:
            plan = plan_close(
                names, sizes, supplies, treatments, reserve, self.token_decimals(address)
            )
        except CheckError as exc:
            raise DealConflict(exc.field, exc.reason) from None
        originator = pool.contract.functions.originator().call()
        if any(plan.retained) and not self.registry.is_allowed(originator):
            raise DealConflict(
                "unsubscribed",
                f"the originator {originator} is not on the investor registry, so it cannot "
                f"hold retained notes: admit it first (credence investor add NAME --address "
                f"{originator} ...)",
            )
        return Written.of(pool.close(treatments))

    def report_period(
        self, address: str, period: PeriodInput, *, call: bool = False
    ) -> PeriodOutcome:
        """Pay the period's cash in and run the waterfall on chain (servicer); with ``call``
        the period is the clean-up call (the price in prepayments, pool balance 0). A
        regular period is checked against the pool first (``ledger.deals.checks``)."""
        pool = self.pool(address, "servicer")
        with input_errors("report"):
            report, stats = period.to_report(), period.to_stats()
            running = (PoolState.ACTIVE, PoolState.AMORTISING, PoolState.CALLED)
            if pool.state() not in running:
                raise DealConflict(
                    "pool", f"is {pool.state().name.lower()}: periods are reported once closed"
                )
            if not call:
                state = pool.deal_state()
                check_report(
                    report,
                    state.pool_balance,
                    pool.tape().aggregates.count,
                    state.last_period_end,
                    self.runtime.w3.eth.get_block("latest")["timestamp"],
                    self.token_decimals(address),
                )
            self._ensure_funds(pool, pool.sender.address, report.cash_in)
            run = pool.exercise_call if call else pool.report_period
            return run(report, stats)
