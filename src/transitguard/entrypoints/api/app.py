"""The application factory: one FastAPI app serving the HTTP API (/api/v1) and the console (/).

    from transitguard.bootstrap import bootstrap
    from transitguard.entrypoints.api.app import create_app
    app = create_app(bootstrap(os.environ))

The OpenAPI document is served at /api/openapi.json and checked in as docs/openapi.json (a test keeps
the two equal). No interactive docs page: Swagger UI loads from a CDN, and border networks are closed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from transitguard import __version__
from transitguard.bootstrap import Application
from transitguard.entrypoints.api.errors import install_error_handlers
from transitguard.entrypoints.api.openapi_doc import document_operations
from transitguard.entrypoints.api.routes import ROUTERS
from transitguard.entrypoints.api.security import SignInThrottle, install_security_headers

API_PREFIX = "/api/v1"
CONSOLE_MODULE = "transitguard.entrypoints.web.pages"


def console_available() -> bool:
    """Whether the console is installed (an API-only deployment, or a checkout without it, has none)."""
    try:
        return importlib.util.find_spec(CONSOLE_MODULE) is not None
    except ModuleNotFoundError:
        return False


def create_app(
    application: Application, *, https: bool = False, close_on_shutdown: bool = False, console: bool = True
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            application.close()

    app = FastAPI(
        title="transitguard",
        version=__version__,
        summary="Control of a sealed transit corridor: events in, journeys, alerts, screening, decisions.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.application = application
    app.state.throttle = SignInThrottle()
    app.state.https = https
    install_error_handlers(app)
    install_security_headers(app, https=https)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    document_operations(app, API_PREFIX)
    if console:
        from transitguard.entrypoints.web.pages import install_console

        install_console(app)
    return app
