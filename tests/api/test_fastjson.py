"""Bulk routes: the collector is paused from the body's parse to the answer, and back on
after an answer, a refused body and a failure (no indexer or other pause runs here)."""

from __future__ import annotations

import gc

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.fastjson import FastJsonRoute, bulk


class Body(BaseModel):
    n: int


def app_with(seen: list[bool]) -> FastAPI:
    router = APIRouter(route_class=FastJsonRoute)

    @router.post("/bulk")
    @bulk
    def paused(body: Body) -> dict:
        seen.append(gc.isenabled())
        if body.n < 0:
            raise RuntimeError("boom")
        return {"n": body.n}

    @router.post("/plain")
    def plain(body: Body) -> dict:
        seen.append(gc.isenabled())
        return {"n": body.n}

    app = FastAPI()
    app.include_router(router)
    return app


def test_a_bulk_route_runs_paused_and_restores_the_collector():
    seen: list[bool] = []
    with TestClient(app_with(seen), raise_server_exceptions=False) as client:
        assert client.post("/bulk", json={"n": 1}).json() == {"n": 1}
        assert gc.isenabled()
        assert client.post("/bulk", json={"n": "x"}).status_code == 422
        assert gc.isenabled()
        assert client.post("/bulk", json={"n": -1}).status_code == 500
        assert gc.isenabled()
        assert client.post("/plain", json={"n": 2}).json() == {"n": 2}
    assert seen == [False, False, True]
