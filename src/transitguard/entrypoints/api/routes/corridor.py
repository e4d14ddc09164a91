"""Trains, journeys and alerts, and the alert workflow."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from transitguard.domain.accounts import Principal
from transitguard.domain.events import AlertOutcome
from transitguard.domain.records import ALERT_TYPES, JourneyStatus
from transitguard.entrypoints.api.auth import application, require
from transitguard.errors import InputError
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services.alert_views import alert_rows
from transitguard.services.alert_workflow import transition
from transitguard.services.ports import AlertFilter, JourneyFilter

router = APIRouter(tags=["corridor"])

AlertStatus = Literal["open", "acknowledged", "resolved"]
TrainKey = Annotated[str | None, Query(max_length=120, description="NUMBER/SERVICE_DATE/DIRECTION")]


@router.get("/trains", summary="List trains")
def list_trains(
    request: Request,
    service_date: Annotated[date | None, Query(description="only trains of this service date")] = None,
    who: Principal = require("board.read"),
) -> list[dict[str, Any]]:
    """Trains with their passenger counts against the cap (no names)."""
    del who
    return [t.as_dict() for t in application(request).store.trains(service_date)]


@router.get("/journeys", summary="List journeys")
def list_journeys(
    request: Request,
    status: JourneyStatus | None = None,
    train: TrainKey = None,
    service_date: date | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    who: Principal = require("journeys.read"),
) -> list[dict[str, Any]]:
    """Journeys: one person's passage on one train. Personal data: the read is audited."""
    app = application(request)
    found = app.store.journeys(
        JourneyFilter(status=status, train_key=train, service_date=service_date, limit=limit)
    )
    subject = " ".join(
        f"{k}={v}" for k, v in (("status", status), ("train", train), ("date", service_date)) if v
    )
    app.audit.record(who, "journeys.read", subject=subject or "all", detail={"rows": len(found)})
    return [j.as_dict() for j in found]


@router.get("/alerts", summary="List alerts")
def list_alerts(
    request: Request,
    status: AlertStatus | None = None,
    type: Annotated[str | None, Query(description="an alert type, e.g. PASSENGER_MISSING")] = None,
    train: TrainKey = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    who: Principal = require("alerts.read"),
) -> list[dict[str, Any]]:
    """Alerts, oldest first, as `transitguard alerts --format jsonl` prints them."""
    del who
    if type is not None and type not in ALERT_TYPES:
        raise InputError(f"query:type: must be one of {', '.join(ALERT_TYPES)}")
    app = application(request)
    found = app.store.alerts(AlertFilter(status=status, type=type, train_key=train, limit=limit))
    return alert_rows(app.store, found, _people_rules(str(app.pack.path)))


@cache
def _people_rules(path: str) -> PeopleRules:
    return load_people_rules(path)


class Acknowledge(BaseModel):
    note: str | None = Field(default=None, max_length=2000, description="why, or what is being done")


class Resolve(BaseModel):
    outcome: AlertOutcome
    note: str | None = Field(default=None, max_length=2000)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    summary="Acknowledge an alert",
    responses={409: {"description": "the alert is not open (already acknowledged or resolved)"}},
)
def acknowledge_alert(
    alert_id: Annotated[str, Field(max_length=200)],
    body: Acknowledge,
    request: Request,
    who: Principal = require("alerts.work"),
) -> dict[str, Any]:
    """open → acknowledged, by the signed-in person (recorded in the ledger with the audit record)."""
    return transition(application(request), alert_id, who, note=body.note).as_dict()


@router.post(
    "/alerts/{alert_id}/resolve",
    summary="Resolve an alert",
    responses={409: {"description": "the alert is already resolved"}},
)
def resolve_alert(
    alert_id: Annotated[str, Field(max_length=200)],
    body: Resolve,
    request: Request,
    who: Principal = require("alerts.work"),
) -> dict[str, Any]:
    """open | acknowledged → resolved with an outcome."""
    return transition(application(request), alert_id, who, outcome=body.outcome, note=body.note).as_dict()
