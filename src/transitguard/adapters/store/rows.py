"""Mapping between records and table rows (UTC everywhere: SQLite keeps no offsets)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, cast

import orjson

from transitguard.domain.events import Direction, TrainRef
from transitguard.domain.records import Alert, AlertStatus, IssuedFrtd, Journey, TrainState
from transitguard.domain.watchlists import Hit, WatchlistVersion


def to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _required_time(value: datetime | None, column: str) -> datetime:
    if value is None:
        raise ValueError(f"NULL in the NOT NULL column {column}")
    return value


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@lru_cache(maxsize=8192)
def _train(number: str, service_date: date, direction: str) -> TrainRef:
    # Thousands of rows name the same few trains; TrainRef is immutable, so one instance serves all.
    return TrainRef(number=number, service_date=service_date, direction=cast(Direction, direction))


def train_from(row: Any) -> TrainRef:
    service_date = _day(row.service_date)
    if service_date is None:
        raise ValueError(f"row without a service date: {row}")
    return _train(row.number, service_date, row.direction)


def journey_values(journey: Journey) -> tuple[Any, ...]:
    """A journey as a row of tables.journeys, in its column order (the hot path of every batch)."""
    train = journey.train
    return (
        journey.journey_id,
        train.key,
        train.number,
        train.service_date,
        train.direction,
        journey.passenger_ref,
        journey.on_manifest,
        journey.status,
        journey.surname,
        journey.given_names,
        journey.birth_date,
        journey.sex,
        journey.nationality,
        journey.document_key,
        journey.travel_document_expires,
        journey.transit_kind,
        journey.transit_number,
        journey.transit_valid_from,
        journey.transit_valid_until,
        journey.entered_at,
        journey.entry_checkpoint,
        journey.exited_at,
        journey.exit_checkpoint,
        journey.deadline,
        journey.train_exited_at,
        orjson.dumps(list(journey.evidence)).decode(),
    )


def journey_from(row: Any) -> Journey:
    return Journey(
        journey_id=row.journey_id,
        train=train_from(row),
        passenger_ref=row.passenger_ref,
        on_manifest=bool(row.on_manifest),
        status=row.status,
        surname=row.surname,
        given_names=row.given_names,
        birth_date=_day(row.birth_date),
        sex=row.sex,
        nationality=row.nationality,
        document_key=row.document_key,
        travel_document_expires=_day(row.travel_document_expires),
        transit_kind=row.transit_kind,
        transit_number=row.transit_number,
        transit_valid_from=_day(row.transit_valid_from),
        transit_valid_until=_day(row.transit_valid_until),
        entered_at=to_utc(row.entered_at),
        entry_checkpoint=row.entry_checkpoint,
        exited_at=to_utc(row.exited_at),
        exit_checkpoint=row.exit_checkpoint,
        deadline=to_utc(row.deadline),
        train_exited_at=to_utc(row.train_exited_at),
        evidence=tuple(orjson.loads(row.evidence)),
    )


def _stored_time(value: Any) -> datetime | None:
    # SQLite hands back the text written (ISO 8601, UTC offset included); PostgreSQL a datetime.
    return to_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def journey_from_values(values: Sequence[Any]) -> Journey:
    """A journey from a driver row of tables.journeys in column order (`journey_values`' inverse),
    without SQLAlchemy's per-column processing: stage 2 of every batch reads thousands."""
    (
        journey_id,
        _train_key,
        number,
        service_date,
        direction,
        passenger_ref,
        on_manifest,
        status,
        surname,
        given_names,
        birth_date,
        sex,
        nationality,
        document_key,
        travel_document_expires,
        transit_kind,
        transit_number,
        transit_valid_from,
        transit_valid_until,
        entered_at,
        entry_checkpoint,
        exited_at,
        exit_checkpoint,
        deadline,
        train_exited_at,
        evidence,
    ) = values
    day = _day(service_date)
    if day is None:
        raise ValueError(f"journey {journey_id} without a service date")
    return Journey(
        journey_id=journey_id,
        train=_train(number, day, direction),
        passenger_ref=passenger_ref,
        on_manifest=bool(on_manifest),
        status=status,
        surname=surname,
        given_names=given_names,
        birth_date=_day(birth_date),
        sex=sex,
        nationality=nationality,
        document_key=document_key,
        travel_document_expires=_day(travel_document_expires),
        transit_kind=transit_kind,
        transit_number=transit_number,
        transit_valid_from=_day(transit_valid_from),
        transit_valid_until=_day(transit_valid_until),
        entered_at=_stored_time(entered_at),
        entry_checkpoint=entry_checkpoint,
        exited_at=_stored_time(exited_at),
        exit_checkpoint=exit_checkpoint,
        deadline=_stored_time(deadline),
        train_exited_at=_stored_time(train_exited_at),
        evidence=tuple(orjson.loads(evidence)),
    )


def alert_values(alert: Alert, scope: str) -> tuple[Any, ...]:
    """An alert as a row of tables.alerts, in its column order."""
    train = alert.train
    return (
        alert.alert_id,
        scope,
        alert.type,
        alert.severity,
        train.key,
        train.number,
        train.service_date,
        train.direction,
        alert.passenger_ref,
        alert.document_key,
        alert.raised_at,
        alert.message,
        orjson.dumps(alert.details, option=orjson.OPT_SORT_KEYS).decode(),
        orjson.dumps(list(alert.evidence)).decode(),
    )


def alert_from(row: Any) -> Alert:
    mapping = row._mapping
    status = mapping.get("wf_status") or "open"
    raised = _required_time(to_utc(row.raised_at), "alerts.raised_at")
    return Alert(
        alert_id=row.alert_id,
        type=row.type,
        severity=row.severity,
        train=train_from(row),
        raised_at=raised,
        message=row.message,
        evidence=tuple(orjson.loads(row.evidence)),
        passenger_ref=row.passenger_ref,
        document_key=row.document_key,
        details=orjson.loads(row.details),
        status=cast(AlertStatus, status),
        outcome=mapping.get("wf_outcome"),
        updated_by=mapping.get("wf_by"),
        updated_at=to_utc(mapping.get("wf_at")),
    )


def train_state_values(state: TrainState) -> tuple[Any, ...]:
    """A train's state as a row of tables.trains, in its column order."""
    train = state.train
    return (
        train.key,
        train.number,
        train.service_date,
        train.direction,
        state.status,
        state.entered_at,
        state.exited_at,
        state.manifest_count,
        state.admitted_count,
        state.completed_count,
        state.missing_count,
        state.cap,
        state.last_event_at,
    )


def train_state_from(row: Any) -> TrainState:
    last = _required_time(to_utc(row.last_event_at), "trains.last_event_at")
    return TrainState(
        train=train_from(row),
        status=row.status,
        entered_at=to_utc(row.entered_at),
        exited_at=to_utc(row.exited_at),
        manifest_count=row.manifest_count,
        admitted_count=row.admitted_count,
        completed_count=row.completed_count,
        missing_count=row.missing_count,
        cap=row.cap,
        last_event_at=last,
    )


def watchlist_values(version: WatchlistVersion) -> tuple[Any, ...]:
    return (
        version.watchlist,
        version.version,
        version.format,
        version.source,
        version.entities,
        version.digest,
        version.threshold,
        to_utc(version.updated_at),
    )


def watchlist_from(row: Any) -> WatchlistVersion:
    return WatchlistVersion(
        watchlist=row.watchlist,
        version=row.version,
        format=row.format,
        source=row.source,
        entities=int(row.entities),
        digest=row.digest,
        threshold=float(row.threshold),
        updated_at=_required_time(to_utc(row.updated_at), "watchlists.updated_at"),
    )


def hit_values(hit: Hit) -> tuple[Any, ...]:
    return (
        hit.hit_id,
        hit.watchlist,
        hit.version,
        hit.entity_id,
        hit.entity_fingerprint,
        hit.caption,
        hit.subject,
        hit.name,
        hit.train_key,
        hit.passenger_ref,
        hit.score,
        hit.explanation,
        to_utc(hit.raised_at),
        hit.evidence,
        hit.status,
        hit.reviewed_by,
        hit.review_reason,
        to_utc(hit.reviewed_at),
    )


def hit_from(row: Any) -> Hit:
    return Hit(
        hit_id=row.hit_id,
        watchlist=row.watchlist,
        version=row.version,
        entity_id=row.entity_id,
        entity_fingerprint=row.entity_fingerprint,
        caption=row.caption,
        subject=row.subject,
        name=row.name,
        train_key=row.train_key,
        passenger_ref=row.passenger_ref,
        score=float(row.score),
        explanation=row.explanation,
        raised_at=_required_time(to_utc(row.raised_at), "watchlist_hits.raised_at"),
        evidence=row.evidence,
        status=row.status,
        reviewed_by=row.reviewed_by,
        review_reason=row.review_reason,
        reviewed_at=to_utc(row.reviewed_at),
    )


def frtd_values(record: IssuedFrtd) -> tuple[Any, ...]:
    trains = sorted([number, day.isoformat()] for number, day in record.trains)
    return (
        record.number,
        record.document_key,
        record.valid_from,
        record.valid_until,
        record.authorised_transit_hours,
        orjson.dumps(trains).decode(),
        record.event_id,
    )


def frtd_from(row: Any) -> IssuedFrtd:
    valid_from, valid_until = _day(row.valid_from), _day(row.valid_until)
    if valid_from is None or valid_until is None:
        raise ValueError(f"FRTD {row.number} without its validity")
    return IssuedFrtd(
        number=row.number,
        document_key=row.document_key,
        valid_from=valid_from,
        valid_until=valid_until,
        authorised_transit_hours=row.authorised_transit_hours,
        trains=frozenset((n, date.fromisoformat(d)) for n, d in orjson.loads(row.trains)),
        event_id=row.event_id,
    )
