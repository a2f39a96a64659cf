"""`credence cover verify --facility` on a real Anvil: a third party holding a pricing record
checks that a deployed facility commits its hash and was deployed on the terms it priced
(read from the chain); a facility its provider deployed itself, with the record's hash but
a lower premium and collateral, is caught (exit 1), naming each term, and the structurer
binding with the record binds only the facility deployed on its terms."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from cover_samples import issue_pds
from pool_samples import SPEC, loans, tape_csv

from ledger.deals.cover import GuaranteeTerms
from ledger.deals.service import DealService, LoanRow, tape_from_rows
from ledger.deals.spec import parse_spec
from ledger.guarantees.facility import FacilityClient
from ledger.guarantees.pricing import PricingInputs
from ledger.guarantees.service import CoverService
from ledger.runtime import Runtime
from ledger.settings import Settings

from .conftest import run

KYC_UNTIL = 4_102_444_800  # 2100-01-01


def test_verify_checks_the_deployed_terms_against_the_record(
    env: dict[str, str], tmp_path: Path
) -> None:
    spec_body = {**SPEC, "name": "Verified 2016-1"}
    spec = parse_spec(spec_body)
    pds = [300, 800, 1500, 90]
    settings = Settings(data_dir=Path(env["CREDENCE_DATA_DIR"]), rpc_url=env["CREDENCE_RPC_URL"])
    with Runtime.open(settings) as rt:
        rows = loans(spec.units(spec.pool_balance))
        for row, uid in zip(rows, issue_pds(rt, pds), strict=True):
            row["score_uid"] = uid
        deals = DealService(rt)
        tape = tape_from_rows(
            [LoanRow(**r) for r in rows], rt.pseudonym_secret(), spec.period.closing_date
        )
        pool = deals.create_pool(spec, tape).address
        cover = CoverService(rt, deals)
        address = cover.provider_address("guarantor")
        deals.add_investor("guarantor", KYC_UNTIL, "GB", address=address)
        params = PricingInputs("0x" + "00" * 32, (), (), 1, 6_000, 40_000, 0, 10)
        with_pd = [{**r, "pd_bps": pd} for r, pd in zip(rows, pds, strict=True)]
        proposal = cover.propose(spec, params, tape_text=tape_csv(with_pd))
        priced = proposal.result
        terms = {"tranche": 1, "limit": priced.collateral, "premium_bps": priced.premium_bps}
        terms["last_period"] = 3
        honest = cover.deploy("guarantor", "guarantee", pool, terms, pricing_record=proposal.record)
        # the provider's own transaction, past the service: the record's hash, cheaper terms
        cheap = GuaranteeTerms(1, priced.collateral, priced.premium_bps - 1, 3)
        digest = bytes.fromhex(proposal.pricing_hash[2:])
        sender = cover.provider_sender("guarantor")
        registry = deals.registry.address
        other = FacilityClient.deploy(
            sender, deals.pool(pool), registry, cheap, priced.collateral - 1, digest
        )

    (tmp_path / "deal.yaml").write_text(yaml.safe_dump(spec_body))
    (tmp_path / "record.json").write_text(proposal.record)
    verify = ("cover", "verify", "--spec", str(tmp_path / "deal.yaml"))
    verify += ("--record", str(tmp_path / "record.json"), "--facility")

    code, out = run(env, *verify, honest.address, "--json")
    assert code == 0, out
    facility = json.loads(out)["facility"]
    assert facility["hash_matches"] and facility["terms_match"] and not facility["differences"]

    code, out = run(env, *verify, other.address, "--json")
    assert code == 1, out
    facility = json.loads(out)["facility"]
    assert facility["hash_matches"] and not facility["terms_match"]
    assert facility["differences"] == [
        {
            "field": "terms.premium_bps",
            "priced": priced.premium_bps,
            "value": priced.premium_bps - 1,
            "rule": "equal",
        },
        {
            "field": "required",
            "priced": priced.collateral,
            "value": priced.collateral - 1,
            "rule": "at least",
        },
    ]
    code, out = run(env, *verify, other.address)
    assert code == 1 and "terms.premium_bps" in out and "pricingHash matches" in out
    assert max(len(line) for line in out.splitlines()) <= 100

    code, out = run(env, *verify, pool)
    assert code == 2 and "no guarantee facility" in " ".join(out.split())

    # the structurer binds with the record: only the facility deployed on its terms
    bind = ("cover", "bind", "--pricing-record", str(tmp_path / "record.json"))
    code, out = run(env, *bind, other.address)
    flat = " ".join(out.split())
    assert code == 2 and "terms.premium_bps" in flat and "Traceback" not in flat
    with Runtime.open(settings) as rt:
        CoverService(rt).post("guarantor", honest.address, priced.collateral)
    code, out = run(env, *bind, honest.address, "--json")
    assert code == 0 and json.loads(out)["position"]["bound"] is True, out
