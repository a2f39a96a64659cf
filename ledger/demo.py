"""`credence demo`: the main job end to end on the embedded defaults.

A scoring institution fits a scorecard, registers the model on chain, scores and
attests a file of applicants through the HTTP API; a customer discloses only two fields
to a lender, who verifies them; tampering, revocation and suspension are caught; an
structurer pools a loan tape, investors subscribe, the servicer's loan-level file becomes
a checked period report and the waterfall runs on chain; an auditor rebuilds the index
from chain events into a database of its own, reconciles it with the service's (equal)
and exports journals and a hashed report. Everything runs on a
managed Anvil node and SQLite in a fresh demo directory, nothing to configure.
"""

from __future__ import annotations

import csv
import json
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from rich.panel import Panel

from ledger import PROJECT_ROOT
from ledger.attest.disclosure import RecordFile
from ledger.attest.verify import RpcReader, verify_document
from ledger.chain.deploy import verify_deployment
from ledger.chain.node import free_port
from ledger.demo_simulated import rate_example_deal, rating_trigger_path, stressed_deal
from ledger.runtime import Runtime
from ledger.settings import Settings

console = Console()
SAMPLE = PROJECT_ROOT / "data" / "samples" / "german_credit.csv"


def step(title: str) -> None:
    console.rule(f"[bold cyan]{title}")


@contextmanager
def serve(app: Any, port: int) -> Iterator[str]:
    """Run the API with uvicorn in a thread for the duration of the demo."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def fit_model(
    out_dir: Path,
) -> tuple[dict[str, Any], list[dict[str, str]], dict[str, float], dict[str, Any]]:
    """Fit the sample scorecard (70/30 split, seed 42); returns the artifact, the
    applicants (inputs without the target), the holdout metrics and a cut-off strategy
    for a 15% bad rate on the holdout."""
    from ledger.scoring.data import read_csv
    from ledger.scoring.fit import FitConfig, fit_scorecard
    from ledger.scoring.report import report_paths, write_report
    from ledger.scoring.strategy import Target, build_strategy

    table = read_csv(SAMPLE)
    result = fit_scorecard(table, FitConfig(target="creditability", bad="bad"))
    out_dir.mkdir(parents=True, exist_ok=True)
    artifact_path = out_dir / "german_credit_scorecard.json"
    from ledger.scoring.artifact import write_artifact

    write_artifact(result.artifact, artifact_path)
    holdout_rows = table.take(result.holdout_index)
    write_report(
        result.scorecard,
        result.holdout,
        report_paths(artifact_path),
        train=result.train,
        table=holdout_rows,
    )
    h = result.holdout
    strategy = build_strategy(
        result.scorecard, h.scores, h.is_bad, Target("bad_rate", 1500), sample="holdout"
    )
    with SAMPLE.open(newline="") as fh:
        applicants = [
            {k: v for k, v in row.items() if k != "creditability"} for row in csv.DictReader(fh)
        ]
    return result.artifact, applicants, {"auc": h.auc, "ks": h.ks, "gini": h.gini}, strategy


def run(data_dir: Path | None = None) -> Path:
    """Run the demo; returns the data directory its state is kept in."""
    data_dir = data_dir or PROJECT_ROOT / ".credence" / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = Settings(
        data_dir=data_dir, node_port=free_port(), rpc_url=None, block_time=None, dev_mode=True
    )

    step("1. Chain: managed Anvil, contracts deployed and checked against their sources")
    with Runtime.open(settings) as rt:
        assert rt.manifest is not None
        for check in verify_deployment(rt.w3, rt.manifest):
            console.print(f"{check.name} at {check.address}: [green]{check.reason}[/]")

        from api.deps import Role
        from api.main import create_app

        keys = {
            "demo-attester": Role.attester,
            "demo-verifier": Role.verifier,
            "demo-admin": Role.admin,
        }
        with serve(create_app(rt, keys), free_port()) as url:
            demo_flow(rt, url, data_dir)
    step("10. Rating agency: the example deal's tranches by the reproducible method")
    spec = rate_example_deal(console)
    step("10b. B downgraded below BBB: the next period is sequential, spread trapped")
    rating_trigger_path(spec, console)
    console.print(Panel.fit("[bold green]Demo complete.[/] State kept in " + str(data_dir)))
    return data_dir


def demo_flow(rt: Runtime, url: str, data_dir: Path) -> None:
    attester = httpx.Client(base_url=url, headers={"X-API-Key": "demo-attester"}, timeout=120)
    verifier = httpx.Client(base_url=url, headers={"X-API-Key": "demo-verifier"}, timeout=120)
    admin = httpx.Client(base_url=url, headers={"X-API-Key": "demo-admin"}, timeout=120)

    step("2. Scoring institution fits a scorecard and registers the model on chain")
    artifact, applicants, holdout, strategy = fit_model(data_dir / "model")
    registered = ok(attester.post("/v1/models/artifacts", json={"artifact": artifact}))
    model_id = registered["model_id"]
    console.print(
        f"scorecard on {SAMPLE.name}: holdout AUC {holdout['auc']:.3f}, KS {holdout['ks']:.3f}; "
        f"model {model_id[:18]}… registered with metrics (bps) {registered['metrics']}"
    )
    from ledger.scoring.anchor import model_store, register_strategy

    excluded = [c for c, s in artifact["columns"]["status"].items() if "protected" in s]
    console.print(f"protected columns excluded from the features: {', '.join(excluded)}")
    plan = register_strategy(
        rt.registry("attester"), model_store(rt.settings.data_dir), strategy, "demo://strategy"
    )
    cut, expected = strategy["cutoffs"], strategy["expected"]
    console.print(
        f"strategy {plan.model_id[:18]}… registered beside the model: approve from "
        f"{cut['approve_min']} (holdout approval {expected['approve']['share_bps'] / 100:.1f}%, "
        f"bad rate {expected['approve']['bad_rate_bps'] / 100:.1f}%), refer from {cut['refer_min']}"
    )

    step(f"3. Score and attest {len(applicants):,} applicants in one request (one Merkle batch)")
    body = {
        "model_id": model_id,
        "strategy_id": plan.model_id,
        "applicants": [
            {"subject_id": f"applicant-{i}", "inputs": a} for i, a in enumerate(applicants)
        ],
    }
    t0 = time.perf_counter()
    scored = ok(attester.post("/v1/scores", json=body, headers={"Idempotency-Key": "demo-1"}))
    elapsed = time.perf_counter() - t0
    results = scored["results"]
    grades = Counter(r["grade"] for r in results)
    console.print(
        f"{scored['count']:,} scores attested under {len({r['batch_root'] for r in results})} "
        f"root(s) in {elapsed:.2f}s; grades {dict(sorted(grades.items()))}"
    )
    decisions = Counter(r["decision"] for r in results)
    declined = next(r for r in results if r["decision"] == "decline")
    console.print(
        f"decisions under the strategy {dict(decisions)}; a declined applicant's reasons: "
        + "; ".join(declined["reason_texts"][:2])
    )
    again = ok(attester.post("/v1/scores", json=body, headers={"Idempotency-Key": "demo-1"}))
    same = again["results"][0]["commitment"] == results[0]["commitment"]
    console.print(
        f"retry with the same Idempotency-Key replays the first answer, nothing new: {same}"
    )

    step("4. The customer gets their record file, discloses score and grade; lenders verify")
    commitment = results[0]["commitment"]
    held = RecordFile.from_dict(ok(attester.get(f"/v1/attestations/{commitment}/record-file")))
    disclosure = held.disclose(["score", "grade", "model_id"]).to_dict()  # no institution needed
    show_verification("honest disclosure", ok(verifier.post("/v1/verify", json=disclosure)))
    show_verification("a lender alone, chain only", asdict(alone_verify(rt, disclosure)))
    many = [
        ok(attester.get(f"/v1/attestations/{r['commitment']}/disclosure")) for r in results[1:21]
    ]
    batch = ok(verifier.post("/v1/verify/batch", json={"disclosures": [disclosure, *many]}))
    valid = sum(r["valid"] for r in batch["results"])
    console.print(f"batch verify: {valid} of {batch['count']} disclosures valid in one call")
    lines = "\n".join(json.dumps(d) for d in [disclosure, *many])  # NDJSON: one a line
    ndjson = {"content-type": "application/x-ndjson"}
    same = ok(verifier.post("/v1/verify/batch", content=lines, headers=ndjson)) == batch
    console.print(f"the same as NDJSON, one disclosure a line: {'same' if same else 'DIFFERENT'}")
    recompute = {"disclosure": disclosure, "inputs": applicants[0]}
    show_verification(
        "score recomputed from the inputs",
        ok(verifier.post("/v1/verify/recompute", json=recompute)),
    )

    step("5. Tampering, revocation and suspension are caught")
    forged = {**disclosure, "fields": [dict(f) for f in disclosure["fields"]]}
    for f in forged["fields"]:
        if f["name"] == "score":
            f["value"] = str(int(f["value"]) + 100)
    refused = verifier.post("/v1/verify", json=forged).json()
    console.print(f"score raised by 100: [red]refused[/] ({refused['detail']})")
    copy_and_revoke(rt, admin, held)
    show_verification("after another attester copied it", asdict(alone_verify(rt, disclosure)))
    denied = verifier.post(f"/v1/attestations/{commitment}/revoke", json={"reason": 1})
    console.print(f"verifier trying to revoke: HTTP {denied.status_code} {denied.json()['detail']}")
    ok(attester.post(f"/v1/attestations/{commitment}/revoke", json={"reason": 7}))
    show_verification("after revocation", ok(verifier.post("/v1/verify", json=disclosure)))
    other = results[1]["commitment"]
    other_disclosure = ok(
        attester.get(f"/v1/attestations/{other}/disclosure", params={"fields": "grade"})
    )
    attester_id = rt.registry().attester_of(rt.sender("attester").address)
    ok(admin.post(f"/v1/attesters/{attester_id}/suspend", json={"reason": 3}))
    show_verification("attester suspended", ok(verifier.post("/v1/verify", json=other_disclosure)))
    show_alerts("early warning while suspended", ok(admin.get("/v1/alerts")))
    ok(admin.post(f"/v1/attesters/{attester_id}/reinstate"))
    show_verification("attester reinstated", ok(verifier.post("/v1/verify", json=other_disclosure)))
    show_alerts("early warning after reinstatement", ok(admin.get("/v1/alerts")))

    step("6. Structurer, investors and servicer: a pool, a guarded close, a checked period")
    from ledger.demo_deals import deal_flow

    deal_flow(rt, console)

    step("7. Auditor: rebuild from chain events alone into a fresh database, reconcile, export")
    from ledger.audit.workbench import Workbench

    rt.indexer().poll_once()  # the service's index is at the head before comparing
    bench = Workbench(rt)
    rebuilt = bench.rebuild()
    result = bench.reconcile()
    console.print(
        f"rebuilt {rebuilt.events_total:,} events up to block {rebuilt.indexed_block} "
        f"into a database of its own; {result.entities_compared:,} entities reconciled: "
        + ("[green]equal[/]" if result.equal else f"[red]differences {result.counts()}[/]")
    )
    exported = bench.export(data_dir / "audit-export", result)
    console.print(
        f"exports: {len(exported.files)} files; audit report sha256 {exported.report_sha256}"
    )
    from ledger.demo_audit import anchor_report

    anchor_report(rt, data_dir / "audit-export", console)
    console.print("the web console: `credence up`, then /console (log in with an API key)")

    step("8. A stressed deal: excess spread cures losses before equity is paid")
    stressed_deal(console)
    from ledger.demo_cover import cover_flow

    step("8b. Cover: a guarantee on B and pool insurance priced from attested PDs, two periods")
    cover_flow(rt, console, data_dir)
    operator_view(url, attester)


def operator_view(url: str, attester: httpx.Client) -> None:
    step("9. Operator: hostile input refused before work; health and metrics")
    deep = b"[" * 100_000 + b"]" * 100_000
    anonymous = httpx.post(f"{url}/v1/attestations", content=deep)
    keyed = attester.post("/v1/attestations", content=deep)
    console.print(
        f"100,000 nested brackets: without a key HTTP {anonymous.status_code} (body unread), "
        f"with one HTTP {keyed.status_code} ({keyed.json()['detail']})"
    )
    record = {"subject_id": "x", "score": 600, "grade": "B", "model_id": "0x" + "00" * 32}
    late = attester.post("/v1/attestations", json={"records": [record | {"expires_at": 2**40}]})
    console.print(f"expires_at 2^40 (uint40): HTTP {late.status_code}, {late.json()['errors'][0]}")
    health = httpx.get(f"{url}/v1/health").json()  # 503 (problem+json) while one is down
    deps = ", ".join(f"{name} {d['state']}" for name, d in health["dependencies"].items())
    console.print(f"/v1/health {health.get('status', health.get('title'))}: {deps}")
    counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in httpx.get(f"{url}/metrics").text.splitlines()
        if line.startswith("credence_http_requests_total{")
    )
    console.print(f"/metrics (Prometheus): {counted:.0f} requests counted by route and status")


def alone_verify(rt: Runtime, disclosure: dict[str, Any]) -> Any:
    """What a lender runs with only a node: `credence verify FILE --rpc URL`."""
    return verify_document(RpcReader(rt.w3.provider.endpoint_uri), disclosure)


def copy_and_revoke(rt: Runtime, admin: httpx.Client, held: RecordFile) -> None:
    """A second registered attester anchors a copy of the customer's batch, then revokes it."""
    from eth_account import Account

    from ledger.attest.registry import Registry
    from ledger.chain.node import DEV_MNEMONIC
    from ledger.tx import Sender

    Account.enable_unaudited_hdwallet_features()
    key = Account.from_mnemonic(DEV_MNEMONIC, account_path="m/44'/60'/0'/0/9")
    ok(admin.post("/v1/attesters", json={"key": key.address, "name": "Copycat bureau"}))
    copier = Registry(rt.contract("AttestationRegistry"), Sender(rt.w3, key, errors=rt.errors))
    record, batch = held.sealed.record, held.batch
    assert batch is not None  # the demo's records are batched
    copier.anchor_batch(batch.root, 1, record.model_id, record.expires_at)
    copier.revoke(batch.root, 1)
    console.print(
        "a second attester anchored a copy of that batch root as its own, then revoked it"
    )


def show_alerts(label: str, body: dict[str, Any]) -> None:
    kinds = Counter(a["kind"] for a in body["alerts"])
    console.print(
        f"{label}: {len(body['alerts'])} open alert(s) {dict(kinds)}, "
        f"raised {body['raised']}, cleared {body['cleared']}"
    )


def ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: {response.text}"
        )
    return response.json()


def show_verification(label: str, result: dict[str, Any]) -> None:
    colour = "green" if result["valid"] else "red"
    shown = ", ".join(
        f"{k}={v[:18] + '…' if len(v) > 20 else v}" for k, v in result["disclosed"].items()
    )
    console.print(
        f"{label}: [{colour}]{result['status']}[/] ({'; '.join(result['reasons'])}) {shown}"
    )
