"""Swagger UI and ReDoc served from the pinned npm packages (swagger-ui-dist, redoc) in
node_modules, so ``/docs`` and ``/redoc`` load with no network at all.

ReDoc's bundle shows its maker's logo from a CDN (hidden when that fails); the bundle is
served with that one address pointed at a local image instead, so the page asks nothing of
any other host. If an upgrade of redoc moves the address, serving the bundle fails loudly
rather than quietly calling out."""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from ledger import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
SWAGGER = "/assets/swagger-ui"
REDOC_LOCAL = "/assets/redoc-local"
REDOC_LOGO_CDN = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
# A plain mark in place of the remote logo (drawn here, not copied from anyone's).
LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" width="16" height="16">'
    b'<rect x="2" y="1" width="12" height="14" rx="2" fill="none" stroke="#888"/>'
    b'<path d="M5 5h6M5 8h6M5 11h4" stroke="#888"/></svg>'
)
CACHE = {"Cache-Control": "public, max-age=3600"}


@cache
def redoc_bundle() -> bytes:
    """The pinned ReDoc bundle with its one external address made local."""
    bundle = (NODE_MODULES / "redoc" / "bundles" / "redoc.standalone.js").read_bytes()
    if bundle.count(REDOC_LOGO_CDN) != 1:
        raise RuntimeError("redoc bundle: the logo address moved; update api/console/docs.py")
    return bundle.replace(REDOC_LOGO_CDN, f"{REDOC_LOCAL}/logo-mini.svg".encode())


def install_docs(app: FastAPI) -> None:
    """Needs the app created with ``docs_url=None, redoc_url=None``."""
    app.mount(
        SWAGGER,
        StaticFiles(directory=NODE_MODULES / "swagger-ui-dist", check_dir=False),
        name="swagger-ui",
    )
    title = app.title

    @app.get(f"{REDOC_LOCAL}/redoc.standalone.js", include_in_schema=False)
    def redoc_js() -> Response:
        return Response(redoc_bundle(), media_type="text/javascript", headers=CACHE)

    @app.get(f"{REDOC_LOCAL}/logo-mini.svg", include_in_schema=False)
    def redoc_logo() -> Response:
        return Response(LOGO_SVG, media_type="image/svg+xml", headers=CACHE)

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
            redoc_js_url=f"{REDOC_LOCAL}/redoc.standalone.js",
            redoc_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            with_google_fonts=False,
        )
