"""An event prepared for the ledger: validated, in canonical form, hashed."""

from __future__ import annotations

from datetime import UTC, datetime

from transitguard.domain.events import (
    CorridorEvent,
    Event,
    ManifestSubmitted,
    PassengerChecked,
    TrainCrossed,
    TrainStopped,
    parse_event_json,
    train_of,
)
from transitguard.engines.chain import body_hash


class LedgerEntry:
    """One event for the ledger: its canonical body, the body's hash, and the fields the ledger row
    keeps beside it. The parsed event is kept when the entry was made from it; an entry made from a
    stored row (`of_row`) parses its body only when `event` is first asked for, so code that only
    stores or routes entries by type and train never pays for parsing them."""

    __slots__ = ("_event", "body", "body_hash", "event_id", "occurred_at", "train_key", "type")

    def __init__(
        self,
        *,
        event_id: str,
        type: str,
        occurred_at: datetime,
        body: bytes,
        body_hash: str,
        train_key: str | None,
        event: Event | None = None,
    ) -> None:
        self.event_id = event_id
        self.type = type
        self.occurred_at = occurred_at
        self.body = body
        self.body_hash = body_hash
        self.train_key = train_key
        self._event = event

    @property
    def event(self) -> Event:
        if self._event is None:
            self._event = parse_event_json(self.body)
        return self._event

    def __repr__(self) -> str:
        return f"LedgerEntry({self.event_id!r}, {self.type!r}, train_key={self.train_key!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LedgerEntry):
            return NotImplemented
        return (self.event_id, self.body_hash, self.train_key) == (
            other.event_id,
            other.body_hash,
            other.train_key,
        )

    def __hash__(self) -> int:
        return hash((self.event_id, self.body_hash))

    @classmethod
    def of(cls, event: Event) -> LedgerEntry:
        # Canonical form: the validated event serialised in its model's field order, None fields
        # dropped. Two producers that send the same fact in different spellings (29 vs "29", key
        # order) store the same bytes. The models' field order is therefore part of the contract.
        # The serializer itself, as bytes: what model_dump_json returns before decoding it to str, and
        # we only encode it back (half the cost of a small event's whole preparation).
        body = event.__pydantic_serializer__.to_json(event, exclude_none=True)
        train = train_of(event)
        return cls(
            event_id=event.event_id,
            type=event.type,
            occurred_at=event.occurred_at,
            body=body,
            body_hash=body_hash(body),
            train_key=train.key if train else None,
            event=event,
        )

    def as_row(self) -> EntryRow:
        """The entry as plain values, cheap to send to another process (see `of_row`). The time in
        UTC: the same instant, and far cheaper to pickle than a parsed offset."""
        occurred = self.occurred_at.astimezone(UTC)
        return (self.event_id, self.type, occurred, self.train_key, self.body, self.body_hash)

    @classmethod
    def of_row(cls, row: EntryRow) -> LedgerEntry:
        """An entry another process prepared (`as_row`) from an event it validated; its event is
        parsed again from the canonical body only if asked for."""
        event_id, type_, occurred_at, train_key, body, digest = row
        return cls(
            event_id=event_id,
            type=type_,
            occurred_at=occurred_at,
            body=body,
            body_hash=digest,
            train_key=train_key,
        )


# event_id, type, occurred_at, train_key, body, body_hash
EntryRow = tuple[str, str, datetime, str | None, bytes, str]


def load_event(body: bytes | str) -> Event:
    return parse_event_json(body)


def load_corridor_event(body: bytes | str) -> CorridorEvent:
    """An event stored under a train key: one of the corridor event types, by construction."""
    event = parse_event_json(body)
    if not isinstance(event, ManifestSubmitted | TrainCrossed | PassengerChecked | TrainStopped):
        raise TypeError(f"{event.event_id} is not a corridor event")
    return event
