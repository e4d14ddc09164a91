"""The console's composition: its routes, static files and error pages on the API's FastAPI app.

entrypoints/api/app.py's create_app(application, console=True) calls install_console(app). One module
per area holds its routes; this module only puts them together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from transitguard.bootstrap import Application
from transitguard.entrypoints.web import (
    admin_pages,
    alert_pages,
    dashboard_pages,
    decision_pages,
    person_pages,
    reference_pages,
    screening_pages,
    sign_in_pages,
    train_pages,
    whatif_pages,
)
from transitguard.entrypoints.web.i18n import locale_for, set_locale
from transitguard.entrypoints.web.rendering import STATIC, Console, install_page_errors

__all__ = ["install_console"]

ROUTERS = (
    sign_in_pages.router,
    train_pages.router,
    alert_pages.router,
    person_pages.router,
    screening_pages.router,
    decision_pages.router,
    reference_pages.router,
    dashboard_pages.router,
    whatif_pages.router,
    admin_pages.router,
)


def install_console(app: FastAPI) -> None:
    application: Application = app.state.application
    app.state.console = Console(application.pack.corridor.timezone)
    install_page_errors(app)

    @app.middleware("http")
    async def _language(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # A context variable: set here, it is what `_()` reads in this request's page, and only there.
        set_locale(locale_for(request.headers.get("accept-language", "")))
        return await call_next(request)

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
