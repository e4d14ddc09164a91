"""The event contract: every fact that enters the ledger is one of these.

Events arrive as JSON objects (one per line in JSON Lines files). They are validated here, strictly:
unknown fields and unknown types are rejected so that a producer's typo never turns into a silently
missing fact. docs/events.md documents each type; tests/unit/test_docs_events.py keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

Direction = Literal["to_kaliningrad", "from_kaliningrad"]
Movement = Literal["entry", "exit"]
Outcome = Literal["admitted", "refused"]
Sex = Literal["M", "F", "X"]
TransitDocumentKind = Literal[
    "FRTD", "FTD", "SCHENGEN_VISA", "NATIONAL_VISA", "RESIDENCE_PERMIT", "EU_CITIZEN"
]
AlertOutcome = Literal["found_on_train", "absconded", "data_error", "admitted_to_lt", "false_alarm", "other"]


def _train_number(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("train number must be a string or a whole number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError("train number must be a non-empty string")


# Strict JSON parsing (see Record): dates only as YYYY-MM-DD strings, times only as RFC 3339 strings,
# and AwareDatetime refuses a time without its offset: a border record must say which clock it used.
Timestamp = AwareDatetime
IsoDate = date
TrainNumber = Annotated[str, BeforeValidator(_train_number)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]
# ISO 3166-1 alpha-3 only: the MRZ's "D<<" for Germany is mapped to DEU by the MRZ reader, so one
# passport never has two keys.
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Record(BaseModel):
    # Events are parsed from JSON (validate_json), where strict mode still reads ISO strings as dates
    # and times, but never a number as a time or a string as a number.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class TrainRef(Record):
    number: TrainNumber
    service_date: IsoDate
    direction: Direction

    @property
    def key(self) -> str:
        """A stable text key: number/service date/direction."""
        return f"{self.number}/{self.service_date.isoformat()}/{self.direction}"

    def as_dict(self) -> dict[str, str]:
        return {
            "number": self.number,
            "service_date": self.service_date.isoformat(),
            "direction": self.direction,
        }


class TravelDocument(Record):
    type: NonEmpty = Field(description="P passport, I identity card, ... (ICAO 9303 document code)")
    number: NonEmpty
    issuing_state: CountryCode
    expires: IsoDate


class DocumentRef(Record):
    number: NonEmpty
    issuing_state: CountryCode

    @property
    def key(self) -> str:
        return document_key(self.issuing_state, self.number)


class TransitDocument(Record):
    kind: TransitDocumentKind
    number: NonEmpty | None = None
    valid_from: IsoDate | None = None
    valid_until: IsoDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TransitDocument:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        if self.kind in ("FRTD", "FTD") and not (self.number and self.valid_from and self.valid_until):
            raise ValueError(f"an {self.kind} needs number, valid_from and valid_until")
        return self


class ManifestPassenger(Record):
    ref: NonEmpty
    surname: NonEmpty
    given_names: Annotated[str, Field(max_length=200)]
    birth_date: IsoDate
    sex: Sex
    nationality: CountryCode
    travel_document: TravelDocument
    # Absent when the sender cannot give it: a PAXLST list carries no FRTD or FTD (docs/paxlst.md).
    # The journey then has no transit deadline; the document is checked at the checkpoint.
    transit_document: TransitDocument | None = None
    seat: Annotated[str, Field(max_length=20)] | None = None


class EventBase(Record):
    event_id: NonEmpty
    occurred_at: Timestamp


class ManifestSubmitted(EventBase):
    type: Literal["manifest.submitted"]
    train: TrainRef
    passengers: list[ManifestPassenger]

    @field_validator("passengers")
    @classmethod
    def _unique_refs(cls, passengers: list[ManifestPassenger]) -> list[ManifestPassenger]:
        seen: set[str] = set()
        for index, passenger in enumerate(passengers):
            if passenger.ref in seen:
                raise ValueError(f"passengers[{index}].ref {passenger.ref!r} appears twice in the manifest")
            seen.add(passenger.ref)
        return passengers


class TrainCrossed(EventBase):
    type: Literal["train.crossed"]
    train: TrainRef
    checkpoint: NonEmpty
    movement: Movement


class PassengerChecked(EventBase):
    type: Literal["passenger.checked"]
    train: TrainRef
    checkpoint: NonEmpty
    movement: Movement
    passenger_ref: NonEmpty | None = None
    travel_document: DocumentRef | None = None
    # The document's machine-readable zone as scanned (lines joined by newlines). The ingest reads it
    # (adapters/formats/mrz.py): every check digit must hold, and it fills travel_document.
    mrz: Annotated[str, Field(min_length=60, max_length=200)] | None = None
    outcome: Outcome
    reason: Annotated[str, Field(max_length=500)] | None = None

    @model_validator(mode="after")
    def _identified(self) -> PassengerChecked:
        if self.passenger_ref is None and self.travel_document is None and self.mrz is None:
            raise ValueError("a check needs passenger_ref, travel_document or mrz")
        return self


class TrainStopped(EventBase):
    type: Literal["train.stopped"]
    train: TrainRef
    place: NonEmpty = Field(description="a named place (VILNIUS) or a km mark (km 112.4)")
    started_at: Timestamp
    ended_at: Timestamp | None = None
    stop_id: NonEmpty | None = Field(
        default=None, description="the same id on a later event updates the stop (e.g. adds ended_at)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> TrainStopped:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        return self


class AlertAcknowledged(EventBase):
    type: Literal["alert.acknowledged"]
    alert_id: NonEmpty
    by: NonEmpty
    note: Annotated[str, Field(max_length=2000)] | None = None


class AlertResolved(EventBase):
    type: Literal["alert.resolved"]
    alert_id: NonEmpty
    by: NonEmpty
    outcome: AlertOutcome
    note: Annotated[str, Field(max_length=2000)] | None = None


class WatchlistUpdated(EventBase):
    """A new version of a watchlist became active. The entries themselves are kept beside the ledger
    (table watchlist_entities), bound to this event by `digest`: SHA-256 over their canonical lines."""

    type: Literal["watchlist.updated"]
    watchlist: NonEmpty
    version: NonEmpty
    format: NonEmpty
    source: NonEmpty
    entities: Annotated[int, Field(ge=0)]
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    threshold: Annotated[float, Field(ge=0, le=1)] | None = None


class ScreeningHit(EventBase):
    """A decision of the screening engine: this person may be that listed entity. `subject` is who was
    screened (a travel document key, or the journey when there is none); `on_train` where."""

    type: Literal["screening.hit"]
    hit_id: NonEmpty
    watchlist: NonEmpty
    version: NonEmpty
    entity_id: NonEmpty
    entity_fingerprint: NonEmpty
    caption: NonEmpty
    subject: NonEmpty
    name: NonEmpty
    on_train: TrainRef | None = None
    passenger_ref: NonEmpty | None = None
    score: Annotated[float, Field(ge=0, le=1)]
    explanation: Annotated[str, Field(min_length=1, max_length=4000)]


class ScreeningReviewed(EventBase):
    type: Literal["screening.reviewed"]
    hit_id: NonEmpty
    decision: Literal["confirmed", "false_positive"]
    by: NonEmpty
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class FrtdTrain(Record):
    number: TrainNumber
    service_date: IsoDate


class IssuedFrtdBody(Record):
    number: NonEmpty
    valid_from: IsoDate
    valid_until: IsoDate
    authorised_transit_hours: Annotated[float, Field(gt=0, le=72)] | None = None
    max_transits: Annotated[int, Field(ge=1, le=10)] | None = None
    trains: Annotated[list[FrtdTrain], Field(min_length=1, max_length=2)]
    travel_document: DocumentRef


class FrtdDecided(EventBase):
    """A consular decision on an FRTD application (`transitguard frtd decide --record`). A granted
    FRTD is what the corridor checks a manifest's FRTD against: same travel document, same validity,
    one of its two trains, and its authorised transit duration."""

    type: Literal["frtd.decided"]
    application_id: NonEmpty
    decision: Literal["GRANT", "REFUSE", "REFER"]
    frtd: IssuedFrtdBody | None = None
    reasons: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=50)] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _granted_has_frtd(self) -> FrtdDecided:
        if (self.decision == "GRANT") != (self.frtd is not None):
            raise ValueError("a GRANT carries its frtd, and only a GRANT does")
        return self


class FreightLineDecided(Record):
    cn_code: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")]
    decision: Literal["ALLOW", "DENY", "HOLD"]
    rules: Annotated[list[NonEmpty], Field(max_length=50)] = Field(default_factory=list)
    net_mass_kg: Annotated[float, Field(ge=0)]
    value_eur: Annotated[float, Field(ge=0)]


class FreightDecided(EventBase):
    """A freight screening decision, recorded by `transitguard freight check --record`."""

    type: Literal["freight.decided"]
    consignment_id: NonEmpty
    date: IsoDate
    mode: Literal["rail", "road"]
    direction: Direction
    decision: Literal["ALLOW", "DENY", "HOLD"]
    rule_pack: NonEmpty
    lines: Annotated[list[FreightLineDecided], Field(min_length=1, max_length=1000)]


class AuditRecorded(EventBase):
    """Who did or saw what, when and why: every read of a person's record, every export, every
    decision and alert transition made through the API or console, every change to users and tokens,
    and every refused login. Recorded by the system itself; `ingest` refuses it from a feed."""

    type: Literal["audit.recorded"]
    actor: NonEmpty = Field(description="a username, or token:<token_id> for a machine client")
    roles: Annotated[list[NonEmpty], Field(max_length=10)]
    action: NonEmpty = Field(description="what was done, e.g. person.read, export, alert.resolve")
    subject: Annotated[str, Field(max_length=400)] | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    outcome: Literal["done", "denied", "failed"] = "done"
    detail: dict[str, str | int | float | bool | None] | None = None


CorridorEvent = ManifestSubmitted | TrainCrossed | PassengerChecked | TrainStopped
WorkflowEvent = AlertAcknowledged | AlertResolved
ScreeningEvent = WatchlistUpdated | ScreeningHit | ScreeningReviewed
Event = Annotated[
    ManifestSubmitted
    | TrainCrossed
    | PassengerChecked
    | TrainStopped
    | AlertAcknowledged
    | AlertResolved
    | WatchlistUpdated
    | ScreeningHit
    | ScreeningReviewed
    | FrtdDecided
    | FreightDecided
    | AuditRecorded,
    Field(discriminator="type"),
]

EVENT_TYPES: dict[str, type[EventBase]] = {
    "manifest.submitted": ManifestSubmitted,
    "train.crossed": TrainCrossed,
    "passenger.checked": PassengerChecked,
    "train.stopped": TrainStopped,
    "alert.acknowledged": AlertAcknowledged,
    "alert.resolved": AlertResolved,
    "watchlist.updated": WatchlistUpdated,
    "screening.hit": ScreeningHit,
    "screening.reviewed": ScreeningReviewed,
    "frtd.decided": FrtdDecided,
    "freight.decided": FreightDecided,
    "audit.recorded": AuditRecorded,
}

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event_json(raw: bytes | str) -> Event:
    """Parse one event from its JSON text (raises pydantic.ValidationError)."""
    return EVENT_ADAPTER.validate_json(raw)


def parse_event(data: Mapping[str, Any]) -> Event:
    """Parse one event from a decoded JSON object, with exactly the rules applied to JSON text."""
    return EVENT_ADAPTER.validate_json(orjson.dumps(data))


@lru_cache(maxsize=65536)
def document_key(issuing_state: str, number: str) -> str:
    """One travel document, whatever spacing or case the producer used."""
    return f"{issuing_state.upper()}:{re.sub(r'[^0-9A-Z]', '', number.upper())}"


def train_of(event: EventBase) -> TrainRef | None:
    train = getattr(event, "train", None)
    return train if isinstance(train, TrainRef) else None
