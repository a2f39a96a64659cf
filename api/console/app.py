"""Mount the console: static assets, self-hosted API docs, pages, and the login redirect."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.console import audit_pages, auth, pool_pages
from api.console.docs import install_docs
from api.console.render import HERE, PageError, render


def install_console(app: FastAPI) -> None:
    install_docs(app)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    for router in (auth.router, audit_pages.router, pool_pages.router):
        app.include_router(router)

    @app.exception_handler(auth.LoginRequired)
    async def _login(_: Request, __: auth.LoginRequired) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        try:
            caller = auth.console_caller(request)
        except auth.LoginRequired:
            return RedirectResponse("/console/login", status_code=303)
        return render(request, caller, "error.html", status_code=exc.status, message=exc.detail)

    @app.exception_handler(auth.RoleRefused)
    async def _refused(request: Request, exc: auth.RoleRefused) -> Response:
        needs = ", ".join(sorted(r.value for r in exc.needs))
        message = f"role {exc.caller.role.value!r} may not open this page (needs {needs})"
        return render(request, exc.caller, "error.html", status_code=403, message=message)
