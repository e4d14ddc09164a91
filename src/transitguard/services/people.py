"""One person's record, by travel document: journeys, documents, screening hits, FRTDs, alerts and
whether they may enter today. The API (GET /persons/{key}) and the console call `person_record`.

Reading a person's record is personal data: every read is an audit record (`person.read`) with the
reason the reader gave, written in the same transaction as the read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from transitguard.bootstrap import Application
from transitguard.domain.accounts import Principal
from transitguard.domain.records import Journey
from transitguard.errors import InputError, NotFoundError
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services.eligibility import would_have_been_entitled
from transitguard.services.ports import AlertFilter, HitFilter

__all__ = ["DOCUMENT_KEY", "PersonRecord", "person_record"]

# ISSUING_STATE:NUMBER, as journeys and alerts carry it (e.g. RUS:751234567; D for Germany).
DOCUMENT_KEY = re.compile(r"^[A-Z]{1,3}:[A-Z0-9<-]{1,40}$")
MIN_REASON = 3


@dataclass(frozen=True)
class PersonRecord:
    document_key: str
    names: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    journeys: list[dict[str, Any]]
    hits: list[dict[str, Any]]
    frtds: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    eligibility: dict[str, Any] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "document_key": self.document_key,
            "names": self.names,
            "documents": self.documents,
            "journeys": self.journeys,
            "hits": self.hits,
            "frtds": self.frtds,
            "alerts": self.alerts,
            "eligibility": self.eligibility,
        }


@cache
def _people_rules(path: str) -> PeopleRules:
    return load_people_rules(path)


def person_record(app: Application, document_key: str, who: Principal, reason: str) -> PersonRecord:
    """The record of the person who travels on `document_key`. NotFoundError when the corridor has
    never seen the document (the read is audited all the same: looking is what is recorded)."""
    key = document_key.strip().upper()
    if not DOCUMENT_KEY.match(key):
        raise InputError("document_key: expected ISSUING_STATE:NUMBER, e.g. RUS:751234567")
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InputError(f"reason: say why you read this person's record (at least {MIN_REASON} letters)")
    with app.store.writing() as session:
        journeys = sorted(
            session.journeys_of_documents([key]),
            key=lambda j: (
                j.train.service_date,
                j.entered_at.isoformat() if j.entered_at else "",
                j.journey_id,
            ),
        )
        frtds = [f for f in session.frtds().values() if f.document_key == key]
        app.audit.record(
            who,
            "person.read",
            subject=key,
            reason=reason,
            detail={"journeys": len(journeys)},
            session=session,
        )
    hits = [h for h in app.store.hits(HitFilter()) if h.subject == f"doc:{key}"]
    alerts = app.store.alerts(AlertFilter(document_key=key))
    if not (journeys or frtds or hits or alerts):
        raise NotFoundError(f"no journey, FRTD or hit for the travel document {key}")
    listed = any(h.status == "confirmed" for h in hits)
    return PersonRecord(
        document_key=key,
        names=_names(journeys),
        documents=_documents(journeys),
        journeys=[j.as_dict() for j in journeys],
        hits=[h.as_dict() for h in hits],
        frtds=[
            {
                "number": f.number,
                "valid_from": f.valid_from.isoformat(),
                "valid_until": f.valid_until.isoformat(),
                "authorised_transit_hours": f.authorised_transit_hours,
                "trains": [{"number": n, "service_date": d.isoformat()} for n, d in sorted(f.trains)],
                "event_id": f.event_id,
            }
            for f in sorted(frtds, key=lambda f: (f.valid_from, f.number))
        ],
        alerts=[a.as_dict() for a in alerts],
        eligibility=_eligibility(app, journeys, listed),
    )


def _names(journeys: list[Journey]) -> list[dict[str, Any]]:
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for j in journeys:
        ident = (j.surname, j.given_names, j.birth_date, j.sex, j.nationality)
        if any(ident[:2]) and ident not in seen:
            seen[ident] = {
                "surname": j.surname,
                "given_names": j.given_names,
                "birth_date": j.birth_date.isoformat() if j.birth_date else None,
                "sex": j.sex,
                "nationality": j.nationality,
            }
    return list(seen.values())


def _documents(journeys: list[Journey]) -> list[dict[str, Any]]:
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for j in journeys:
        if j.document_key:
            found.setdefault(
                ("travel", j.document_key),
                {
                    "kind": "travel_document",
                    "key": j.document_key,
                    "expires": j.travel_document_expires.isoformat() if j.travel_document_expires else None,
                },
            )
        if j.transit_kind:
            found.setdefault(
                ("transit", j.transit_kind, j.transit_number),
                {
                    "kind": j.transit_kind,
                    "number": j.transit_number,
                    "valid_from": j.transit_valid_from.isoformat() if j.transit_valid_from else None,
                    "valid_until": j.transit_valid_until.isoformat() if j.transit_valid_until else None,
                },
            )
    return list(found.values())


def _eligibility(app: Application, journeys: list[Journey], listed: bool) -> dict[str, Any] | None:
    """Would they be entitled to enter Lithuania today, from what their latest manifest says."""
    latest = next((j for j in reversed(journeys) if j.on_manifest), None)
    if latest is None:
        return None
    today = app.clock().date()
    decision = would_have_been_entitled(latest, _people_rules(str(app.pack.path)), today, listed=listed)
    if decision is None:
        return None
    return {"on_date": today.isoformat(), "from_journey": latest.journey_id, **decision.as_dict()}
