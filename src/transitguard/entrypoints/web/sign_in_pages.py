"""Signing in and out of the console. The checks (throttle per address, lockout per account, argon2)
are the API's: `routes.session.sign_in`; this module only shows the form and sets the cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import SESSION_COOKIE, application, principal_of, public
from transitguard.entrypoints.api.routes.session import TooManyAttempts, set_session_cookie, sign_in
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import render, safe_next, signed_in_page
from transitguard.errors import AuthenticationError, PermissionDeniedError

router = APIRouter(include_in_schema=False)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form(
    request: Request, next_path: str, *, error: str = "", username: str = "", status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        None,
        {"title": _("Sign in"), "next_path": next_path, "error": error, "username": username},
        status=status,
    )


@router.get("/login", dependencies=[public()])
async def login_form(request: Request, next: str | None = None) -> Response:
    try:
        who = await principal_of(request)
    except (AuthenticationError, PermissionDeniedError):
        who = None
    if who is not None:  # already signed in: straight on
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, safe_next(next))


@router.post("/login", dependencies=[public()])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(next)
    if not username.strip() or not password:
        # Not an attempt: it does not count against the throttle.
        return _form(request, target, error=_("Enter your username and password."), status=422)
    try:
        cookie, _who = sign_in(request, username.strip(), password)
    except TooManyAttempts as exc:
        message = _("Too many sign-in attempts from this device. Try again in {seconds} s.").format(
            seconds=exc.headers["Retry-After"]
        )
        return _form(request, target, error=message, username=username, status=429)
    except AuthenticationError:
        message = _("Wrong username or password, or the account is locked.")
        return _form(request, target, error=message, username=username, status=401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, cookie)
    return response


@router.post("/logout")
async def logout(request: Request, who: Annotated[Principal, signed_in_page()]) -> Response:
    """The sign-out button's form (with its CSRF token, checked by the dependency)."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        # Only the console's form signs out here; scripts end their session with DELETE /api/v1/session.
        return HTMLResponse(_("Sign out with the console's button."), status_code=415)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        application(request).accounts.sign_out(cookie, who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
