"""Who is asking, and may they: the one dependency every route declares.

    @router.get("/alerts")
    def list_alerts(who: Principal = require("alerts.read")) -> ...

A machine client sends `Authorization: Bearer tg_<id>_<secret>`; a person signed in to the console
sends the session cookie, and on every state-changing request also the session's CSRF token (header
X-CSRF-Token, or the form field csrf_token). A refusal is recorded in the audit trail.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Depends, Request

from transitguard.bootstrap import Application
from transitguard.domain.access import PERMISSIONS
from transitguard.domain.accounts import Principal
from transitguard.errors import AuthenticationError, PermissionDeniedError

SESSION_COOKIE = "tg_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PERMISSION_ATTRIBUTE = "__transitguard_permission__"


def application(request: Request) -> Application:
    app: Application = request.app.state.application
    return app


class NotSignedIn(AuthenticationError):
    """No or bad credentials. The console turns this into a redirect to the sign-in page."""

    def __init__(self, message: str = "sign in, or send an API token") -> None:
        super().__init__(message)
        self.headers = {"WWW-Authenticate": "Bearer"}


async def principal_of(request: Request) -> Principal | None:
    """The principal of a request, or None; raises NotSignedIn on bad credentials or a missing CSRF token."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    app = application(request)
    header = request.headers.get("authorization", "")
    principal: Principal | None = None
    if header:
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise NotSignedIn("Authorization: expected 'Bearer <token>'")
        principal = app.accounts.token_principal(presented.strip())
        if principal is None:
            raise NotSignedIn("the API token is unknown, revoked or expired")
    elif cookie := request.cookies.get(SESSION_COOKIE):
        principal = app.accounts.session_principal(cookie)
        if principal is None:
            return None
        if request.method not in SAFE_METHODS and not await _csrf_ok(request, principal):
            raise PermissionDeniedError("the CSRF token is missing or wrong: reload the page")
    if principal is not None:
        request.state.principal = principal
    return principal


async def _csrf_ok(request: Request, principal: Principal) -> bool:
    expected = principal.csrf_token or ""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def require(permission: str) -> Any:
    """A dependency that yields the principal if it holds `permission`; 401 or 403 otherwise."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    async def dependency(request: Request) -> Principal:
        principal = await principal_of(request)
        if principal is None:
            raise NotSignedIn()
        if not principal.may(permission):
            app = application(request)
            app.audit.record(
                principal,
                "access",
                subject=f"{request.method} {request.url.path}"[:400],
                outcome="denied",
                reason=f"needs {permission}",
            )
            raise PermissionDeniedError(f"your role does not allow this ({permission})")
        return principal

    setattr(dependency, PERMISSION_ATTRIBUTE, permission)
    return Depends(dependency)


SIGNED_IN = "*"  # the pseudo-permission of routes open to every signed-in principal (/me, sign-out)
PUBLIC = ""  # the pseudo-permission of routes open to anyone (health, sign-in)


def signed_in() -> Any:
    async def dependency(request: Request) -> Principal:
        principal = await principal_of(request)
        if principal is None:
            raise NotSignedIn()
        return principal

    setattr(dependency, PERMISSION_ATTRIBUTE, SIGNED_IN)
    return Depends(dependency)


def public() -> Any:
    async def dependency() -> None:
        return None

    setattr(dependency, PERMISSION_ATTRIBUTE, PUBLIC)
    return Depends(dependency)


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""
