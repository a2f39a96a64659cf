"""Rating records on a real node: issued by the agency attester, superseded with history,
revoked and expired with the registry's semantics; the monitor sees downgrades and watches."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from pool_samples import SPEC, loans
from sqlmodel import Session

from ledger.attest.status import Status
from ledger.deals.service import DealService, LoanRow, tape_from_rows
from ledger.deals.spec import parse_spec
from ledger.monitor.config import MonitorSettings
from ledger.monitor.engine import Monitor
from ledger.ratings.methodology import Methodology
from ledger.ratings.montecarlo import Pool
from ledger.ratings.outcome import rate_pool
from ledger.ratings.records import REASON_SUPERSEDED, RatingRecord
from ledger.ratings.service import RatingService
from ledger.runtime import Runtime
from ledger.store.deal_tables import DealPool

METHOD = Methodology(paths=100, sensitivities_bps=[])


def test_issue_supersede_revoke_expire(rt: Runtime) -> None:
    spec = parse_spec(SPEC)
    rows = loans(spec.units(spec.pool_balance))
    tape = tape_from_rows([LoanRow(**r) for r in rows], rt.pseudonym_secret(), date(2016, 1, 1))
    deals = DealService(rt)
    pool = deals.create_pool(spec, tape).address
    deals.sync()
    balances = np.array([r["current_principal"] for r in rows], dtype=np.int64)
    safe = rate_pool(spec, Pool(balances, np.full(len(rows), 50)), METHOD)
    risky = rate_pool(spec, Pool(balances, np.full(len(rows), 3_000)), METHOD)
    assert safe.run.tranches[1].grade != risky.run.tranches[1].grade

    svc = RatingService(rt)
    monitor = Monitor.for_runtime(rt, MonitorSettings(webhooks=[]))
    first = svc.publish(safe, pool, 1)
    record = first.record
    # The record is public: its JSON recomputes the commitment; the chain holds it for the agency.
    assert RatingRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record
    assert svc.status(record.commitment_hex) == "valid"
    on_chain = svc.registry.record(svc.agency_id(), record.commitment)
    assert on_chain.attester_id == svc.agency_id() != 1  # not the scoring attester
    assert svc.registry.status_of(1, record.commitment) == Status.Unknown
    assert svc.registry.model(record.methodology_hash) is not None
    assert record.methodology_hash.hex() == METHOD.hash[2:]
    with Session(rt.engine) as session:
        assert "0x" + record.tape_root.hex() == session.get(DealPool, pool).tape_root
    assert not [a for a in monitor.evaluate().changes.raised if a.kind.startswith("rating")]

    # A downgrade on negative watch supersedes the first rating; history keeps both.
    second = svc.publish(risky, pool, 1, outlook="negative", watch="negative")
    assert second.superseded == record.commitment_hex
    assert second.record.supersedes == record.commitment
    assert svc.status(record.commitment_hex) == "superseded"
    assert (
        svc.registry.record(svc.agency_id(), record.commitment).revocation_reason
        == REASON_SUPERSEDED
    )
    assert svc.status(second.record.commitment_hex) == "valid"
    history = svc.history(pool, 1)
    assert [h.commitment for h in history] == [record.commitment_hex, second.record.commitment_hex]
    assert history[0].superseded_by == second.record.commitment_hex
    assert svc.current(pool, 1).commitment == second.record.commitment_hex
    raised = {a.kind: a for a in monitor.evaluate().changes.raised}
    assert {"rating_downgrade", "rating_watch"} <= set(raised)
    assert raised["rating_downgrade"].value >= 1

    # Revoked: no valid rating is left, and the rating alerts clear.
    svc.revoke(second.record.commitment_hex, 7)
    assert svc.status(second.record.commitment_hex) == "revoked"
    assert svc.current(pool, 1) is None
    cleared = {a.kind for a in monitor.evaluate().changes.cleared}
    assert {"rating_downgrade", "rating_watch"} <= cleared

    # Expired: the registry's clock passes the record's expiry.
    short = svc.publish(safe, pool, 0, valid_seconds=5)
    assert svc.status(short.record.commitment_hex) == "valid"
    rt.w3.provider.make_request("evm_increaseTime", [10])
    rt.w3.provider.make_request("evm_mine", [])
    assert svc.status(short.record.commitment_hex) == "expired"


def test_ratings_through_the_api_and_cli(rt: Runtime, anvil, tmp_path) -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from api.deps import Role
    from api.main import create_app
    from ledger.cli import _register_subcommands, app
    from ledger.settings import get_settings

    spec = parse_spec(SPEC)
    rows = loans(spec.units(spec.pool_balance))
    tape = tape_from_rows([LoanRow(**r) for r in rows], rt.pseudonym_secret(), date(2016, 1, 1))
    pool = DealService(rt).create_pool(spec, tape).address
    csv = "current_principal,pd_bps\n" + "".join(f"{r['current_principal']},400\n" for r in rows)
    keys = {"k-admin": Role.admin, "k-auditor": Role.auditor}
    admin, auditor = {"X-API-Key": "k-admin"}, {"X-API-Key": "k-auditor"}
    body = {
        "pool": pool,
        "tranche": 0,
        "spec": SPEC,
        "tape_csv": csv,
        "methodology": {"paths": 50, "sensitivities_bps": []},
    }
    with TestClient(create_app(rt, keys, run_indexer=False)) as client:
        assert client.post("/v1/ratings", json=body, headers=auditor).status_code == 403
        bad = client.post("/v1/ratings", json={**body, "methodology": {"paths": 1}}, headers=admin)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "paths"
        short = client.post(
            "/v1/ratings",
            json={**body, "tape_csv": "current_principal,pd_bps\n1,1\n"},
            headers=admin,
        )
        assert short.status_code == 422 and "pool_balance" in short.text
        created = client.post("/v1/ratings", json=body, headers=admin)
        assert created.status_code == 201, created.text
        commitment = created.json()["commitment"]
        assert (
            created.json()["figures"]["tranches"][0]["grade"] == created.json()["record"]["grade"]
        )
        listed = client.get(f"/v1/ratings?pool={pool}", headers=auditor).json()
        assert [(r["commitment"], r["status"]) for r in listed] == [(commitment, "valid")]
        revoked = client.post(f"/v1/ratings/{commitment}/revoke", json={"reason": 3}, headers=admin)
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        again = client.post(f"/v1/ratings/{commitment}/revoke", json={"reason": 3}, headers=admin)
        assert again.status_code == 409
        assert client.get("/v1/ratings/0x" + "ab" * 32, headers=auditor).status_code == 404

    _register_subcommands()
    get_settings.cache_clear()
    env = {"CREDENCE_DATA_DIR": str(rt.settings.data_dir), "CREDENCE_RPC_URL": anvil.url}
    result = CliRunner().invoke(app, ["rating", "history", pool, "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in json.loads(result.output)] == ["revoked"]
    (tmp_path / "m.json").write_text('{"paths": 5}')
    result = CliRunner().invoke(
        app,
        [
            "rating",
            "run",
            "examples/deals/three-tranche-sequential.yaml",
            "x.csv",
            "--methodology",
            str(tmp_path / "m.json"),
        ],
        env=env,
    )
    assert result.exit_code == 2 and "paths" in result.output
    get_settings.cache_clear()


def test_pds_read_from_attested_score_records(rt: Runtime, tmp_path) -> None:
    import time

    from ledger.ratings.inputs import RatingInputError, pool_from_records

    svc = rt.attestation_service()
    model = "0x" + bytes(range(32)).hex()
    rt.registry("attester").register_model(bytes.fromhex(model[2:]), "m", (1, 1, 1, 1, 1))
    now = int(time.time())
    records = [
        svc.new_record(
            subject_id=f"borrower-{i}",
            score=600 + i,
            grade="B",
            model_id=model,
            issued_at=now,
            expires_at=now + 86_400,
            pd_bps=pd,
        )
        for i, pd in enumerate((120, 340, 560))
    ]
    try:
        sealed = svc.issue(records, mode="batch")
    finally:
        svc.close()
    uids = ["0x" + s.commitment.hex() for s in sealed]
    tape = tmp_path / "tape.csv"
    tape.write_text(
        "loan_id,current_principal,score_uid\n"
        + "".join(f"L{i},{1000 * (i + 1)},{u}\n" for i, u in enumerate(uids))
    )
    pool = pool_from_records(tape, rt.engine)
    assert pool.pd_bps.tolist() == [120, 340, 560]
    assert pool.balances.tolist() == [1000, 2000, 3000]
    tape.write_text(tape.read_text() + "L9,5,0x" + "00" * 32 + "\n")
    with pytest.raises(RatingInputError, match="row 5, column score_uid"):
        pool_from_records(tape, rt.engine)
