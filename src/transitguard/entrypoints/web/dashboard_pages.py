"""The dashboard: the analytics module's charts (inline SVG), each with the numbers behind it one
click away."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import console_of, page, render
from transitguard.entrypoints.web.train_pages import parse_day

router = APIRouter(include_in_schema=False)


def _last_day(request: Request) -> date:
    """Today where the corridor is; or, when traffic stopped earlier (a replayed or simulated period),
    the last service day on record, so the charts show the twelve months that have figures."""
    app = application(request)
    today = console_of(request).local(app.clock()).date()
    last = max((t.train.service_date for t in app.store.trains()), default=today)
    return min(today, last)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request, who: Annotated[Principal, page("dashboard.read")], to: str | None = None
) -> HTMLResponse:
    # Imported here: analytics pulls in DuckDB, which a console that is never asked for charts need not load.
    from transitguard.analytics.dashboard import dashboard_panels

    app = application(request)
    today = parse_day(to, "to") or _last_day(request)
    panels = dashboard_panels(app, today=today)
    return render(
        request,
        "dashboard.html",
        who,
        {
            "title": _("Dashboard"),
            "today": today,
            # The SVG is built by our own chart code from numbers, without style or script (its contract).
            "panels": [(panel, Markup(panel.svg)) for panel in panels],
        },
    )
