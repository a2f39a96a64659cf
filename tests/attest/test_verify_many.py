"""Batch verification gives, for every disclosure fixture, exactly the single path's verdict,
while reading each record once; the API's batch endpoint gives the same."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from api.deps import Role
from api.main import create_app
from ledger.attest.verify import RpcReader, Web3Reader, verify_document
from ledger.attest.verify_many import CachedReader, verify_many
from ledger.chain.node import LocalNode, free_port
from ledger.runtime import Runtime
from ledger.settings import Settings
from tests.attest.disclosure_fixtures import FIXTURES, build

NDJSON = {"content-type": "application/x-ndjson"}
EXPECTED: dict[str, str] = json.loads((FIXTURES / "expected.json").read_text())


@pytest.fixture(scope="module")
def node() -> Iterator[LocalNode]:
    with LocalNode(kind="anvil", port=free_port()) as local:
        build(Web3(Web3.HTTPProvider(local.url)))
        yield local


def fixture_docs() -> tuple[list[str], list[dict]]:
    names = sorted(EXPECTED)
    return names, [json.loads((FIXTURES / f"{n}.json").read_text()) for n in names]


class CountingReader(RpcReader):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.calls = 0

    def call(self, address: str, data: bytes) -> bytes:
        self.calls += 1
        return super().call(address, data)


def test_batch_verdicts_equal_the_single_path_for_every_fixture(node: LocalNode):
    names, docs = fixture_docs()
    single = [asdict(verify_document(RpcReader(node.url), d)) for d in docs]
    w3 = Web3(Web3.HTTPProvider(node.url))
    batch = verify_many(CachedReader(Web3Reader(w3), w3.provider), docs * 3)  # repeats too
    assert [asdict(v) for v in batch] == single * 3
    assert {v.status for v in batch[: len(names)]} == set(EXPECTED.values())


def test_prefetched_reads_leave_nothing_to_read_one_by_one(node: LocalNode):
    _, docs = fixture_docs()
    w3 = Web3(Web3.HTTPProvider(node.url))
    inner = CountingReader(node.url)
    verify_many(CachedReader(inner, w3.provider), docs * 50)
    assert inner.calls == 0  # every eth_call came from the batched prefetch
    uncached = CountingReader(node.url)
    verify_many(CachedReader(uncached), docs * 2)  # no provider: falls through, once per read
    once = CountingReader(node.url)
    verify_many(CachedReader(once), docs)
    assert uncached.calls == once.calls > 0


def test_api_batch_endpoint_answers_each_as_the_single_endpoint(node: LocalNode, tmp_path: Path):
    names, docs = fixture_docs()
    settings = Settings(data_dir=tmp_path / "api", rpc_url=node.url)
    key = {"X-API-Key": "k"}
    with Runtime.open(settings) as rt, TestClient(create_app(rt, {"k": Role.verifier})) as client:
        response = client.post("/v1/verify/batch", json={"disclosures": docs}, headers=key)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["count"] == len(docs)
        for name, doc, got in zip(names, docs, body["results"], strict=True):
            alone = client.post("/v1/verify", json=doc, headers=key)
            if alone.status_code == 422:
                [error] = alone.json()["errors"]
                assert (got["status"], got["field"]) == ("invalid_disclosure", error["field"])
            else:
                assert {**alone.json(), "field": None} == got, name
            assert got["status"] == EXPECTED[name]
        ndjson = b"\n".join(json.dumps(d).encode() for d in docs) + b"\n\n"
        lines = client.post("/v1/verify/batch", content=ndjson, headers={**key, **NDJSON})
        assert lines.status_code == 200, lines.text
        assert lines.json() == body  # one disclosure a line: the same answer
        assert gc.isenabled()  # the pause around the batch ended with it
        empty = client.post("/v1/verify/batch", json={"disclosures": []}, headers=key)
        assert empty.status_code == 422
        assert "disclosures" in empty.text


BAD_BODIES: list[tuple[bytes, dict[str, str], str]] = [
    (b"{not json", {}, "body"),
    (b"[1, 2]", {}, "body"),
    (b'{"disclosures": [{}], "more": 1}', {}, "more"),
    (b'{"documents": [{}]}', {}, "documents"),
    (b"{}", {}, "disclosures"),
    (b'{"disclosures": {"a": 1}}', {}, "disclosures"),
    (b'{"disclosures": []}', {}, "disclosures"),
    (json.dumps({"disclosures": [{}] * 10_001}).encode(), {}, "disclosures"),
    (b'{"version": 1}\n{broken\n', NDJSON, "disclosures.1"),
    (b"\n \n", NDJSON, "disclosures"),
    (b"{}\n" * 10_001, NDJSON, "disclosures"),
]


@pytest.mark.parametrize(("content", "headers", "field"), BAD_BODIES)
def test_api_batch_endpoint_refuses_a_bad_body_naming_the_field(
    node: LocalNode, tmp_path: Path, content: bytes, headers: dict[str, str], field: str
):
    settings = Settings(data_dir=tmp_path / "api", rpc_url=node.url)
    key = {"X-API-Key": "k", "content-type": "application/json", **headers}
    with Runtime.open(settings) as rt, TestClient(create_app(rt, {"k": Role.verifier})) as client:
        response = client.post("/v1/verify/batch", content=content, headers=key)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert error["reason"]
    assert gc.isenabled()  # the refusal, raised inside the collector pause, ended it


def _mutations(doc: dict) -> list:
    """Bad variants of ``doc``: each offline rule broken once, some twice in one document."""
    out: list = [None, [], {**doc, "extra": 1}, {**doc, "version": 2}]
    fields = doc["fields"]
    for i, f in enumerate(fields):
        salt = f["salt"]
        flipped = salt[:-1] + ("0" if salt[-1] != "0" else "1")
        out.append({**doc, "fields": [*fields[:i], {**f, "salt": flipped}, *fields[i + 1 :]]})
        if f["proof"]:
            for bad in (f["proof"][0].upper(), f["proof"][0][:-1], 7, f["proof"][0] + " "):
                proof = [bad, *f["proof"][1:]]
                out.append(
                    {**doc, "fields": [*fields[:i], {**f, "proof": proof}, *fields[i + 1 :]]}
                )
    # A proof that fails early and a malformed salt later: the single read names the first.
    if len(fields) > 1:
        first = {**fields[0], "salt": "0x" + "00" * 32}
        last = {**fields[-1], "salt": "0xZZ"}
        out.append({**doc, "fields": [first, *fields[1:-1], last]})
    if "batch" in doc:
        out.append({**doc, "batch": {**doc["batch"], "proof": ["0x12"]}})
        out.append({**doc, "batch": {**doc["batch"], "proof": doc["batch"]["proof"] * 9}})
    return out


def test_reading_many_gives_each_document_the_single_reads_outcome():
    from ledger.attest.disclosure import DisclosureError, read_disclosure, read_disclosures

    _, docs = fixture_docs()
    every = [m for doc in docs for m in [doc, *_mutations(doc)]]

    def alone(doc):
        try:
            return read_disclosure(doc)
        except DisclosureError as exc:
            return (exc.field, exc.reason)

    together = [
        (r.field, r.reason) if isinstance(r, DisclosureError) else r
        for r in read_disclosures(every)
    ]
    assert together == [alone(doc) for doc in every]
    assert sum(isinstance(r, tuple) for r in together) > len(docs)  # the mutations do fail


def test_compiled_field_roots_equal_the_python_reference():
    import os
    import random

    from ledger.attest._seal import field_roots
    from ledger.attest.disclosure import _python_field_roots
    from ledger.attest.records import FIELDS

    rng = random.Random(14)
    items = [
        (
            rng.choice([f.name for f in FIELDS]),
            "".join(rng.choice("aé€😀 0") for _ in range(rng.randint(0, 300))),
            os.urandom(32),
            os.urandom(32 * rng.randint(0, 8)),
        )
        for _ in range(500)
    ]
    assert field_roots(items) == _python_field_roots(items)
    with pytest.raises(ValueError, match="items\\[0\\]"):
        field_roots([("score", "1", b"short", b"")])


def test_compiled_hex_check_equals_the_pattern():
    import random
    import re

    from ledger.attest._seal import hex32s

    pattern = re.compile(r"0x[0-9a-f]{64}")
    good = "0x" + "0123456789abcdef" * 4
    bad = [
        good.upper(),
        "0X" + good[2:],
        good[:-1],
        good + "0",
        good[:-1] + "g",
        good[:-1] + "é",
        good[:-1] + "A",
        " " + good[1:],
        good[:-1] + "\\n",
        "0x0x" + good[6:],
        7,
        None,
        b"0x00",
    ]
    rng = random.Random(3)
    for _ in range(3_000):
        nodes = [rng.choice(bad) if rng.random() < 0.2 else good for _ in range(rng.randint(0, 6))]
        ok = all(type(n) is str and pattern.fullmatch(n) for n in nodes)
        expected = b"".join(bytes.fromhex(n[2:]) for n in nodes) if ok else None
        assert hex32s(nodes) == expected, nodes
