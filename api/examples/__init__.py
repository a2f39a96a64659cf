"""An example for every request body and response, kept beside each other by side (records,
deals) and put into the OpenAPI document by ``install``; tests/api/test_openapi.py validates
each one against its model, so an example cannot drift from its schema unnoticed."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from api.examples import cover, cover_positions, cover_providers, deals, records
from api.examples.deals import COVER_INPUTS

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    **records.EXAMPLES,
    **deals.EXAMPLES,
    **cover.EXAMPLES,
    **cover_positions.EXAMPLES,
    **cover_providers.EXAMPLES,
}
__all__ = ["COVER_INPUTS", "EXAMPLES", "install"]


def install(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so each schema with an example carries it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            _add_referenced(spec, schemas)
            for model, example in EXAMPLES.items():
                # FastAPI qualifies a name two modules share (api__x__schemas__Name)
                qualified = f"{model.__module__.replace('.', '__')}__{model.__name__}"
                for name in (model.__name__, qualified):
                    if name in schemas:
                        schemas[name]["examples"] = [example]
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _add_referenced(spec: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A route that reads its own body (``openapi_extra``) names its schema by reference;
    FastAPI does not generate it, so it is added here from the model of that name."""
    text = json.dumps(spec["paths"])
    for model in EXAMPLES:
        name = model.__name__
        if name not in schemas and f'"#/components/schemas/{name}"' in text:
            schemas[name] = model.model_json_schema(ref_template="#/components/schemas/{model}")
