"""An event prepared for the ledger: validated, in canonical form, hashed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    event: Event
    body: bytes
    body_hash: str
    train_key: str | None

    @property
    def event_id(self) -> str:
        return self.event.event_id

    @property
    def type(self) -> str:
        return self.event.type

    @property
    def occurred_at(self) -> datetime:
        return self.event.occurred_at

    @classmethod
    def of(cls, event: Event) -> LedgerEntry:
        # Canonical form: the validated event serialised in its model's field order, None fields
        # dropped. Two producers that send the same fact in different spellings (29 vs "29", key
        # order) store the same bytes. The models' field order is therefore part of the contract.
        # The serializer itself, as bytes: what model_dump_json returns before decoding it to str, and
        # we only encode it back (half the cost of a small event's whole preparation).
        body = event.__pydantic_serializer__.to_json(event, exclude_none=True)
        train = train_of(event)
        return cls(event=event, body=body, body_hash=body_hash(body), train_key=train.key if train else None)


def load_event(body: bytes | str) -> Event:
    return parse_event_json(body)


def load_corridor_event(body: bytes | str) -> CorridorEvent:
    """An event stored under a train key: one of the corridor event types, by construction."""
    event = parse_event_json(body)
    if not isinstance(event, ManifestSubmitted | TrainCrossed | PassengerChecked | TrainStopped):
        raise TypeError(f"{event.event_id} is not a corridor event")
    return event
