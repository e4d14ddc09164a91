"""The train board (due / in the corridor / exited, passengers against the cap, alerts per train) and
the train page (the manifest with screening flags, checks, missing passengers, the stops)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from transitguard.domain.accounts import Principal
from transitguard.domain.records import TrainState
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import N_, _
from transitguard.entrypoints.web.rendering import PageError, console_of, page, render
from transitguard.entrypoints.web.train_timeline import train_timeline
from transitguard.services.ports import AlertFilter, HitFilter, JourneyFilter

router = APIRouter(include_in_schema=False)

BOARD_SECTIONS = (
    ("in_corridor", N_("In the corridor")),
    ("due", N_("Due")),
    ("exited", N_("Exited")),
)
# The manifest lists who needs a look first: missing, then still inside, then the rest.
JOURNEY_ORDER = {"missing": 0, "held": 1, "in_corridor": 2, "expected": 3, "refused": 4, "no_show": 5}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def parse_day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PageError(422, _("{field}: expected a date YYYY-MM-DD").format(field=field)) from None


def _board_day(request: Request, asked: date | None) -> date:
    """The asked day; else today where the corridor is, or, with no train today, the last day with
    trains (a replayed or simulated period)."""
    if asked is not None:
        return asked
    app = application(request)
    today = console_of(request).local(app.clock()).date()
    if app.store.trains(today):
        return today
    earlier = [t.train.service_date for t in app.store.trains() if t.train.service_date <= today]
    return max(earlier, default=today)


@router.get("/", response_class=HTMLResponse)
def board(
    request: Request, who: Annotated[Principal, page("board.read")], date: str | None = None
) -> HTMLResponse:
    app = application(request)
    day = _board_day(request, parse_day(date, "date"))
    trains = app.store.trains(day)
    alerts: dict[str, Counter[str]] = {}
    worst: dict[str, str] = {}
    for state in trains:
        found = app.store.alerts(AlertFilter(train_key=state.train.key))
        alerts[state.train.key] = Counter(a.status for a in found)
        active = [a.severity for a in found if a.status != "resolved"]
        if active:
            worst[state.train.key] = min(active, key=lambda s: SEVERITY_ORDER.get(s, 9))
    # In the order they run: by when they entered (due trains have not: by number).
    trains.sort(key=lambda t: (t.entered_at is None, t.entered_at or t.last_event_at, t.train.number))
    sections = [(label, [t for t in trains if t.status == status]) for status, label in BOARD_SECTIONS]
    return render(
        request,
        "board.html",
        who,
        {
            "title": _("Trains"),
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "sections": sections,
            "alerts": alerts,
            "worst": worst,
            "train_names": _train_names(request),
        },
    )


def _train_names(request: Request) -> dict[str, str]:
    corridor = application(request).pack.corridor
    return {t.number: t.name or t.route for t in corridor.trains}


def _state(request: Request, number: str, service_date: str, direction: str) -> TrainState:
    day = parse_day(service_date, "service date")
    key = f"{number}/{service_date}/{direction}"
    found = [t for t in application(request).store.trains(day) if t.train.key == key]
    if not found:
        raise PageError(404, _("No train {key} on record.").format(key=key))
    return found[0]


@router.get("/trains/{number}/{service_date}/{direction}", response_class=HTMLResponse)
def train_page(
    request: Request,
    who: Annotated[Principal, page("journeys.read")],
    number: str,
    service_date: str,
    direction: str,
) -> HTMLResponse:
    app = application(request)
    state = _state(request, number, service_date, direction)
    key = state.train.key
    journeys = sorted(
        app.store.journeys(JourneyFilter(train_key=key)),
        key=lambda j: (JOURNEY_ORDER.get(j.status, 9), j.surname or "", j.passenger_ref or ""),
    )
    # The manifest is personal data: looking at it is recorded, as the API's journey list is.
    app.audit.record(who, "journeys.read", subject=f"train={key}", detail={"rows": len(journeys)})
    alerts = app.store.alerts(AlertFilter(train_key=key))
    hits_by_ref: dict[str, list[Any]] = {}
    for hit in app.store.hits(HitFilter(train_key=key)):
        if hit.passenger_ref:
            hits_by_ref.setdefault(hit.passenger_ref, []).append(hit)
    alerts_by_ref: dict[str, int] = Counter(
        a.passenger_ref for a in alerts if a.passenger_ref and a.status != "resolved"
    )
    return render(
        request,
        "train.html",
        who,
        {
            "title": _("Train {number}").format(number=state.train.number),
            "state": state,
            "train_name": _train_names(request).get(state.train.number, ""),
            "journeys": journeys,
            "counts": Counter(j.status for j in journeys),
            "alert_types": Counter(a.type for a in alerts if a.status != "resolved"),
            "alerts": sorted(
                alerts, key=lambda a: (a.status == "resolved", SEVERITY_ORDER.get(a.severity, 9))
            ),
            "hits_by_ref": hits_by_ref,
            "alerts_by_ref": alerts_by_ref,
            "timeline": train_timeline(app, key),
            "person_link": who.may("persons.read"),
        },
    )
