"""Console login: the API key is checked once and kept in an HttpOnly, same-site cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.console.render import AUDIT, POOLS, templates
from api.deps import Caller, Role, resolve_key, services

COOKIE = "credence_console_key"
router = APIRouter(prefix="/console", include_in_schema=False)


class LoginRequired(Exception):
    """No (or no longer valid) key in the cookie: send the browser to the login page."""


class RoleRefused(Exception):
    def __init__(self, caller: Caller, needs: frozenset[Role]) -> None:
        self.caller = caller
        self.needs = needs


def console_caller(request: Request) -> Caller:
    key = request.cookies.get(COOKIE)
    found = resolve_key(services(request), key) if key else None
    if found is None:
        raise LoginRequired()
    return found


def allow(roles: frozenset[Role]):
    """A dependency admitting only ``roles`` (the page explains the refusal otherwise)."""

    def check(caller: Annotated[Caller, Depends(console_caller)]) -> Caller:
        if caller.role not in roles:
            raise RoleRefused(caller, roles)
        return caller

    return check


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, error: str | None = None) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": error, "nav": []})


@router.post("/login")
def login(request: Request, api_key: Annotated[str, Form(max_length=200)] = "") -> Response:
    caller = resolve_key(services(request), api_key.strip()) if api_key.strip() else None
    if caller is None:
        body = {"error": "unknown API key", "nav": []}
        return templates.TemplateResponse(request, "login.html", body, status_code=401)
    response = RedirectResponse(home_of(caller), status_code=303)
    response.set_cookie(COOKIE, api_key.strip(), httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def home_of(caller: Caller) -> str:
    if caller.role in AUDIT or caller.role is Role.verifier:
        return "/console/records"
    return "/console/pools" if caller.role in POOLS else "/console/tx"


@router.get("")
@router.get("/")
def home(caller: Annotated[Caller, Depends(console_caller)]) -> Response:
    return RedirectResponse(home_of(caller), status_code=303)
