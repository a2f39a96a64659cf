"""Batch verification gives, for every disclosure fixture, exactly the single path's verdict,
while reading each record once; the API's batch endpoint gives the same."""

from __future__ import annotations

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
        empty = client.post("/v1/verify/batch", json={"disclosures": []}, headers=key)
        assert empty.status_code == 422
        assert "disclosures" in empty.text
