"""Rendering console pages: the Jinja2 environment, the navigation, and the page dependency.

A console page declares its permission as the API does, through `page(permission)`, which carries the
same permission attribute as `auth.require` (the access-matrix test reads it). Where the API answers
401 and 403 in JSON, a page redirects an anonymous visitor to /login and shows a person whose role
does not allow the page a 403 page that says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from transitguard import __version__
from transitguard.domain.access import ROLE_TITLES
from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import (
    PERMISSION_ATTRIBUTE,
    SIGNED_IN,
    NotSignedIn,
    application,
    principal_of,
    require,
)
from transitguard.entrypoints.web.i18n import N_, _, current_locale
from transitguard.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    TransitguardError,
)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HTMX_CONFIG = '{"includeIndicatorStyles":false,"allowEval":false,"historyCacheSize":0}'


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    permission: str


NAV: tuple[NavItem, ...] = (
    NavItem("/", N_("Trains"), "board.read"),
    NavItem("/alerts", N_("Alerts"), "alerts.read"),
    NavItem("/persons", N_("Persons"), "persons.read"),
    NavItem("/frtd", N_("FRTD"), "frtd.read"),
    NavItem("/freight", N_("Freight"), "freight.read"),
    NavItem("/dashboard", N_("Dashboard"), "dashboard.read"),
    NavItem("/whatif", N_("What-if"), "dashboard.read"),
    NavItem("/watchlists", N_("Watchlists"), "watchlists.read"),
    NavItem("/rules", N_("Rules"), "rules.read"),
    NavItem("/admin/users", N_("Users"), "users.manage"),
    NavItem("/admin/audit", N_("Audit"), "audit.read"),
)


def nav_for(who: Principal | None) -> list[NavItem]:
    return [item for item in NAV if who is not None and who.may(item.permission)]


class SignInNeeded(NotSignedIn):
    """A console page without a session: answered with a redirect to /login."""


class PageDenied(PermissionDeniedError):
    """A console page the role does not allow (or a form without its CSRF token): a 403 page."""


class PageError(TransitguardError):
    """Any other failure of a page, shown as a page with its status (404, 409, 422)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status


def denial_message(exc: PermissionDeniedError, permission: str) -> str:
    """The refusal in the reader's language: auth.py refuses for one of two reasons, a form without its
    CSRF token (the only refusal that names it) or a role without the permission."""
    if "CSRF" in exc.message:
        return _(
            "This form's security token (CSRF) is missing or out of date: reload the page and try again."
        )
    return _("Your role does not allow this page (it needs {permission}).").format(permission=permission)


def page(permission: str) -> Any:
    """The console's `require(permission)`: `who: Annotated[Principal, page("alerts.read")]`."""
    check = require(permission).dependency

    async def dependency(request: Request) -> Principal:
        try:
            principal: Principal = await check(request)
        except NotSignedIn:
            raise SignInNeeded() from None
        except PermissionDeniedError as exc:
            raise PageDenied(denial_message(exc, permission)) from None
        return principal

    setattr(dependency, PERMISSION_ATTRIBUTE, permission)
    return Depends(dependency)


def signed_in_page() -> Any:
    """Any signed-in person (signing out): the console's `signed_in()`."""

    async def dependency(request: Request) -> Principal:
        try:
            principal = await principal_of(request)
        except NotSignedIn:
            raise SignInNeeded() from None
        except PermissionDeniedError as exc:
            raise PageDenied(denial_message(exc, SIGNED_IN)) from None
        if principal is None:
            raise SignInNeeded()
        return principal

    setattr(dependency, PERMISSION_ATTRIBUTE, SIGNED_IN)
    return Depends(dependency)


@contextmanager
def shown_as_page() -> Iterator[None]:
    """A service's refusal (unknown alert, wrong step, bad input) as a page with its status, not the
    API's JSON error."""
    try:
        yield
    except (NotFoundError, ConflictError, InputError) as exc:
        raise PageError(exc.http_status, exc.message) from None


# -- the environment -------------------------------------------------------------------------------


class Console:
    """What the console builds once per app: its template environment and the corridor's time zone."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            _=_,
            locale=current_locale,
            version=__version__,
            role_titles=ROLE_TITLES,
            htmx_config=HTMX_CONFIG,
            quote=quote,
        )
        self.env.filters.update(when=self.when, hm=self.hm, day=self.day)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def when(self, moment: datetime | str | None) -> str:
        """A time as the corridor's clocks show it; ISO text (a record's as_dict) is read first."""
        if not moment:
            return "–"
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return self.local(moment).strftime("%Y-%m-%d %H:%M")

    def hm(self, moment: datetime | None) -> str:
        return self.local(moment).strftime("%H:%M") if moment is not None else "–"

    def day(self, value: date | datetime | None) -> str:
        if isinstance(value, datetime):  # a moment's day is the corridor's, not UTC's
            value = self.local(value)
        return value.strftime("%Y-%m-%d") if value is not None else "–"


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    who: Principal | None,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    console = console_of(request)
    body = console.env.get_template(template).render(
        request_path=request.url.path,
        who=who,
        nav=nav_for(who),
        csrf_token=(who.csrf_token or "") if who is not None else "",
        now=application(request).clock(),
        **(context or {}),
    )
    return HTMLResponse(body, status_code=status, headers=dict(headers or {}))


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `https://host` (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _exc: SignInNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = "/login" if target == "/" else f"/login?next={quote(target, safe='')}"
        if is_htmx(request):
            # htmx follows a 303 itself and would swap the sign-in page into a table; ask it to navigate.
            return Response(status_code=204, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(PageDenied)
    async def _denied(request: Request, exc: PageDenied) -> Response:
        who = getattr(request.state, "principal", None)
        template = "fragments/error.html" if is_htmx(request) else "error.html"
        return render(
            request,
            template,
            who,
            {"title": _("Not allowed"), "status": 403, "message": exc.message},
            status=403,
        )

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        who = getattr(request.state, "principal", None)
        template = "fragments/error.html" if is_htmx(request) else "error.html"
        titles = {404: _("Not found"), 409: _("Conflict"), 422: _("Not accepted")}
        return render(
            request,
            template,
            who,
            {
                "title": titles.get(exc.http_status, _("Error")),
                "status": exc.http_status,
                "message": exc.message,
            },
            status=exc.http_status,
        )
