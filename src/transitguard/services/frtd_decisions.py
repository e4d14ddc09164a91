"""FRTD applications decided for a signed-in officer (API and console alike): every line checked first,
applicants screened against the active watchlists, earlier abscondings counted, and the decisions with
their audit record put in the ledger in one batch when they are recorded."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from transitguard.bootstrap import Application
from transitguard.domain.accounts import Principal
from transitguard.engines.frtd import FrtdApplication, FrtdContext, WatchlistMatch, decide_frtd
from transitguard.engines.screening import Query as ScreeningQuery
from transitguard.errors import EventValidationError, Problem
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services.frtd import read_applications, violations_of
from transitguard.services.frtd_registry import decision_event
from transitguard.services.violations import violations_on_record


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


def decide_applications(
    app: Application,
    path: Path,
    who: Principal,
    *,
    record: bool,
    source: str,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """GRANT, REFUSE or REFER each application of the JSON Lines file, with the reasons and, on a grant,
    the FRTD record. A bad line refuses them all (EventValidationError naming `source`, line, field)."""
    rules = _people_rules(str(app.pack.path))
    items = list(read_applications(path, rules, source=source))
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
    subject = f"{len(decisions)} applications"
    if record:
        audit = app.audit.entry(who, "frtd.decide", subject=subject, detail=detail)
        app.corridor.apply_batch([*(decision_event(d) for d in decisions), audit])
    else:
        app.audit.record(who, "frtd.decide", subject=subject, detail=detail)
    return decisions
