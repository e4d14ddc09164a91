"""Corridor reconciliation: a pure fold from a train's events to its journeys and alerts.

Two stages, both pure and both order-independent (events are sorted by when they happened, never by
when they arrived):

1. `reconcile_train`: everything one train's events say on their own: who was manifested, checked in,
   checked out, missing, over time, not on the manifest, over the cap, on an invalid document, and where
   the train stopped.
2. `reconcile_document`: what only shows across trains, for one travel document: the same document on
   two journeys at once, an FRTD used for more transits than it allows.

`now` is an argument: an alert for a passenger still inside the corridor past their deadline is raised
as soon as `now` passes it, not only when the train exits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from transitguard.domain.corridor import Corridor
from transitguard.domain.events import (
    CorridorEvent,
    ManifestPassenger,
    ManifestSubmitted,
    PassengerChecked,
    TrainCrossed,
    TrainRef,
    TrainStopped,
    document_key,
)
from transitguard.domain.records import (
    Alert,
    IssuedFrtd,
    Journey,
    JourneyStatus,
    Severity,
    TrainState,
    content_id,
    iso_or_none,
)

# Within one instant, facts are applied in the order the real world produces them.
_RANK = {"manifest.submitted": 0, "train.crossed": 1, "passenger.checked": 2, "train.stopped": 3}


def event_order(event: CorridorEvent) -> tuple[datetime, int, str]:
    return (event.occurred_at, _RANK[event.type], event.event_id)


@dataclass(frozen=True)
class TrainResult:
    state: TrainState
    journeys: tuple[Journey, ...]
    alerts: tuple[Alert, ...]


@dataclass
class _Person:
    """Mutable working state for one person while folding a train's events."""

    key: str
    passenger: ManifestPassenger | None
    passenger_ref: str | None
    document_key: str | None
    entry: PassengerChecked | None = None
    exit: PassengerChecked | None = None


def normalise_place(place: str) -> str:
    text = place.strip().upper()
    return text[3:] if text.startswith("LT-") else text


@lru_cache(maxsize=65536)
def _journey_id(train_key: str, person_key: str) -> str:
    # Keyed by the train's text key: hashing two strings is far cheaper than hashing a TrainRef model.
    return content_id("J", train_key, person_key)


def _alert(
    kind: str,
    severity: Severity,
    train: TrainRef,
    raised_at: datetime,
    message: str,
    evidence: Iterable[str],
    subject: str,
    passenger_ref: str | None = None,
    document: str | None = None,
    details: dict[str, object] | None = None,
) -> Alert:
    return Alert(
        alert_id=content_id("A", kind, train.key, subject),
        type=kind,
        severity=severity,
        train=train,
        raised_at=raised_at,
        message=message,
        evidence=tuple(sorted(set(evidence))),
        passenger_ref=passenger_ref,
        document_key=document,
        details=dict(details or {}),
    )


def _latest(checks: list[PassengerChecked]) -> PassengerChecked | None:
    # Checks are gathered from the train's events in event order: the last one is the latest.
    return checks[-1] if checks else None


def _person_label(person: _Person) -> str:
    if person.passenger is not None:
        p = person.passenger
        return f"{p.surname} {p.given_names} (ref {p.ref})"
    return person.passenger_ref or person.document_key or person.key


def reconcile_train(
    train: TrainRef,
    events: Iterable[CorridorEvent],
    corridor: Corridor,
    now: datetime,
    frtds: Mapping[str, IssuedFrtd] | None = None,
) -> TrainResult:
    # The caller passes one train's events (the stores group them by train key), and the granted
    # FRTDs it knows among the numbers the manifest gives (`frtd_numbers`): a manifest's FRTD is
    # checked against its record, and the record's authorised duration sets the deadline.
    issued = frtds or {}
    ordered = sorted(events, key=event_order)
    if not ordered:
        raise ValueError(f"no events for train {train.key}")
    route = corridor.directions[train.direction]
    manifests = [e for e in ordered if isinstance(e, ManifestSubmitted)]
    # A later manifest is an amendment: it replaces the earlier list whole.
    manifest = manifests[-1] if manifests else None
    crossings = [e for e in ordered if isinstance(e, TrainCrossed)]
    entries = [c for c in crossings if c.movement == "entry"]
    exits = [c for c in crossings if c.movement == "exit"]
    checks = [e for e in ordered if isinstance(e, PassengerChecked)]
    stops = [e for e in ordered if isinstance(e, TrainStopped)]

    train_entry = entries[0] if entries else None
    train_exit = exits[-1] if exits else None
    entered_at = train_entry.occurred_at if train_entry else None
    if entered_at is None:
        entry_times = [c.occurred_at for c in checks if c.movement == "entry"]
        entered_at = min(entry_times) if entry_times else None
    exited_at = train_exit.occurred_at if train_exit else None

    # People: manifest passengers first, then whoever the checks name that the manifest does not.
    people: dict[str, _Person] = {}
    by_ref: dict[str, _Person] = {}
    by_doc: dict[str, _Person] = {}
    if manifest is not None:
        for passenger in manifest.passengers:
            doc = document_key(passenger.travel_document.issuing_state, passenger.travel_document.number)
            person = _Person(
                key=f"ref:{passenger.ref}", passenger=passenger, passenger_ref=passenger.ref, document_key=doc
            )
            people[person.key] = person
            by_ref[passenger.ref] = person
            by_doc.setdefault(doc, person)
    entry_checks: dict[str, list[PassengerChecked]] = {}
    exit_checks: dict[str, list[PassengerChecked]] = {}
    for check in checks:
        checked_doc = check.travel_document.key if check.travel_document else None
        found: _Person | None = None
        if check.passenger_ref is not None:
            found = by_ref.get(check.passenger_ref)
        if found is None and checked_doc is not None:
            found = by_doc.get(checked_doc)
        if found is None:
            key = f"doc:{checked_doc}" if checked_doc else f"ref:{check.passenger_ref}"
            found = people.get(key)
            if found is None:
                found = _Person(
                    key=key, passenger=None, passenger_ref=check.passenger_ref, document_key=checked_doc
                )
                people[key] = found
                if check.passenger_ref:
                    by_ref[check.passenger_ref] = found
                if checked_doc:
                    by_doc[checked_doc] = found
        target = entry_checks if check.movement == "entry" else exit_checks
        target.setdefault(found.key, []).append(check)
    for key, person in people.items():
        person.entry = _latest(entry_checks.get(key, []))
        person.exit = _latest(exit_checks.get(key, []))

    day = train.service_date
    journeys: list[Journey] = []
    alerts: list[Alert] = []
    manifest_evidence = (manifest.event_id,) if manifest else ()

    for person in people.values():
        record = _issued_for(person, issued)
        journey = _journey(train, person, corridor, train_exit, manifest_evidence, record)
        journeys.append(journey)
        alerts.extend(
            _person_alerts(
                train, person, journey, corridor, train_exit, manifest, now, day, route.entry, record
            )
        )

    cap = corridor.cap_on(day)
    admitted = [j for j in journeys if j.entered_at is not None]
    manifest_count = len(manifest.passengers) if manifest else 0
    if cap is not None and (manifest_count > cap or len(admitted) > cap):
        evidence = list(manifest_evidence)
        raised_at = manifest.occurred_at if manifest and manifest_count > cap else None
        if len(admitted) > cap:
            admitted_sorted = sorted(admitted, key=lambda j: j.entered_at or now)
            raised_at = raised_at or admitted_sorted[cap].entered_at
            evidence.extend(e for j in admitted_sorted[cap:] for e in j.evidence[-1:])
        alerts.append(
            _alert(
                "CAPACITY_EXCEEDED",
                "high",
                train,
                raised_at or ordered[0].occurred_at,
                f"Train {train.number} carries {max(manifest_count, len(admitted))} passengers; "
                f"the cap on {day.isoformat()} is {cap}",
                evidence,
                subject="cap",
                details={"cap": cap, "manifest_count": manifest_count, "admitted_count": len(admitted)},
            )
        )

    planned = {normalise_place(p) for p in corridor.planned_places}
    # A stop reported while it lasts and again when it ends shares a stop_id: the latest report wins.
    reports: dict[str, list[TrainStopped]] = {}
    for stop in stops:
        reports.setdefault(stop.stop_id or stop.event_id, []).append(stop)
    for stop_id, reported in reports.items():
        stop = reported[-1]
        if normalise_place(stop.place) in planned:
            continue
        minutes = (stop.ended_at - stop.started_at).total_seconds() / 60 if stop.ended_at else None
        alerts.append(
            _alert(
                "UNPLANNED_STOP",
                "high",
                train,
                stop.started_at,
                f"Train {train.number} stopped at {stop.place}, which is not a planned stop",
                [r.event_id for r in reported],
                subject=f"stop:{stop_id}",
                details={
                    "place": stop.place,
                    "started_at": stop.started_at.isoformat(),
                    "ended_at": iso_or_none(stop.ended_at),
                    "minutes": round(minutes, 1) if minutes is not None else None,
                },
            )
        )

    state = TrainState(
        train=train,
        status="exited" if exited_at else ("in_corridor" if entered_at else "due"),
        entered_at=entered_at,
        exited_at=exited_at,
        manifest_count=manifest_count,
        admitted_count=len(admitted),
        completed_count=sum(1 for j in journeys if j.status == "completed"),
        missing_count=sum(1 for j in journeys if j.status == "missing"),
        cap=cap,
        last_event_at=ordered[-1].occurred_at,
    )
    journeys.sort(key=lambda j: j.journey_id)
    alerts.sort(key=lambda a: a.alert_id)
    return TrainResult(state=state, journeys=tuple(journeys), alerts=tuple(alerts))


def _issued_for(person: _Person, issued: Mapping[str, IssuedFrtd]) -> IssuedFrtd | None:
    transit = person.passenger.transit_document if person.passenger else None
    if transit is None or transit.kind != "FRTD" or transit.number is None:
        return None
    return issued.get(transit.number)


def frtd_numbers(events: Iterable[CorridorEvent]) -> set[str]:
    """The FRTD numbers the train's manifests give: the records reconcile_train needs."""
    return {
        p.transit_document.number
        for e in events
        if isinstance(e, ManifestSubmitted)
        for p in e.passengers
        if p.transit_document is not None and p.transit_document.kind == "FRTD" and p.transit_document.number
    }


def _hours(journey: Journey, corridor: Corridor, record: IssuedFrtd | None) -> float | None:
    if record is not None and record.authorised_transit_hours is not None:
        return record.authorised_transit_hours
    spec = next((v for k, v in corridor.transit_documents.items() if k == journey.transit_kind), None)
    return spec.max_transit_hours if spec is not None else None


def _journey(
    train: TrainRef,
    person: _Person,
    corridor: Corridor,
    train_exit: TrainCrossed | None,
    manifest_evidence: tuple[str, ...],
    record: IssuedFrtd | None = None,
) -> Journey:
    entry, exit_ = person.entry, person.exit
    entered = entry is not None and entry.outcome == "admitted"
    status: JourneyStatus
    if entry is not None and entry.outcome == "refused":
        status = "refused"
    elif exit_ is not None:
        status = "completed" if exit_.outcome == "admitted" else "held"
    elif entered:
        status = "missing" if train_exit is not None else "in_corridor"
    else:
        status = "no_show" if train_exit is not None else "expected"
    passenger = person.passenger
    transit = passenger.transit_document if passenger else None
    entered_at = entry.occurred_at if entered and entry else None
    deadline = None
    if entered_at is not None and transit is not None:
        spec = corridor.transit_documents.get(transit.kind)
        hours = record.authorised_transit_hours if record is not None else None
        if hours is None and spec is not None:
            hours = spec.max_transit_hours
        if hours is not None:
            deadline = entered_at + timedelta(hours=hours)
    evidence = list(manifest_evidence if passenger else ())
    evidence += [c.event_id for c in (entry, exit_) if c is not None]
    if status == "missing" and train_exit is not None:
        evidence.append(train_exit.event_id)
    return Journey(
        journey_id=_journey_id(train.key, person.key),
        train=train,
        passenger_ref=person.passenger_ref,
        on_manifest=passenger is not None,
        status=status,
        surname=passenger.surname if passenger else None,
        given_names=passenger.given_names if passenger else None,
        birth_date=passenger.birth_date if passenger else None,
        sex=passenger.sex if passenger else None,
        nationality=passenger.nationality if passenger else None,
        document_key=person.document_key,
        travel_document_expires=passenger.travel_document.expires if passenger else None,
        transit_kind=transit.kind if transit else None,
        transit_number=transit.number if transit else None,
        transit_valid_from=transit.valid_from if transit else None,
        transit_valid_until=transit.valid_until if transit else None,
        entered_at=entered_at,
        entry_checkpoint=entry.checkpoint if entry else None,
        exited_at=exit_.occurred_at if exit_ is not None and exit_.outcome == "admitted" else None,
        exit_checkpoint=exit_.checkpoint if exit_ else None,
        deadline=deadline,
        train_exited_at=train_exit.occurred_at if train_exit else None,
        evidence=tuple(evidence),
    )


def _person_alerts(
    train: TrainRef,
    person: _Person,
    journey: Journey,
    corridor: Corridor,
    train_exit: TrainCrossed | None,
    manifest: ManifestSubmitted | None,
    now: datetime,
    day: date,
    entry_checkpoint: str,
    record: IssuedFrtd | None = None,
) -> list[Alert]:
    alerts: list[Alert] = []
    label = _person_label(person)
    subject = person.key

    if journey.status == "missing" and train_exit is not None:
        ban = corridor.alighting_banned(entry_checkpoint, train_exit.occurred_at.date())
        alerts.append(
            _alert(
                "PASSENGER_MISSING",
                "critical" if ban else "high",
                train,
                train_exit.occurred_at,
                f"{label} was checked in at {journey.entry_checkpoint} but not out before train "
                f"{train.number} left the corridor",
                journey.evidence,
                subject,
                passenger_ref=person.passenger_ref,
                document=person.document_key,
                details={
                    "transit_document_kind": journey.transit_kind,
                    "entered_at": iso_or_none(journey.entered_at),
                    "transit_deadline": iso_or_none(journey.deadline),
                    "alighting_banned": ban is not None,
                    "alighting_rule": ban.basis if ban else None,
                },
            )
        )

    if journey.deadline is not None and journey.status in ("in_corridor", "completed", "held"):
        until = journey.exited_at if journey.status == "completed" else now
        if until is not None and until > journey.deadline:
            hours = _hours(journey, corridor, record) or 0
            alerts.append(
                _alert(
                    "TRANSIT_TIME_EXCEEDED",
                    "high",
                    train,
                    journey.deadline,
                    f"{label} has been in the corridor longer than the {hours:g} h an "
                    f"{journey.transit_kind} allows",
                    journey.evidence,
                    subject,
                    passenger_ref=person.passenger_ref,
                    document=person.document_key,
                    details={
                        "transit_document_kind": journey.transit_kind,
                        "limit_hours": hours,
                        "entered_at": iso_or_none(journey.entered_at),
                        "deadline": journey.deadline.isoformat(),
                        "exited_at": iso_or_none(journey.exited_at),
                    },
                )
            )

    exit_check = person.exit
    entry_check = person.entry
    if (
        exit_check is not None
        and exit_check.outcome == "admitted"
        and (entry_check is None or entry_check.outcome != "admitted")
    ):
        alerts.append(
            _alert(
                "EXIT_WITHOUT_ENTRY",
                "high",
                train,
                exit_check.occurred_at,
                f"{label} was checked out at {exit_check.checkpoint} with no admitted entry check",
                [exit_check.event_id, *([entry_check.event_id] if entry_check else [])],
                subject,
                passenger_ref=person.passenger_ref,
                document=person.document_key,
            )
        )

    if person.passenger is None:
        first = min((c for c in (entry_check, exit_check) if c is not None), key=event_order)
        alerts.append(
            _alert(
                "NOT_ON_MANIFEST",
                "high",
                train,
                first.occurred_at,
                f"{label} was checked on train {train.number} but is not on its manifest"
                + ("" if manifest else " (no manifest was received)"),
                [c.event_id for c in (entry_check, exit_check) if c is not None],
                subject,
                passenger_ref=person.passenger_ref,
                document=person.document_key,
                details={"manifest_received": manifest is not None},
            )
        )

    if person.passenger is not None and manifest is not None:
        reasons = document_problems(
            person.passenger, corridor, journey.entered_at.date() if journey.entered_at else day
        )
        reasons.update(frtd_problems(person.passenger, train, record))
        if reasons:
            alerts.append(
                _alert(
                    "TRANSIT_DOCUMENT_INVALID",
                    "high",
                    train,
                    manifest.occurred_at,
                    f"{label}: " + "; ".join(reasons.values()),
                    [manifest.event_id],
                    subject,
                    passenger_ref=person.passenger_ref,
                    document=person.document_key,
                    details={"reasons": sorted(reasons), "transit_document_kind": journey.transit_kind},
                )
            )
    return alerts


def frtd_problems(passenger: ManifestPassenger, train: TrainRef, record: IssuedFrtd | None) -> dict[str, str]:
    """Where the manifest's FRTD differs from the one the consulate granted (code → sentence)."""
    if record is None:
        return {}
    reasons: dict[str, str] = {}
    travel = passenger.travel_document
    if document_key(travel.issuing_state, travel.number) != record.document_key:
        reasons["frtd_other_document"] = (
            f"FRTD {record.number} was granted for travel document {record.document_key}, not "
            f"{document_key(travel.issuing_state, travel.number)}"
        )
    transit = passenger.transit_document
    if transit is not None and (transit.valid_from, transit.valid_until) != (
        record.valid_from,
        record.valid_until,
    ):
        reasons["frtd_validity_differs"] = (
            f"FRTD {record.number} is valid {record.valid_from.isoformat()} to "
            f"{record.valid_until.isoformat()} as granted, not as the manifest says"
        )
    if (train.number, train.service_date) not in record.trains:
        authorised = ", ".join(f"{n} on {d.isoformat()}" for n, d in sorted(record.trains))
        reasons["frtd_train_not_authorised"] = (
            f"FRTD {record.number} authorises train {authorised}, not {train.number} on "
            f"{train.service_date.isoformat()}"
        )
    return reasons


def document_problems(passenger: ManifestPassenger, corridor: Corridor, day: date) -> dict[str, str]:
    """Why a passenger's documents do not allow this transit on `day` (code → sentence)."""
    transit = passenger.transit_document
    travel = passenger.travel_document
    reasons: dict[str, str] = {}
    if travel.expires < day:
        reasons["travel_document_expired"] = f"travel document expired on {travel.expires.isoformat()}"
    if transit is None:
        return reasons  # not given (a PAXLST list): nothing more to check here
    if transit.valid_until is not None and transit.valid_until < day:
        reasons["expired"] = f"{transit.kind} expired on {transit.valid_until.isoformat()}"
    if transit.valid_from is not None and transit.valid_from > day:
        reasons["not_yet_valid"] = f"{transit.kind} is valid only from {transit.valid_from.isoformat()}"
    spec = corridor.transit_documents.get(transit.kind)
    if (
        spec is not None
        and spec.max_validity_days is not None
        and transit.valid_from is not None
        and transit.valid_until is not None
        and (transit.valid_until - transit.valid_from).days > spec.max_validity_days
    ):
        reasons["validity_too_long"] = (
            f"{transit.kind} validity exceeds the {spec.max_validity_days} days it may have"
        )
    if (
        corridor.travel_document_must_outlive_transit_document.value
        and transit.kind in ("FRTD", "FTD")
        and transit.valid_until is not None
        and travel.expires <= transit.valid_until
    ):
        reasons["travel_document_expires_first"] = (
            f"travel document expires ({travel.expires.isoformat()}) before the {transit.kind} "
            f"({transit.valid_until.isoformat()})"
        )
    return reasons


def _interval(journey: Journey) -> tuple[datetime, datetime] | None:
    if journey.entered_at is None:
        return None
    end = journey.exited_at or journey.train_exited_at or _far_future()
    return journey.entered_at, end


def in_use_together(one: Journey, other: Journey) -> bool:
    """Whether two journeys of one travel document are a DOCUMENT_IN_USE: on the same train, or in the
    corridor at overlapping times. (A store's `conflicting_documents` asks the same in SQL.)"""
    a, b = _interval(one), _interval(other)
    overlapping = a is not None and b is not None and a[0] < b[1] and b[0] < a[1]
    return one.train == other.train or overlapping


def transit_limits(corridor: Corridor) -> dict[str, int]:
    """The transit documents good for a limited number of transits, with their limits (FRTD: 2)."""
    return {
        kind: spec.max_transits
        for kind, spec in corridor.transit_documents.items()
        if spec.max_transits is not None
    }


def overused_transit_documents(
    journeys: Iterable[Journey], limits: Mapping[str, int]
) -> dict[tuple[str, str], list[Journey]]:
    """The journeys of each transit document (kind, number) with a limit, among those that entered
    the corridor, where there are more of them than the limit allows."""
    by_number: dict[tuple[str, str], list[Journey]] = {}
    for journey in journeys:
        kind, number = journey.transit_kind, journey.transit_number
        if kind is not None and kind in limits and number and journey.entered_at is not None:
            by_number.setdefault((kind, number), []).append(journey)
    return {used: js for used, js in by_number.items() if len(js) > limits[used[0]]}


def reconcile_document(doc_key: str, journeys: Sequence[Journey], corridor: Corridor) -> tuple[Alert, ...]:
    """Cross-train alerts for one travel document, from every journey that carries it."""
    mine = sorted(
        (j for j in journeys if j.document_key == doc_key),
        key=lambda j: (j.entered_at or _far_future(), j.train.key, j.journey_id),
    )
    alerts: list[Alert] = []
    for later_index, later in enumerate(mine):
        for earlier in mine[:later_index]:
            if not in_use_together(earlier, later):
                continue
            alerts.append(
                _alert(
                    "DOCUMENT_IN_USE",
                    "critical",
                    later.train,
                    later.entered_at or earlier.entered_at or _far_future(),
                    f"Travel document {doc_key} is on two journeys at once "
                    f"(train {earlier.train.number} ref {earlier.passenger_ref} and "
                    f"train {later.train.number} ref {later.passenger_ref})",
                    [*earlier.evidence, *later.evidence],
                    subject=f"doc:{doc_key}:{earlier.journey_id}:{later.journey_id}",
                    passenger_ref=later.passenger_ref,
                    document=doc_key,
                    details={
                        "journeys": [earlier.journey_id, later.journey_id],
                        "trains": [earlier.train.as_dict(), later.train.as_dict()],
                    },
                )
            )
    limits = transit_limits(corridor)
    for (kind, number), used in overused_transit_documents(mine, limits).items():
        limit = limits[kind]
        used.sort(key=lambda j: (j.entered_at, j.journey_id))
        for over in used[limit:]:
            alerts.append(
                _alert(
                    "TRANSIT_DOCUMENT_INVALID",
                    "high",
                    over.train,
                    over.entered_at or _far_future(),
                    f"{kind} {number} was already used for {limit} transits (single entry and return)",
                    [e for j in used for e in j.evidence[:1]] + list(over.evidence),
                    subject=f"overused:{kind}:{number}:{over.journey_id}",
                    passenger_ref=over.passenger_ref,
                    document=doc_key,
                    details={
                        "reasons": ["already_used"],
                        "transit_document_kind": kind,
                        "earlier_journeys": [j.journey_id for j in used[:limit]],
                    },
                )
            )
    alerts.sort(key=lambda a: a.alert_id)
    return tuple(alerts)


def _far_future() -> datetime:
    return datetime.max.replace(tzinfo=UTC)
