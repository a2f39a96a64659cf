"""Investor reports rebuilt from indexed period events, and the deal spec they name."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledger.chain.deploy import contract_at
from ledger.deals.pool_abi import result_from_event
from ledger.deals.reports import investor_report
from ledger.deals.service.base import ServiceBase
from ledger.deals.service.inputs import (
    DAY_COUNT_NAMES,
    DealNotFound,
)
from ledger.deals.spec import DealSpec, add_months, parse_spec
from ledger.deals.waterfall import DealState, PeriodReport
from ledger.guarantees.positions import pool_cover_results
from ledger.store.deal_tables import (
    DealPool,
    DealTranche,
)


class ReportOps(ServiceBase):
    """Investor reports and the stored deal spec."""

    def investor_reports(self, address: str) -> list[dict[str, Any]]:
        """The investor report of every indexed period, rebuilt from the period events and
        the cover settled in them (``ledger.guarantees.positions``)."""
        pool = self.pool_row(address)
        tranches = [t for _, t in self.tranches(address)]
        spec = self._report_spec(pool, tranches)
        zeros = (0,) * len(tranches)
        state = DealState(
            balances=tuple(t.face for t in tranches),
            interest_shortfalls=zeros,
            writedowns=zeros,
            servicer_fee_shortfall=0,
            trustee_fee_shortfall=0,
            reserve=pool.initial_reserve,
            pool_balance=pool.initial_pool_balance,
            last_period_end=pool.closing_time,
            trigger_breached=False,
            period=0,
        )
        cover = pool_cover_results(self.runtime.engine, pool.address)
        reports = []
        for row, _ in self.periods(address):
            args = json.loads(row.event_args)
            result = replace(result_from_event(args, state), cover=cover.get(row.period))
            report = _report_from_event(args["report"])
            reports.append(investor_report(spec, row.period, state, report, result))
            state = result.state
        return reports

    def investor_report(self, address: str, number: int) -> dict[str, Any]:
        for report in self.investor_reports(address):
            if report["period"] == number:
                return report
        raise DealNotFound("period", f"period {number} of {address} is not indexed")

    def _report_spec(self, pool: DealPool, tranches: list[DealTranche]) -> DealSpec:
        """The deal as the chain has it (faces, terms, dates), named as in the stored spec;
        a pool created elsewhere gets its token's symbol and numbered class names."""
        stored = self.stored_spec(pool.address)
        if stored is not None:
            name, symbol, decimals = (
                stored.name,
                stored.settlement_token.symbol,
                stored.settlement_token.decimals,
            )
        else:
            token = contract_at(self.runtime.w3, "MockStablecoin", pool.settlement_token)
            name = f"pool {pool.address}"
            symbol = token.functions.symbol().call()[:11] or "TOKEN"
            decimals = token.functions.decimals().call()
        names = self.tranche_names(pool.address, len(tranches))
        terms = json.loads(pool.terms)
        closing = datetime.fromtimestamp(pool.closing_time, UTC).date()

        def whole(units: int) -> str:
            return str(Decimal(units).scaleb(-decimals))

        return parse_spec(
            {
                "name": name,
                "settlement_token": {"symbol": symbol, "decimals": decimals},
                "period": {
                    "months": pool.period_months,
                    "closing_date": closing.isoformat(),
                    "first_payment_date": add_months(closing, pool.period_months).isoformat(),
                },
                "pool_balance": whole(pool.initial_pool_balance),
                "tranches": [
                    {
                        "name": names[t.tranche],
                        "size": whole(t.face),
                        "coupon_bps": t.coupon_bps,
                        "day_count": DAY_COUNT_NAMES[t.day_count],
                        "seniority": t.tranche + 1,
                    }
                    for t in tranches
                ],
                "fees": {
                    "servicer_bps": pool.servicer_fee_bps,
                    "trustee_bps": pool.trustee_fee_bps,
                    "day_count": DAY_COUNT_NAMES[terms["feeDayCount"]],
                },
                "principal_mode": pool.principal_mode,
                "triggers": {
                    "oc_min_bps": pool.oc_trigger_bps,
                    "ic_min_bps": pool.ic_trigger_bps,
                    "cumulative_default_max_bps": json.loads(pool.cd_trigger) or 0,
                },
                "reserve": {
                    "target": whole(pool.reserve_target),
                    "initial": whole(pool.initial_reserve),
                },
                "cleanup_call_bps": pool.cleanup_call_bps,
            }
        )


def _report_from_event(r: dict[str, Any]) -> PeriodReport:
    return PeriodReport(
        period_end=r["periodEnd"],
        interest=r["interest"],
        scheduled_principal=r["scheduledPrincipal"],
        prepayments=r["prepayments"],
        recoveries=r["recoveries"],
        new_defaults=r["newDefaults"],
        delinquent_30=r["delinquent30"],
        delinquent_60=r["delinquent60"],
        delinquent_90=r["delinquent90"],
        pool_balance=r["poolBalance"],
        tape_root=bytes.fromhex(r["tapeRoot"][2:]),
    )
