"""FRTD decisions: grant, refuse or refer an application from the railway's ticket data. Pure.

Council Regulations (EC) 693/2003 (Art 2–4, 6) and 694/2003 (Art 5–6, Annex II), DOMAIN.md §1. In:
the application, and what the caller knows about the applicant (`FrtdContext`: an entry-ban alert,
watchlist matches, earlier violations, and `now`). Out: GRANT with the FRTD record, REFUSE or REFER
(to an officer), the reasons (rule, legal basis, message) and whether the decision is late.

Where the numbers come from: validity (≤3 months), transit hours (6) and transits (2) from the corridor's
`transit_documents.FRTD`; "the travel document must be valid longer than the FRTD" from the corridor's
`travel_document_must_outlive_transit_document`; which travel documents are recognised from the people
rules (e.g. no Russian internal passport after 2004; a non-biometric passport is fine for FRTD transit);
what each check does (refuse / refer / note) from frtd.yaml.

The FRTD is valid from the outbound train's service date for the longest validity the corridor allows,
cut so that the travel document outlives it. It must still cover the last train's service date plus
`journey_margin_days` (the train may cross Lithuania the day after it leaves Moscow); if it cannot, the
application is refused. Dates are read in the offsets the caller gave: `now.date()` is the decision date.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from transitguard.domain.corridor import Corridor, TransitDocumentSpec
from transitguard.domain.events import CountryCode, Sex, TrainNumber, document_key
from transitguard.engines.eligibility import (
    EligibilityRequest,
    PersonDocument,
    Reason,
    recognised_travel_document,
)
from transitguard.rulepacks.people import FrtdAction, PeopleRules

__all__ = [
    "Applicant",
    "ApplicationDocument",
    "Frtd",
    "FrtdApplication",
    "FrtdContext",
    "FrtdDecision",
    "TrainBooking",
    "WatchlistMatch",
    "applicant_keys",
    "decide_frtd",
    "person_key",
]

FrtdOutcome = Literal["GRANT", "REFUSE", "REFER"]
Name = Annotated[str, Field(max_length=200)]


class _Record(BaseModel):
    # Strict when parsed from JSON: dates only as YYYY-MM-DD, times only as RFC 3339 with an offset.
    # Everything but the application id and the time it arrived may be missing: a missing field is an
    # incomplete application (refused, with the fields named), not a broken line.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class Applicant(_Record):
    surname: Name | None = None
    given_names: Name | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    nationality: CountryCode | None = None


class ApplicationDocument(_Record):
    type: Name | None = Field(default=None, description="PASSPORT, DIPLOMATIC_PASSPORT or INTERNAL_PASSPORT")
    number: Name | None = None
    issuing_state: CountryCode | None = None
    expires: date | None = None
    biometric: bool | None = None


class TrainBooking(_Record):
    number: TrainNumber | None = None
    service_date: date | None = None
    departure_at: AwareDatetime | None = None


class Trains(_Record):
    outbound: TrainBooking = Field(default_factory=TrainBooking)
    return_: TrainBooking | None = Field(default=None, alias="return")


class FrtdApplication(_Record):
    application_id: Annotated[str, Field(min_length=1, max_length=200)]
    received_at: AwareDatetime
    person: Applicant = Field(default_factory=Applicant)
    travel_document: ApplicationDocument = Field(default_factory=ApplicationDocument)
    trains: Trains = Field(default_factory=Trains)


@dataclass(frozen=True)
class WatchlistMatch:
    entity_id: str
    score: float
    explanation: str
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "name": self.name,
            "score": self.score,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class FrtdContext:
    now: datetime
    entry_ban: str | None = None  # the alert or register entry, as the caller found it
    watchlist_hits: tuple[WatchlistMatch, ...] = ()
    violations: tuple[str, ...] = ()  # e.g. "absconded", "refused", "transit_time_exceeded"


@dataclass(frozen=True)
class TrainDeparture:
    number: str
    service_date: date
    departure_at: datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "number": self.number,
            "service_date": self.service_date.isoformat(),
            "departure_at": self.departure_at.isoformat(),
        }


@dataclass(frozen=True)
class Frtd:
    """The document as issued (the Annex II fields the decision fills)."""

    number: str
    issuing_state: str
    territory: str
    valid_from: date
    valid_until: date
    authorised_transit_hours: float | None
    max_transits: int | None
    outbound: TrainDeparture
    return_: TrainDeparture | None
    surname: str
    given_names: str
    birth_date: date
    sex: str
    nationality: str
    travel_document: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "issuing_state": self.issuing_state,
            "territory": self.territory,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "authorised_transit_hours": self.authorised_transit_hours,
            "max_transits": self.max_transits,
            "outbound": self.outbound.as_dict(),
            "return": self.return_.as_dict() if self.return_ else None,
            "surname": self.surname,
            "given_names": self.given_names,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "nationality": self.nationality,
            "travel_document": self.travel_document,
        }


@dataclass(frozen=True)
class FrtdDecision:
    application_id: str
    decision: FrtdOutcome
    decided_at: datetime
    deadline: datetime
    late: bool
    reasons: tuple[Reason, ...]
    frtd: Frtd | None
    screening: tuple[WatchlistMatch, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "application_id": self.application_id,
            "decision": self.decision,
            "decided_at": self.decided_at.isoformat(),
            "deadline": self.deadline.isoformat(),
            "late": self.late,
            "reasons": [r.as_dict() for r in self.reasons],
            "frtd": self.frtd.as_dict() if self.frtd else None,
            "screening": [m.as_dict() for m in self.screening],
        }


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().upper())


def person_key(surname: str, given_names: str | None, birth_date: date) -> str:
    """One person across documents: `person:SURNAME|GIVEN NAMES|YYYY-MM-DD` (case and spaces normalised)."""
    return f"person:{_normal(surname)}|{_normal(given_names or '')}|{birth_date.isoformat()}"


def applicant_keys(application: FrtdApplication) -> tuple[str, ...]:
    """The keys under which earlier violations of this applicant may be recorded: the travel document
    (`RUS:751234567`, as journeys key it) and the person (`person_key`)."""
    found: list[str] = []
    document = application.travel_document
    if document.issuing_state and document.number:
        found.append(document_key(document.issuing_state, document.number))
    person = application.person
    if person.surname and person.birth_date:
        found.append(person_key(person.surname, person.given_names, person.birth_date))
    return tuple(found)


def _missing(application: FrtdApplication) -> list[str]:
    person, document, trains = application.person, application.travel_document, application.trains
    missing = [
        f"person.{name}"
        for name in ("surname", "birth_date", "sex", "nationality")
        if not getattr(person, name)
    ]
    if person.given_names is None:  # one name only is a real case: given names may be empty, not absent
        missing.append("person.given_names")
    missing += [
        f"travel_document.{name}"
        for name in ("type", "number", "issuing_state", "expires")
        if not getattr(document, name)
    ]
    for leg, booking in (("outbound", trains.outbound), ("return", trains.return_)):
        if booking is not None:
            missing += [
                f"trains.{leg}.{name}"
                for name in ("number", "service_date", "departure_at")
                if getattr(booking, name) is None
            ]
    return missing


def _departure(booking: TrainBooking | None) -> TrainDeparture | None:
    if (
        booking is None
        or booking.number is None
        or booking.service_date is None
        or booking.departure_at is None
    ):
        return None
    return TrainDeparture(booking.number, booking.service_date, booking.departure_at)


def frtd_number(prefix: str, application: FrtdApplication) -> str:
    """Deterministic: the same application (id and travel document) always gets the same number."""
    seed = f"{application.application_id}\x1f{application.travel_document.number or ''}"
    return f"{prefix}{int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 10**9:09d}"


class _Findings:
    def __init__(self, rules: PeopleRules, day: date) -> None:
        self.rules, self.day = rules, day
        self.found: list[tuple[FrtdAction, Reason]] = []

    def add(self, check_id: str, detail: str | None = None) -> None:
        check = self.rules.frtd.check(check_id)
        if check.in_force(self.day):
            self.found.append((check.action, Reason.of(check, detail)))

    def add_violation(self, violation: str, times: int) -> None:
        check = self.rules.frtd.violation_check(violation) or self.rules.frtd.check("frtd-unknown-violation")
        if check.in_force(self.day):
            detail = f"{violation}" + (f", {times} times" if times > 1 else "")
            self.found.append((check.action, Reason.of(check, detail)))

    def of(self, action: FrtdAction) -> list[Reason]:
        return [reason for a, reason in self.found if a == action]


def _check_document(application: FrtdApplication, rules: PeopleRules, findings: _Findings, day: date) -> None:
    document = application.travel_document
    if document.type is None:
        return
    spec = rules.catalogue.documents.get(document.type)
    if spec is None or not spec.travel_document or "transit" not in spec.travel_document_scopes:
        findings.add("frtd-travel-document", f"{document.type} is not a travel document")
        return
    if document.expires is not None and document.expires < day:
        findings.add("frtd-travel-document", f"the travel document expired on {document.expires}")
    # Recognition on each day a train leaves (e.g. internal passports only until 31 Dec 2004).
    nationality = application.person.nationality or document.issuing_state or ""
    trains = application.trains
    days = {b.service_date for b in (trains.outbound, trains.return_) if b is not None and b.service_date}
    for travel_day in sorted(days or {day}):
        if travel_day < rules.covers_from:
            continue
        request = EligibilityRequest(
            on_date=travel_day,
            nationality=nationality,
            purpose="transit",
            documents=(
                PersonDocument(document.type, None, document.issuing_state, document.biometric),
                PersonDocument("FRTD"),
            ),
        )
        accepted, problems = recognised_travel_document(request, rules)
        if accepted is None:
            for _, reason in problems:
                findings.found.append(("refuse", reason))
            return


def _check_trains(
    corridor: Corridor, outbound: TrainDeparture | None, back: TrainDeparture | None, findings: _Findings
) -> None:
    specs = []
    for departure in (outbound, back):
        if departure is None:
            continue
        spec = corridor.train_spec(departure.number)
        if spec is None:
            findings.add("frtd-trains", f"train {departure.number} does not run through the corridor")
        elif not spec.in_force(departure.service_date):
            findings.add("frtd-trains", f"train {departure.number} does not run on {departure.service_date}")
        else:
            specs.append(spec)
    if outbound is not None and back is not None:
        if len(specs) == 2 and specs[0].direction == specs[1].direction:
            findings.add(
                "frtd-trains", f"trains {outbound.number} and {back.number} both go {specs[0].direction}"
            )
        if back.departure_at <= outbound.departure_at:
            findings.add(
                "frtd-trains", f"the return train leaves ({back.departure_at}) before the outbound one"
            )


def _issue(
    application: FrtdApplication,
    outbound: TrainDeparture | None,
    back: TrainDeparture | None,
    valid_until: date | None,
    rules: PeopleRules,
    spec: TransitDocumentSpec,
) -> Frtd | None:
    """The FRTD record, or None when the application lacks a field it must carry."""
    person, document = application.person, application.travel_document
    if (
        outbound is None
        or valid_until is None
        or (application.trains.return_ is not None and back is None)
        or person.surname is None
        or person.given_names is None
        or person.birth_date is None
        or person.sex is None
        or person.nationality is None
        or document.type is None
        or document.number is None
        or document.issuing_state is None
        or document.expires is None
    ):
        return None
    settings = rules.frtd
    return Frtd(
        number=frtd_number(settings.number_prefix.value, application),
        issuing_state=settings.issuing_state,
        territory=settings.territory,
        valid_from=outbound.service_date,
        valid_until=valid_until,
        authorised_transit_hours=spec.max_transit_hours,
        max_transits=spec.max_transits,
        outbound=outbound,
        return_=back,
        surname=person.surname,
        given_names=person.given_names,
        birth_date=person.birth_date,
        sex=person.sex,
        nationality=person.nationality,
        travel_document={
            "type": document.type,
            "number": document.number,
            "issuing_state": document.issuing_state,
            "expires": document.expires.isoformat(),
        },
    )


def decide_frtd(
    application: FrtdApplication, context: FrtdContext, *, corridor: Corridor, rules: PeopleRules
) -> FrtdDecision:
    """GRANT (with the FRTD), REFUSE or REFER, with the reasons; a decision after the deadline is `late`."""
    settings = rules.frtd
    spec = corridor.transit_documents.get("FRTD")
    if spec is None:
        raise ValueError(f"corridor {corridor.id!r} defines no FRTD (transit_documents.FRTD)")
    today = context.now.date()
    findings = _Findings(rules, today)
    person, document = application.person, application.travel_document

    missing = _missing(application)
    if missing:
        findings.add("frtd-complete-application", "missing: " + ", ".join(missing))
    if person.nationality and person.nationality not in settings.eligible_nationalities.value:
        findings.add("frtd-nationality", f"nationality {person.nationality}")
    _check_document(application, rules, findings, today)

    outbound, back = _departure(application.trains.outbound), _departure(application.trains.return_)
    _check_trains(corridor, outbound, back, findings)

    valid_until: date | None = None
    if outbound is not None:
        valid_from = outbound.service_date
        needed = (back or outbound).service_date + timedelta(days=settings.journey_margin_days.value)
        longest = (
            valid_from + timedelta(days=spec.max_validity_days - 1) if spec.max_validity_days else needed
        )
        if needed > longest:
            findings.add(
                "frtd-validity",
                f"it would have to be valid until {needed}; an FRTD from {valid_from} ends by {longest}",
            )
        valid_until = longest
        if document.expires is not None:
            outlive = corridor.travel_document_must_outlive_transit_document.value
            last_day = document.expires - timedelta(days=1) if outlive else document.expires
            valid_until = min(longest, last_day)
            if valid_until < needed:
                findings.add(
                    "frtd-travel-document-outlives",
                    f"the travel document expires on {document.expires}; "
                    f"the FRTD must be valid until {needed}"
                    + (" and the travel document longer" if outlive else ""),
                )
        if outbound.departure_at - application.received_at < timedelta(
            hours=settings.ticket_cutoff_hours.value
        ):
            hours = (outbound.departure_at - application.received_at).total_seconds() / 3600
            findings.add(
                "frtd-ticket-cutoff",
                f"received {hours:.1f} h before departure; cut-off {settings.ticket_cutoff_hours.value} h",
            )

    if context.entry_ban:
        findings.add("frtd-entry-ban", context.entry_ban)
    for match in context.watchlist_hits:
        who = f"{match.name} ({match.entity_id})" if match.name else match.entity_id
        findings.add("frtd-watchlist-hit", f"{who}, score {match.score:.2f}: {match.explanation}")
    for violation, times in sorted(Counter(context.violations).items()):
        findings.add_violation(violation, times)

    deadline = application.received_at + timedelta(hours=settings.decision_deadline_hours.value)
    late = context.now > deadline
    if late:
        overdue = (context.now - deadline).total_seconds() / 3600
        findings.add("frtd-decision-deadline", f"deadline {deadline.isoformat()}, {overdue:.1f} h overdue")

    notes = findings.of("note")
    frtd = (
        None
        if findings.of("refuse") or findings.of("refer")
        else _issue(application, outbound, back, valid_until, rules, spec)
    )
    if findings.of("refuse"):
        outcome: FrtdOutcome = "REFUSE"
        reasons = [*findings.of("refuse"), *findings.of("refer"), *notes]
    elif findings.of("refer") or frtd is None:
        # No refusal but no document either: the completeness check is configured not to refuse.
        outcome = "REFER"
        reasons = [*findings.of("refer"), *notes]
    else:
        outcome = "GRANT"
        reasons = [Reason.of(settings.check("frtd-grant")), *notes]
    return FrtdDecision(
        application_id=application.application_id,
        decision=outcome,
        decided_at=context.now,
        deadline=deadline,
        late=late,
        reasons=tuple(reasons),
        frtd=frtd,
        screening=context.watchlist_hits,
    )
