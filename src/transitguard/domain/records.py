"""What the corridor engine produces: journeys, alerts and the state of each train.

Immutable records with ids derived from their content, so recomputing them from the same events gives
equal values, which is what lets `rebuild` be compared with incremental processing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from transitguard.domain.events import TrainRef

JourneyStatus = Literal["expected", "in_corridor", "completed", "missing", "refused", "held", "no_show"]
TrainStatus = Literal["due", "in_corridor", "exited"]
Severity = Literal["low", "medium", "high", "critical"]
AlertStatus = Literal["open", "acknowledged", "resolved"]

ALERT_TYPES = (
    "PASSENGER_MISSING",
    "TRANSIT_TIME_EXCEEDED",
    "EXIT_WITHOUT_ENTRY",
    "NOT_ON_MANIFEST",
    "CAPACITY_EXCEEDED",
    "TRANSIT_DOCUMENT_INVALID",
    "UNPLANNED_STOP",
    "DOCUMENT_IN_USE",
    "WATCHLIST_HIT",
)

# Journeys whose passenger may still be in the corridor or about to enter it: a list update re-screens them.
OPEN_JOURNEY_STATUSES = ("expected", "in_corridor", "missing", "held")


def content_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]
    return f"{prefix}-{digest}"


def iso_or_none(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Journey:
    """One person's passage through the corridor on one train."""

    journey_id: str
    train: TrainRef
    passenger_ref: str | None
    on_manifest: bool
    status: JourneyStatus
    surname: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    nationality: str | None = None
    document_key: str | None = None
    travel_document_expires: date | None = None
    transit_kind: str | None = None
    transit_number: str | None = None
    transit_valid_from: date | None = None
    transit_valid_until: date | None = None
    entered_at: datetime | None = None
    entry_checkpoint: str | None = None
    exited_at: datetime | None = None
    exit_checkpoint: str | None = None
    deadline: datetime | None = None
    train_exited_at: datetime | None = None
    evidence: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "journey_id": self.journey_id,
            "train": self.train.as_dict(),
            "passenger_ref": self.passenger_ref,
            "on_manifest": self.on_manifest,
            "status": self.status,
            "surname": self.surname,
            "given_names": self.given_names,
            "birth_date": iso_or_none(self.birth_date),
            "sex": self.sex,
            "nationality": self.nationality,
            "document_key": self.document_key,
            "travel_document_expires": iso_or_none(self.travel_document_expires),
            "transit_document": {
                "kind": self.transit_kind,
                "number": self.transit_number,
                "valid_from": iso_or_none(self.transit_valid_from),
                "valid_until": iso_or_none(self.transit_valid_until),
            },
            "entered_at": iso_or_none(self.entered_at),
            "entry_checkpoint": self.entry_checkpoint,
            "exited_at": iso_or_none(self.exited_at),
            "exit_checkpoint": self.exit_checkpoint,
            "deadline": iso_or_none(self.deadline),
            "train_exited_at": iso_or_none(self.train_exited_at),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Alert:
    """Something a border guard must look at. `status` comes from the workflow events, not the engine."""

    alert_id: str
    type: str
    severity: Severity
    train: TrainRef
    raised_at: datetime
    message: str
    evidence: tuple[str, ...]
    passenger_ref: str | None = None
    document_key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    status: AlertStatus = "open"
    outcome: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None

    def with_status(
        self, status: AlertStatus, outcome: str | None, by: str | None, at: datetime | None
    ) -> Alert:
        return replace(self, status=status, outcome=outcome, updated_by=by, updated_at=at)

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "type": self.type,
            "severity": self.severity,
            "status": self.status,
            "outcome": self.outcome,
            "train": self.train.as_dict(),
            "passenger_ref": self.passenger_ref,
            "document_key": self.document_key,
            "raised_at": self.raised_at.isoformat(),
            "message": self.message,
            "details": self.details,
            "evidence": list(self.evidence),
            "updated_by": self.updated_by,
            "updated_at": iso_or_none(self.updated_at),
        }


@dataclass(frozen=True)
class TrainState:
    train: TrainRef
    status: TrainStatus
    entered_at: datetime | None
    exited_at: datetime | None
    manifest_count: int
    admitted_count: int
    completed_count: int
    missing_count: int
    cap: int | None
    last_event_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "train": self.train.as_dict(),
            "status": self.status,
            "entered_at": iso_or_none(self.entered_at),
            "exited_at": iso_or_none(self.exited_at),
            "manifest_count": self.manifest_count,
            "admitted_count": self.admitted_count,
            "completed_count": self.completed_count,
            "missing_count": self.missing_count,
            "cap": self.cap,
            "last_event_at": self.last_event_at.isoformat(),
        }


@dataclass(frozen=True)
class IssuedFrtd:
    """A granted FRTD as the corridor checks manifests against it (from a frtd.decided event)."""

    number: str
    document_key: str
    valid_from: date
    valid_until: date
    authorised_transit_hours: float | None
    trains: frozenset[tuple[str, date]]  # (train number, service date) of the two authorised trains
    event_id: str


@dataclass(frozen=True)
class FreightLineRecord:
    """One consignment line's recorded freight decision (a row of the freight_decisions projection)."""

    event_id: str
    line_no: int
    consignment_id: str
    date: date
    mode: str
    direction: str
    consignment_decision: str
    cn_code: str
    decision: str
    rules: tuple[str, ...]
    net_mass_kg: float
    value_eur: float
    rule_pack: str
