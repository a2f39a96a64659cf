"""Cover pricing from the registry on a real Anvil: each loan's pd_bps is checked against its
attested score record; a tape whose PD differs is refused naming the row and the loan; a
recorded price is recomputed from the tape and the registry with the recorded inputs only,
and stops recomputing once a record is revoked."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from cover_samples import issue_pds, write_tape

from ledger.attest.verify import Web3Reader
from ledger.deals.simulator import EXAMPLE_SPEC
from ledger.deals.spec import load_spec
from ledger.deals.tape import read_tape
from ledger.guarantees.attested import (
    attested_price,
    check_attested,
    inputs_from_tape,
    issued_disclosures,
    recompute,
)
from ledger.guarantees.pricing import PricingError, PricingInputs, record, record_hash
from ledger.runtime import Runtime

PDS = [150, 320, 900, 2400, 75, 610]
PARAMS = PricingInputs("0x" + "00" * 32, (), (), 1, 6_000, 30_000, 1_000, 25)


@pytest.fixture(scope="module")
def attested(runtime: Runtime, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    uids = issue_pds(runtime, PDS)
    return write_tape(tmp_path_factory.mktemp("tape") / "tape.csv", uids, PDS), uids


def _inputs(rt: Runtime, tape: Path) -> PricingInputs:
    registry = rt.contract("AttestationRegistry").address.lower()
    find = issued_disclosures(rt.engine, rt.w3.eth.chain_id, registry)
    spec = load_spec(EXAMPLE_SPEC)
    return inputs_from_tape(PARAMS, tape, rt.pseudonym_secret(), spec, find, registry)


def test_a_recorded_price_recomputes_from_the_tape_and_the_registry(
    runtime: Runtime, attested: tuple[Path, list]
) -> None:
    tape_path, uids = attested
    spec = load_spec(EXAMPLE_SPEC)
    inputs = _inputs(runtime, tape_path)
    chain = Web3Reader(runtime.w3)
    result = attested_price(inputs, spec, chain)
    text = record(inputs, result)
    recorded = json.loads(text)["inputs"]
    assert recorded["registry"] == runtime.contract("AttestationRegistry").address.lower()
    tape = read_tape(tape_path, runtime.pseudonym_secret(), spec.period.closing_date)
    assert recorded["tape_root"] == "0x" + tape.root.hex()
    assert [x["score_uid"] for x in recorded["loans"]] == uids
    # the recorded inputs alone (no data directory, no sealed records) and the chain
    again = recompute(text, spec, chain, tape)
    assert asdict(again) == json.loads(text)["result"] and again.collateral > 0
    assert record_hash(record(inputs, again)) == record_hash(text)

    other = write_tape(tape_path.parent / "other.csv", uids, PDS, balance=3_000_000)
    other_tape = read_tape(other, runtime.pseudonym_secret(), spec.period.closing_date)
    with pytest.raises(PricingError, match="tape's root"):
        recompute(text, spec, chain, other_tape)


def test_a_pd_that_differs_from_the_attested_one_is_refused(
    runtime: Runtime, attested: tuple[Path, list]
) -> None:
    tape_path, uids = attested
    wrong = list(PDS)
    wrong[2] += 1
    bad_tape = write_tape(tape_path.parent / "bad.csv", uids, wrong)
    with pytest.raises(PricingError) as refused:
        _inputs(runtime, bad_tape)
    assert refused.value.field == "row 4, column pd_bps"
    assert "the tape says 901" in refused.value.reason and uids[2] in refused.value.reason

    inputs = _inputs(runtime, tape_path)
    loans = list(inputs.loans)
    loans[3] = replace(loans[3], pd_bps=loans[3].pd_bps - 100)  # a record edited by hand
    with pytest.raises(PricingError) as edited:
        check_attested(replace(inputs, loans=tuple(loans)), Web3Reader(runtime.w3))
    assert edited.value.field == "loans[3].pd_bps" and loans[3].loan in edited.value.reason

    unknown = write_tape(tape_path.parent / "unknown.csv", [*uids[:5], "0x" + "ab" * 32], PDS)
    with pytest.raises(PricingError, match="no score record"):
        _inputs(runtime, unknown)


def test_a_revoked_record_stops_the_price_from_recomputing(
    runtime: Runtime, tmp_path: Path
) -> None:
    uids = issue_pds(runtime, PDS[:3])
    tape = write_tape(tmp_path / "tape.csv", uids, PDS[:3])
    spec = load_spec(EXAMPLE_SPEC)
    inputs = _inputs(runtime, tape)
    text = record(inputs, attested_price(inputs, spec, Web3Reader(runtime.w3)))
    svc = runtime.attestation_service()
    try:
        svc.revoke([uids[1]], 1)
    finally:
        svc.close()
    with pytest.raises(PricingError) as revoked:
        recompute(text, spec, Web3Reader(runtime.w3))
    assert revoked.value.field == "loans[1].score_uid" and "revoked" in revoked.value.reason
