"""Benchmark the deal contracts and the simulator.

Gas of deployment, pool creation, a subscription, close, period reports (the first, a
steady one, and a stressed one: defaults larger than equity, cures, a failed test) and a
claim, for a three-tranche deal whose senior tranche has 10 or 1,000 holders and whose loan
tape has 10 or 10,000 loans (the period and claim figures must agree within 5%: nothing
loops over holders or loans), and the simulator's speed in deal-periods per second. With
cover (a guarantee on the mezzanine note and a pool insurance policy, docs/waterfall.md
§14): the gas of posting collateral, of the stressed period with a draw and a claim
(`period_gas_with_cover`, with 10 and 10,000 loans) and of releasing the collateral.

    .venv/bin/python scripts/bench_deals.py            # table
    .venv/bin/python scripts/bench_deals.py --json     # one JSON object
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, replace
from datetime import date

from eth_account import Account
from rich.console import Console
from rich.table import Table
from web3 import Web3

from ledger.chain.deploy import deploy
from ledger.chain.node import DEV_MNEMONIC, LocalNode, free_port
from ledger.deals.cover import GuaranteeTerms, InsuranceTerms
from ledger.deals.pool import PoolClient, Subscription
from ledger.deals.pool_types import PoolSetup, TapeCommitment
from ledger.deals.sandbox import Sandbox
from ledger.deals.simulator import EXAMPLE_SPEC, Scenario, measure_deal_periods_per_second, simulate
from ledger.deals.spec import load_spec
from ledger.deals.tape import Loan, LoanTape
from ledger.guarantees.facility import FacilityClient, bind, cover_result
from ledger.tx import Sender

SCENARIO = Scenario(cdr=0.02, cpr=0.10, severity=0.40, recovery_lag=3)
STRESS_DEFAULTS_USDC = 60_000  # more than the example deal's equity (45,272 USDC)
TOLERANCE = 0.05


@dataclass(frozen=True)
class DealGas:
    create_pool: int
    subscribe: int
    close: int
    period: int
    first_period: int
    stressed_period: int
    claim: int
    post_collateral: int = 0  # with cover: posting the guarantee's collateral
    release: int = 0  # with cover: releasing it after the term


def synthetic_tape(loans: int, balance: int, as_of: date) -> LoanTape:
    """``loans`` loans adding up to ``balance`` (the last takes the remainder)."""
    each = balance // loans
    return LoanTape(
        tuple(
            Loan(
                loan=Web3.keccak(text=f"bench-loan-{i}"),
                original_principal=each + 10**9,
                current_principal=each if i < loans - 1 else balance - each * (loans - 1),
                rate_bps=800 + i % 400,
                term_months=60,
                origination_date=date(2025, 1 + i % 12, 1),
                score_uid=Web3.keccak(text=f"bench-score-{i}"),
                score=600 + i % 200,
            )
            for i in range(loans)
        ),
        as_of,
    )


def paid_down(tape: LoanTape, balance: int) -> LoanTape:
    """The same loans scaled down to ``balance`` (a period's new tape)."""
    old = sum(loan.current_principal for loan in tape.loans)
    scaled = [loan.current_principal * balance // old for loan in tape.loans]
    scaled[-1] += balance - sum(scaled)
    loans = tuple(
        replace(loan, current_principal=p) for loan, p in zip(tape.loans, scaled, strict=True)
    )
    return LoanTape(loans, tape.as_of)


def dev_senders(w3: Web3, count: int = 10) -> list[Sender]:
    Account.enable_unaudited_hdwallet_features()
    return [
        Sender(w3, Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}"))
        for i in range(count)
    ]


def new_holders(sandbox: Sandbox, count: int) -> list[Sender]:
    """``count`` funded, allowlisted accounts (the sandbox's own investors first); the
    compliance transactions go out without waiting for each receipt."""
    holders = list(sandbox.investors[:count])
    w3, compliance = sandbox.w3, sandbox.structurer
    expiry = w3.eth.get_block("latest")["timestamp"] + 10 * 365 * 86_400
    fn = sandbox.registry.contract.functions.setInvestor
    last = None
    while len(holders) < count:
        account = Account.create()
        w3.provider.make_request("anvil_setBalance", [account.address, hex(10**18)])
        last = compliance.send(fn(account.address, expiry, b"GB"), wait=False)
        holders.append(Sender(w3, account, errors=compliance.errors))
    if last is not None:
        compliance.wait(last)
    return holders


def add_cover(sandbox: Sandbox, pool: PoolClient, usdc: int) -> tuple[FacilityClient, int]:
    """A guarantee on the mezzanine note (3 periods) and a pool insurance policy whose
    small limit leaves the stressed period's deficiency to the guarantee: that period
    then has both a claim and a draw. Returns the guarantee and the gas of its post."""
    guarantor, insurer = sandbox.investors[0], sandbox.investors[-1]
    guarantee = FacilityClient.deploy(
        guarantor,
        pool,
        sandbox.registry.address,
        GuaranteeTerms(1, 100_000 * usdc, 50, 3),
        required=50_000 * usdc,
    )
    policy = FacilityClient.deploy(
        insurer,
        pool,
        sandbox.registry.address,
        InsuranceTerms(50_000 * usdc, 2_000 * usdc, 5_000, 20, 12),
        required=2_000 * usdc,
    )
    sandbox.mint(guarantor.address, 50_000 * usdc)
    sandbox.mint(insurer.address, 2_000 * usdc)
    post = guarantee.post(50_000 * usdc)["gasUsed"]
    policy.post(2_000 * usdc)
    bind(pool, guarantee)
    bind(pool, policy)
    return guarantee, post


def run_deal(sandbox: Sandbox, holders: int, loans: int, cover: bool = False) -> DealGas:
    spec = load_spec(EXAMPLE_SPEC)
    setup = PoolSetup.from_spec(spec)
    terms = setup.terms
    tape = synthetic_tape(loans, terms.initial_pool_balance, spec.period.closing_date)
    pool = sandbox.create(setup, TapeCommitment(tape.root, tape.aggregates))
    create_gas = last_gas(sandbox.w3, sandbox.structurer.address)

    senior = new_holders(sandbox, holders)
    size = terms.tranches[0].size
    shares = [size // holders] * holders
    shares[0] += size - sum(shares)
    orders = [Subscription(h, 0, s) for h, s in zip(senior, shares, strict=True)]
    junior = list(enumerate(terms.tranches))[1:]
    orders += [Subscription(sandbox.investors[0], i, t.size) for i, t in junior]
    mint = sandbox.stable.functions.mint
    sent = [sandbox.structurer.send(mint(o.investor.address, o.amount), wait=False) for o in orders]
    sandbox.structurer.wait(sent[-1])
    pool.open_subscription()
    subscribe_gas = [pool.as_sender(o.investor).subscribe(o.tranche, o.amount) for o in orders]
    close_receipt = pool.close()
    usdc = 10**spec.settlement_token.decimals
    guarantee, post_gas = add_cover(sandbox, pool, usdc) if cover else (None, 0)

    sim = simulate(spec, SCENARIO)
    servicer = pool.as_sender(sandbox.servicer)
    # periods 1 and 2 as simulated, then period 3 stressed: defaults larger than equity, so
    # a note is written down, cures run and the tests fail in that period (the longest path)
    stressed = sim.periods[2].report
    loss = STRESS_DEFAULTS_USDC * 10**spec.settlement_token.decimals
    stressed = replace(
        stressed,
        new_defaults=stressed.new_defaults + loss,
        pool_balance=stressed.pool_balance - loss,
    )
    reports = [sim.periods[0].report, sim.periods[1].report, stressed]
    sandbox.mint(sandbox.servicer.address, sum(r.cash_in for r in reports))
    gas = []
    for report in reports:
        new_tape = paid_down(tape, report.pool_balance)
        outcome = servicer.report_period(
            replace(report, tape_root=new_tape.root), new_tape.aggregates
        )
        gas.append(outcome.gas_used)
    if guarantee is None:
        assert outcome.result.trigger_breached and outcome.result.state.writedowns[1] > 0
    else:  # the stressed period drew on the guarantee and claimed on the policy
        figures = cover_result(pool, outcome.receipt)
        g, i = (figures.guarantee, figures.insurance) if figures else (None, None)
        assert g is not None and g.draw > 0 and i is not None and i.claim_paid > 0
    claim = senior[-1].send(pool.token(0).functions.claim())
    release = guarantee.release()["gasUsed"] if guarantee is not None else 0
    return DealGas(
        create_pool=create_gas,
        subscribe=subscribe_gas[-1]["gasUsed"],
        close=close_receipt["gasUsed"],
        period=gas[1],
        first_period=gas[0],
        stressed_period=gas[2],
        claim=claim["gasUsed"],
        post_collateral=post_gas,
        release=release,
    )


def last_gas(w3: Web3, sender: str) -> int:
    """Gas of the latest mined transaction from ``sender`` (automine: one per block)."""
    block = w3.eth.get_block("latest", full_transactions=True)
    [tx] = [t for t in block["transactions"] if t["from"] == sender]
    return w3.eth.get_transaction_receipt(tx["hash"])["gasUsed"]


def deployment_gas(sender: Sender) -> int:
    """Gas of deploying the waterfall library, the pool implementation linked to it and
    the factory that clones it."""
    _, library = deploy(sender, "Waterfall")
    implementation, first = deploy(
        sender, "SecuritizationPool", libraries={"Waterfall": library.address}
    )
    _, second = deploy(sender, "PoolFactory", implementation.address)
    return sum(
        sender.w3.eth.get_transaction_receipt(record.tx_hash)["gasUsed"]
        for record in (library, first, second)
    )


def within(a: int, b: int) -> bool:
    return abs(a - b) <= TOLERANCE * max(a, b)


def measure() -> dict[str, float | int | bool]:
    with LocalNode(kind="anvil", port=free_port()) as node:
        w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))
        sandbox = Sandbox.deploy(dev_senders(w3))
        base = sandbox.snapshot()
        runs = {}
        for holders, loans in ((10, 10), (1_000, 10), (10, 10_000)):
            runs[holders, loans] = run_deal(sandbox, holders, loans)
            sandbox.rollback(base)
        covered = {}
        for loans in (10, 10_000):
            covered[loans] = run_deal(sandbox, 10, loans, cover=True)
            sandbox.rollback(base)
        deploy_gas = deployment_gas(sandbox.structurer)
    small, many_holders, many_loans = runs[10, 10], runs[1_000, 10], runs[10, 10_000]
    out: dict[str, float | int | bool] = {
        "deploy_gas": deploy_gas,
        "create_pool_gas": small.create_pool,
        "subscribe_gas": small.subscribe,
        "close_gas_10_holders": small.close,
        "close_gas_1000_holders": many_holders.close,
        "period_gas_10_holders": small.period,
        "period_gas_1000_holders": many_holders.period,
        "first_period_gas": small.first_period,
        "stressed_period_gas_10_holders": small.stressed_period,
        "stressed_period_gas_1000_holders": many_holders.stressed_period,
        "stressed_period_gas_10000_loans": many_loans.stressed_period,
        "claim_gas_10_holders": small.claim,
        "claim_gas_1000_holders": many_holders.claim,
        "period_gas_10_loans": small.period,
        "period_gas_10000_loans": many_loans.period,
        "claim_gas_10000_loans": many_loans.claim,
        "post_collateral_gas": covered[10].post_collateral,
        "period_gas_with_cover": covered[10].stressed_period,
        "period_gas_with_cover_10000_loans": covered[10_000].stressed_period,
        "steady_period_gas_with_cover": covered[10].period,
        "release_gas": covered[10].release,
        "sim_deal_periods_per_s": round(measure_deal_periods_per_second(min_seconds=2.0), 1),
    }
    out["holders_within_5pct"] = (
        within(small.period, many_holders.period)
        and within(small.stressed_period, many_holders.stressed_period)
        and within(small.claim, many_holders.claim)
    )
    out["loans_within_5pct"] = within(small.period, many_loans.period) and within(
        small.stressed_period, many_loans.stressed_period
    )
    out["cover_loans_within_5pct"] = within(
        covered[10].stressed_period, covered[10_000].stressed_period
    )
    out["cover_under_tx_cap"] = covered[10].stressed_period < 2**24
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = measure()
    if args.json:
        print(json.dumps(results))
        return
    table = Table(title="Deal contracts and simulator")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in results.items():
        shown = str(value) if isinstance(value, bool) else f"{value:,}"
        table.add_row(key, shown)
    Console().print(table)


if __name__ == "__main__":
    main()
