"""The alert queue and its workflow: open → acknowledged → resolved with an outcome.

The queue polls /alerts/rows (htmx, every few seconds), so a new PASSENGER_MISSING appears without a
reload. Acknowledging and resolving are plain forms with the session's CSRF token that go through
services/alert_workflow.transition (ledger event + audit record, one batch), then back to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from transitguard.domain.accounts import Principal
from transitguard.domain.records import ALERT_TYPES, Alert
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import N_, _
from transitguard.entrypoints.web.rendering import PageError, console_of, page, render, shown_as_page
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services import alert_views
from transitguard.services.alert_workflow import transition
from transitguard.services.ports import AlertFilter

router = APIRouter(include_in_schema=False)

QUEUE_LIMIT = 200
RECENT_DAYS = 3  # the queue shows the trains of the last three service days unless asked for all
POLL_SECONDS = 5
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
VIEWS = {
    "active": N_("Open and acknowledged"),
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "resolved": N_("Resolved"),
}
# One label per outcome the ledger accepts (domain.events.AlertOutcome; a test keeps them equal).
OUTCOMES: dict[str, str] = {
    "found_on_train": N_("Found on the train"),
    "absconded": N_("Absconded"),
    "admitted_to_lt": N_("Admitted to Lithuania"),
    "data_error": N_("Data error"),
    "false_alarm": N_("False alarm"),
    "other": N_("Other (say why)"),
}


@dataclass(frozen=True)
class Queue:
    alerts: list[Alert]
    total: int
    days: tuple[date, date] | None  # the service days shown; None: every day on record


def _recent_days(request: Request) -> tuple[date, date]:
    """The service days of the shift: the last RECENT_DAYS up to today where the corridor is, or up to
    the last day on record when nothing ran since (a replayed or simulated period)."""
    app = application(request)
    today = console_of(request).local(app.clock()).date()
    last = today
    if not any(app.store.trains(today - timedelta(days=n)) for n in range(RECENT_DAYS)):
        last = max((t.train.service_date for t in app.store.trains()), default=today)
    return last - timedelta(days=RECENT_DAYS - 1), min(last, today)


def _queue(request: Request, view: str, kind: str, scope: str) -> Queue:
    if view not in VIEWS:
        raise PageError(422, _("status: one of {values}").format(values=", ".join(VIEWS)))
    if kind and kind not in ALERT_TYPES:
        raise PageError(422, _("type: one of {values}").format(values=", ".join(ALERT_TYPES)))
    if scope not in ("recent", "all"):
        raise PageError(422, _("scope: recent or all"))
    store = application(request).store
    statuses = ("open", "acknowledged") if view == "active" else (view,)
    days = _recent_days(request) if scope == "recent" else None
    if days is None:
        found = [a for s in statuses for a in store.alerts(AlertFilter(status=s, type=kind or None))]
    else:
        # Alerts are indexed by train: a year holds thousands of unworked alerts, the shift's trains few.
        first, last = days
        keys = [
            t.train.key
            for n in range((last - first).days + 1)
            for t in store.trains(first + timedelta(days=n))
        ]
        found = [
            a
            for key in keys
            for a in store.alerts(AlertFilter(train_key=key, type=kind or None))
            if a.status in statuses
        ]
    if view == "resolved":
        found.sort(key=lambda a: a.updated_at or a.raised_at, reverse=True)
    else:
        # What to do next first: the most severe, then the newest (a new alert lands on top).
        found.sort(key=lambda a: a.raised_at, reverse=True)
        found.sort(key=lambda a: SEVERITY_ORDER.get(a.severity, 9))
    return Queue(found[:QUEUE_LIMIT], len(found), days)


def _context(request: Request, view: str, kind: str, scope: str) -> dict[str, Any]:
    queue = _queue(request, view, kind, scope)
    chosen = (
        ("status", view if view != "active" else ""),
        ("type", kind),
        ("scope", scope if scope != "recent" else ""),
    )
    query = urlencode({k: v for k, v in chosen if v})
    return {
        "alerts": queue.alerts,
        "total": queue.total,
        "shown": len(queue.alerts),
        "days": queue.days,
        "view": view,
        "kind": kind,
        "scope": scope,
        "rows_url": "/alerts/rows" + (f"?{query}" if query else ""),
        "queue_url": "/alerts" + (f"?{query}" if query else ""),
        "poll_seconds": POLL_SECONDS,
    }


@router.get("/alerts", response_class=HTMLResponse)
def alert_queue(
    request: Request,
    who: Annotated[Principal, page("alerts.read")],
    status: str = "active",
    type: str = "",
    scope: str = "recent",
) -> HTMLResponse:
    context = _context(request, status, type, scope)
    return render(
        request,
        "alerts.html",
        who,
        {**context, "title": _("Alerts"), "views": VIEWS, "types": ALERT_TYPES, "outcomes": OUTCOMES},
    )


@router.get("/alerts/rows", response_class=HTMLResponse)
def alert_rows(
    request: Request,
    who: Annotated[Principal, page("alerts.read")],
    status: str = "active",
    type: str = "",
    scope: str = "recent",
) -> HTMLResponse:
    """The queue's table body alone: what the page polls."""
    return render(request, "fragments/alert_rows.html", who, _context(request, status, type, scope))


def _alert(request: Request, alert_id: str) -> Alert:
    with application(request).store.writing() as session:
        alert = session.alert(alert_id)
    if alert is None:
        raise PageError(404, _("No alert {alert_id}.").format(alert_id=alert_id))
    return alert


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request, who: Annotated[Principal, page("alerts.read")], alert_id: str
) -> HTMLResponse:
    alert = _alert(request, alert_id)
    app = application(request)
    # A missing passenger: could they have entered Lithuania anyway (the alert's `entitled_to_enter`)?
    (row,) = alert_views.alert_rows(app.store, [alert], _people_rules(str(app.pack.path)))
    return render(
        request,
        "alert.html",
        who,
        {
            "title": _("Alert {type}").format(type=alert.type),
            "alert": alert,
            "outcomes": OUTCOMES,
            "entitled": row.get("entitled_to_enter"),
        },
    )


@cache
def _people_rules(pack_path: str) -> PeopleRules:
    return load_people_rules(pack_path)


def _back(back: str) -> str:
    return back if back.startswith("/alerts") and not back.startswith("//") else "/alerts"


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request,
    who: Annotated[Principal, page("alerts.work")],
    alert_id: str,
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/alerts",
) -> Response:
    with shown_as_page():
        _alert(request, alert_id)
        transition(application(request), alert_id, who, note=note.strip() or None)
    return RedirectResponse(_back(back), status_code=303)


@router.post("/alerts/{alert_id}/resolve")
def resolve(
    request: Request,
    who: Annotated[Principal, page("alerts.work")],
    alert_id: str,
    outcome: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/alerts",
) -> Response:
    with shown_as_page():
        _alert(request, alert_id)
        if outcome not in OUTCOMES:
            raise PageError(422, _("Choose the outcome."))
        if outcome == "other" and not note.strip():
            raise PageError(422, _("Say what happened when the outcome is 'other'."))
        transition(application(request), alert_id, who, outcome=outcome, note=note.strip() or None)
    return RedirectResponse(_back(back), status_code=303)
