"""Signing in and out, and who am I. The console's sign-in form posts to the console; machine
clients use tokens, but a person's script may sign in here and use the cookie and CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import (
    SESSION_COOKIE,
    application,
    client_of,
    public,
    signed_in,
)
from transitguard.errors import TransitguardError

router = APIRouter(tags=["session"])


class TooManyAttempts(TransitguardError):
    http_status = 429
    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many sign-in attempts from this address: try again in {retry_after} s")
        self.headers = {"Retry-After": str(retry_after)}


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    actor: str
    display_name: str
    roles: list[str]
    permissions: list[str]
    via: str
    csrf_token: str | None = None


def me_of(principal: Principal) -> Me:
    return Me(
        actor=principal.actor,
        display_name=principal.display_name,
        roles=list(principal.roles),
        permissions=sorted(principal.permissions),
        via=principal.via,
        csrf_token=principal.csrf_token,
    )


def set_session_cookie(request: Request, response: Response, cookie: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=bool(request.app.state.https),
        path="/",
        max_age=12 * 3600,
    )


def sign_in(request: Request, username: str, password: str) -> tuple[str, Principal]:
    """Throttled per client address, locked per account (services/accounts.py)."""
    client = client_of(request)
    throttle = request.app.state.throttle
    if not throttle.allow(client):
        raise TooManyAttempts(throttle.retry_after(client))
    return application(request).accounts.sign_in(username, password, client=client)


@router.post("/session", response_model=Me, dependencies=[public()], summary="Sign in")
def create_session(credentials: Credentials, request: Request, response: Response) -> Me:
    """Sign in: sets the session cookie; the answer carries the CSRF token for later requests."""
    cookie, principal = sign_in(request, credentials.username, credentials.password)
    set_session_cookie(request, response, cookie)
    return me_of(principal)


@router.delete("/session", status_code=204, summary="Sign out")
def delete_session(request: Request, response: Response, who: Principal = signed_in()) -> None:
    """End this session (the cookie is cleared); a token stays valid until it is revoked."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        application(request).accounts.sign_out(cookie, who)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=Me, summary="Who am I")
def me(who: Principal = signed_in()) -> Me:
    """Who the request acts as: roles, permissions, and for a session its CSRF token."""
    return me_of(who)


@router.get("/health", dependencies=[public()], summary="Health and ledger head")
def health(request: Request) -> dict[str, Any]:
    """Liveness and the ledger's head, for a load balancer or a monitor (no personal data)."""
    app = application(request)
    return {"status": "ok", "ledger_head_seq": app.accounts.accounts.ledger_head_seq()}
