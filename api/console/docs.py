"""Swagger UI and ReDoc served from the pinned npm packages (swagger-ui-dist, redoc) in
node_modules, so ``/docs`` and ``/redoc`` load with no network at all."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ledger import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
SWAGGER = "/assets/swagger-ui"
REDOC = "/assets/redoc"


def install_docs(app: FastAPI) -> None:
    """Needs the app created with ``docs_url=None, redoc_url=None``."""
    app.mount(
        SWAGGER,
        StaticFiles(directory=NODE_MODULES / "swagger-ui-dist", check_dir=False),
        name="swagger-ui",
    )
    app.mount(REDOC, StaticFiles(directory=NODE_MODULES / "redoc" / "bundles", check_dir=False), name="redoc")  # fmt: skip
    title = app.title

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} API",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} API reference",
            redoc_js_url=f"{REDOC}/redoc.standalone.js",
            redoc_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            with_google_fonts=False,
        )
