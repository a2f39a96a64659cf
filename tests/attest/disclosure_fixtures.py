"""Build the disclosure fixtures (tests/fixtures/disclosures/) on a fresh Anvil node.

Everything is deterministic (the dev mnemonic, the deployer's first nonce, fixed salts,
fixed times), so the same files come out on every fresh node: the test rebuilds the chain
state, checks the stored files are exactly what it produces, then runs every verifier
on them. Regenerate after a format change with

    .venv/bin/python -m tests.attest.disclosure_fixtures
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger import PROJECT_ROOT
from ledger.attest.disclosure import Batch, RecordFile
from ledger.attest.records import ScoreRecord, SealedRecord, seal
from ledger.attest.registry import ModelMetrics, Registry
from ledger.chain.compiler import compile_contracts
from ledger.chain.deploy import deploy
from ledger.merkle import MerkleTree, bytes32_leaf, keccak
from ledger.tx import ErrorDecoder, Sender

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "disclosures"
MNEMONIC = "test test test test test test test test test test test junk"
ISSUED = 1_767_225_600  # 2026-01-01, the institution's scoring time (informational)
FAR = 4_102_444_800  # 2100-01-01: valid records
SOON = 2_000_000_000  # 2033: the expired record; the chain is moved past it
METRICS = ModelMetrics(8000, 5000, 6000, 100, 1000)
MODEL = keccak(b"credence fixture model")
OTHER_MODEL = keccak(b"credence fixture model, another")
Doc = dict[str, Any]


def accounts() -> list[LocalAccount]:
    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(6)]


def sealed(label: str, attester: int, expires_at: int = FAR, **values: Any) -> SealedRecord:
    record = ScoreRecord(
        subject="0x" + keccak(b"subject " + label.encode()).hex(),
        score=values.get("score", 700),
        grade=values.get("grade", "B"),
        model_id=MODEL,
        issued_at=ISSUED,
        expires_at=expires_at,
        attester=attester,
        pd_bps=values.get("pd_bps", 180),
        reasons=("DTI_HIGH", "SHORT_HISTORY"),
        strategy=values.get("strategy"),
        decision=values.get("decision"),
        reason_texts=values.get("reason_texts"),
    )
    names = [name for name, _ in record.canonical()]
    return seal(record, {n: keccak(f"salt {label} {n}".encode()) for n in names})


def build(w3: Web3) -> dict[str, tuple[Doc, str]]:
    """Set the chain up (a fresh node) and return {name: (disclosure, expected verdict)}."""
    decoder = ErrorDecoder([a.abi for a in compile_contracts().values()])
    admin, acme, copycat, shaky, *_ = (Sender(w3, a, errors=decoder) for a in accounts())
    contract, _ = deploy(admin, "AttestationRegistry", admin.address)
    registrar = Registry(contract, admin)
    for sender, name in ((acme, "Acme Scoring"), (copycat, "Copycat"), (shaky, "Shaky Bank")):
        registrar.register_attester(sender.address, name, "")
    a, b, c = (Registry(contract, s) for s in (acme, copycat, shaky))
    a.register_model(MODEL, "", METRICS)
    a.register_model(OTHER_MODEL, "", METRICS)
    chain, address = w3.eth.chain_id, contract.address.lower()

    def held(s: SealedRecord, batch: Batch | None = None) -> RecordFile:
        return RecordFile(chain, address, s, batch)

    single, revoked, expired = sealed("single", 1), sealed("revoked", 1), sealed("expired", 1, SOON)
    suspended, mismatch = sealed("suspended", 3), sealed("mismatch", 1)
    unanchored = sealed("never anchored", 1)
    strategic = sealed(
        "strategy",
        1,
        strategy=keccak(b"credence fixture strategy"),
        decision="refer",
        reason_texts=("Débt to income ≥ 45 %", "Short credit history"),
    )
    for s in (single, revoked, expired, strategic):
        a.attest(s.commitment, MODEL, s.record.expires_at)
    a.attest(mismatch.commitment, OTHER_MODEL, FAR - 1)  # chain disagrees on expiry and model
    c.attest(suspended.commitment, MODEL, FAR)
    members = [sealed(f"batch {i}", 1, score=600 + i) for i in range(4)]
    others = [sealed(f"other batch {i}", 1) for i in range(2)]
    trees = {}
    for group in (members, others):
        tree = MerkleTree.build([bytes32_leaf(s.commitment) for s in group])
        a.anchor_batch(tree.root, len(group), MODEL, FAR)
        trees[id(group)] = tree

    def in_batch(group: list[SealedRecord], i: int) -> RecordFile:
        tree = trees[id(group)]
        proof = tuple(tree.proof(bytes32_leaf(group[i].commitment)))
        return held(group[i], Batch(tree.root, proof))

    batched, leaf_revoked = in_batch(members, 0), in_batch(members, 1)
    a.revoke(revoked.commitment, 3)
    a.revoke_batch_leaf(
        leaf_revoked.batch.root, leaf_revoked.sealed.commitment, leaf_revoked.batch.proof, 4
    )
    # Another attester copies a single record and the whole batch, then revokes its copies.
    b_model = keccak(b"copycat model")
    b.register_model(b_model, "", METRICS)
    b.attest(single.commitment, b_model, FAR)
    b.anchor_batch(batched.batch.root, len(members), b_model, FAR)
    b.revoke_many([single.commitment, batched.batch.root], 1)
    registrar.suspend_attester(3, 2)
    w3.provider.make_request("evm_setNextBlockTimestamp", [SOON])
    w3.provider.make_request("evm_mine", [])
    # A second, genuine registry: the same code elsewhere knows none of these records.
    elsewhere, _ = deploy(admin, "AttestationRegistry", admin.address)
    not_a_registry, _ = deploy(admin, "InvestorRegistry", admin.address)

    show = ["score", "grade", "model_id", "expires_at"]
    good_single = held(single).disclose(show).to_dict()
    good_batched = batched.disclose(show).to_dict()
    docs: dict[str, tuple[Doc, str]] = {
        "valid_single": (good_single, "valid"),
        "valid_batched": (good_batched, "valid"),
        "valid_attester_only": (held(single).disclose(["attester"]).to_dict(), "valid"),
        "worked_example": (held(single).disclose(["score"]).to_dict(), "valid"),  # the spec's
        "valid_every_field": (
            in_batch(members, 2).disclose([n for n, _ in single.record.canonical()]).to_dict(),
            "valid",
        ),
        "valid_single_copied_and_revoked_by_another": (
            held(single).disclose(["score"]).to_dict(),
            "valid",
        ),
        "valid_batch_copied_and_revoked_by_another": (
            batched.disclose(["grade"]).to_dict(),
            "valid",
        ),
        "valid_strategy_fields": (
            held(strategic).disclose(["decision", "reason_texts", "strategy"]).to_dict(),
            "valid",
        ),
        "revoked_single": (held(revoked).disclose(["score"]).to_dict(), "revoked"),
        "revoked_batch_leaf": (leaf_revoked.disclose(["score"]).to_dict(), "revoked"),
        "expired": (held(expired).disclose(["score"]).to_dict(), "expired"),
        "suspended": (held(suspended).disclose(["score"]).to_dict(), "attester_suspended"),
        "mismatch_expiry_and_model": (held(mismatch).disclose(show).to_dict(), "mismatch"),
        "unknown_never_anchored": (held(unanchored).disclose(["score"]).to_dict(), "unknown"),
    }
    other_leaf = in_batch(members, 3).disclose(show).to_dict()
    other_batch = in_batch(others, 0)
    tamperings: dict[str, tuple[Callable[[Doc], None], str]] = {
        "changed_value": (lambda d: _field(d, "score").update(value="800"), "invalid_disclosure"),
        "changed_salt": (
            lambda d: _field(d, "score").update(salt=_field(d, "grade")["salt"]),
            "invalid_disclosure",
        ),
        "renamed_field": (lambda d: _field(d, "score").update(name="rating"), "invalid_disclosure"),
        "renamed_to_another_field": (
            lambda d: _field(d, "score").update(name="pd_bps"),
            "invalid_disclosure",
        ),
        "proof_from_another_record": (
            lambda d: _field(d, "score").update(proof=_field(other_leaf, "score")["proof"]),
            "invalid_disclosure",
        ),
        "field_from_another_record": (
            lambda d: d["fields"].__setitem__(1, _field(other_leaf, "score")),
            "invalid_disclosure",
        ),
        "duplicated_field": (
            lambda d: d["fields"].append(copy.deepcopy(d["fields"][0])),
            "invalid_disclosure",
        ),
        "attester_hidden": (
            lambda d: d["fields"].remove(_field(d, "attester")),
            "invalid_disclosure",
        ),
        "attester_changed": (
            lambda d: _field(d, "attester").update(value="2"),
            "invalid_disclosure",
        ),
        "uppercase_salt": (
            lambda d: _field(d, "score").update(salt=_upper(_field(d, "score")["salt"])),
            "invalid_disclosure",
        ),
        "uppercase_commitment": (
            lambda d: d.update(commitment=_upper(d["commitment"])),
            "invalid_disclosure",
        ),
        "uppercase_registry": (
            lambda d: d.update(registry=Web3.to_checksum_address(d["registry"])),
            "invalid_disclosure",
        ),
        "non_canonical_value": (
            lambda d: _field(d, "score").update(value="0" + _field(d, "score")["value"]),
            "invalid_disclosure",
        ),
        "changed_commitment": (
            lambda d: d.update(commitment="0x" + "ab" * 32),
            "invalid_disclosure",
        ),
        "truncated_proof": (
            lambda d: _field(d, "grade").update(proof=_field(d, "grade")["proof"][:-1]),
            "invalid_disclosure",
        ),
        "extra_key": (lambda d: d.update(note="trust me"), "invalid_disclosure"),
        "extra_key_in_field": (lambda d: _field(d, "score").update(x=1), "invalid_disclosure"),
        "unknown_version": (lambda d: d.update(version=2), "invalid_disclosure"),
        "no_fields": (lambda d: d.update(fields=[]), "invalid_disclosure"),
        "missing_registry": (lambda d: d.pop("registry"), "invalid_disclosure"),
        "wrong_chain_id": (lambda d: d.update(chain_id=1), "wrong_chain"),
        "wrong_registry_no_code": (lambda d: d.update(registry="0x" + "11" * 20), "not_registry"),
        "wrong_registry_another_contract": (
            lambda d: d.update(registry=not_a_registry.address.lower()),
            "not_registry",
        ),
        "another_credence_registry": (
            lambda d: d.update(registry=elsewhere.address.lower()),
            "unknown",
        ),
        "wrong_batch": (lambda d: d.update(batch=other_batch.to_dict()["batch"]), "unknown"),
        "batch_proof_of_another_leaf": (
            lambda d: d["batch"].update(proof=other_leaf["batch"]["proof"]),
            "unknown",
        ),
        "batch_removed": (lambda d: d.pop("batch"), "unknown"),
        "batch_added_to_single": (
            lambda d: d.update(batch=good_batched["batch"]),
            "unknown",
        ),
    }
    for name, (change, verdict) in tamperings.items():
        base = good_single if name in ("batch_added_to_single",) else good_batched
        doc = copy.deepcopy(base)
        change(doc)
        docs[f"tampered_{name}"] = (doc, verdict)
    decided = copy.deepcopy(docs["valid_strategy_fields"][0])
    _field(decided, "decision").update(value="approve")
    docs["tampered_decision_changed"] = (decided, "invalid_disclosure")
    texts = copy.deepcopy(docs["valid_strategy_fields"][0])
    _field(texts, "reason_texts").update(value="Short credit history")
    docs["tampered_reason_texts_dropped"] = (texts, "invalid_disclosure")
    docs["record_file_batched"] = (batched.to_dict(), "record_file")
    docs["record_file_strategy"] = (held(strategic).to_dict(), "record_file")
    return docs


def _field(doc: Doc, name: str) -> dict[str, Any]:
    return next(f for f in doc["fields"] if f["name"] == name)


def _upper(text: str) -> str:
    return "0x" + text[2:].upper()


def write(docs: dict[str, tuple[Doc, str]], out: Path = FIXTURES) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, (doc, _) in docs.items():
        (out / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
    expected = {name: verdict for name, (_, verdict) in docs.items() if verdict != "record_file"}
    (out / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    from ledger.chain.node import LocalNode, free_port

    with LocalNode(kind="anvil", port=free_port()) as node:
        write(build(Web3(Web3.HTTPProvider(node.url))))
    print(f"wrote {len(list(FIXTURES.glob('*.json')))} files")
