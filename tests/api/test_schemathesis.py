"""Property-based requests generated from the OpenAPI document (schemathesis): no
operation answers with a server error, and every status and content type it answers
with is documented (401/403/404/409/413/422 as problem+json).

Bounded: a few examples per operation, derandomized, against the API served by uvicorn
on the session's node (so the lifespan, the guard and the batcher run as deployed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from api.deps import Role
from api.main import create_app
from ledger.chain.node import free_port
from ledger.demo import serve
from ledger.runtime import Runtime

ADMIN = {"X-API-Key": "k-admin"}
EXAMPLES_PER_OPERATION = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def served_schema(runtime: Runtime) -> Iterator[schemathesis.schemas.BaseSchema]:
    with serve(create_app(runtime, {"k-admin": Role.admin}), free_port()) as url:
        yield schemathesis.openapi.from_url(f"{url}/openapi.json")


def test_no_server_errors_and_documented_answers(served_schema):
    failures: list[str] = []
    operations = [result.ok() for result in served_schema.get_all_operations()]
    assert len(operations) > 20
    calls = 0
    statuses: Counter[int] = Counter()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            nonlocal calls
            calls += 1
            response = case.call(headers=ADMIN, timeout=60)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except AssertionError as exc:  # keep going: report every operation at the end
                failures.append(f"{case.operation.label}: {str(exc).splitlines()[0:6]}")

        run()
    assert calls >= len(operations)
    print(dict(statuses))
    assert statuses[200] + statuses[201] > 0 and statuses[422] > 0  # reached past the guard
    assert failures == [], "\n".join(failures)
