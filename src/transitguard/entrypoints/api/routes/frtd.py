"""FRTD applications decided (Regulation 694/2003 Art 4–6), and the FRTDs granted so far.

The body is what `transitguard frtd decide` reads (JSON Lines, or a JSON array of the same
applications); every line is checked first, and a bad one refuses the request naming line and field.
Applicants are screened against the active watchlists, and earlier abscondings in the corridor count.
With record=true the decisions go into the ledger (frtd.decided) with the audit record, in one batch.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from transitguard.domain.accounts import Principal
from transitguard.engines.frtd import FrtdApplication, FrtdContext, WatchlistMatch, decide_frtd
from transitguard.engines.screening import Query as ScreeningQuery
from transitguard.entrypoints.api.auth import application, require
from transitguard.entrypoints.api.routes.bodies import (
    SOURCE,
    as_json_lines,
    body_of,
    request_files,
)
from transitguard.errors import EventValidationError, InputError, Problem
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services.frtd import read_applications, violations_of
from transitguard.services.frtd_registry import decision_event
from transitguard.services.violations import violations_on_record

router = APIRouter(tags=["frtd"])

MAX_APPLICATIONS = 1000

_APPLICATIONS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "JSON Lines, one application per line"}
            },
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@cache
def _people_rules(path: str) -> PeopleRules:
    return load_people_rules(path)


def _query(application: FrtdApplication) -> ScreeningQuery | None:
    person = application.person
    if not person.surname:
        return None
    return ScreeningQuery(
        id=application.application_id,
        name=" ".join(part for part in (person.given_names, person.surname) if part),
        birth_date=person.birth_date.isoformat() if person.birth_date else None,
        nationality=person.nationality,
        sex=person.sex,
        document_number=application.travel_document.number,
    )


@router.post("/frtd/applications", openapi_extra=_APPLICATIONS_BODY, summary="Decide FRTD applications")
async def decide_applications(
    request: Request,
    record: Annotated[bool, Query(description="also record the decisions in the ledger")] = False,
    now: Annotated[
        datetime | None, Query(description="decide as of this time, with offset (not with record=true)")
    ] = None,
    who: Principal = require("frtd.decide"),
) -> list[dict[str, Any]]:
    """GRANT, REFUSE or REFER each application, with the reasons and, on a grant, the FRTD record."""
    if now is not None and (record or now.tzinfo is None):
        raise InputError("query:now: a time with its UTC offset, and only without record=true")
    data = as_json_lines(await body_of(request), max_items=MAX_APPLICATIONS)
    app = application(request)
    rules = _people_rules(str(app.pack.path))
    with request_files(data) as (path, _):
        items = list(read_applications(path, rules, source=SOURCE))
    problems = [item for _, item in items if isinstance(item, Problem)]
    if problems:
        raise EventValidationError(problems[:100])
    applications = [item for _, item in items if isinstance(item, FrtdApplication)]
    queries = [_query(a) for a in applications]
    asked = [q for q in queries if q is not None]
    screened = dict(zip([q.id for q in asked], app.screening.screen_queries(asked), strict=True))
    violations = violations_on_record(app.store)
    moment = now or app.clock()
    decisions = []
    for item in applications:
        hits = tuple(
            WatchlistMatch(m.entity_id, m.score, m.explanation, m.name)
            for m in screened.get(item.application_id, [])
        )
        context = FrtdContext(now=moment, watchlist_hits=hits, violations=violations_of(item, violations))
        decisions.append(decide_frtd(item, context, corridor=app.pack.corridor, rules=rules).as_dict())
    detail: dict[str, str | int | float | bool | None] = {
        "applications": len(decisions),
        "granted": sum(1 for d in decisions if d["decision"] == "GRANT"),
        "recorded": record,
    }
    if record:
        audit = app.audit.entry(who, "frtd.decide", subject=f"{len(decisions)} applications", detail=detail)
        app.corridor.apply_batch([*(decision_event(d) for d in decisions), audit])
    else:
        app.audit.record(who, "frtd.decide", subject=f"{len(decisions)} applications", detail=detail)
    return decisions


@router.get("/frtd", summary="List granted FRTDs")
def list_frtds(request: Request, who: Principal = require("frtd.read")) -> list[dict[str, Any]]:
    """The FRTDs granted and recorded, by number: what manifests are checked against."""
    app = application(request)
    with app.store.writing() as session:
        issued = session.frtds()
    app.audit.record(who, "frtd.read", subject="all", detail={"rows": len(issued)})
    return [
        {
            "number": f.number,
            "document_key": f.document_key,
            "valid_from": f.valid_from.isoformat(),
            "valid_until": f.valid_until.isoformat(),
            "authorised_transit_hours": f.authorised_transit_hours,
            "trains": [{"number": n, "service_date": d.isoformat()} for n, d in sorted(f.trains)],
            "event_id": f.event_id,
        }
        for f in sorted(issued.values(), key=lambda f: f.number)
    ]
