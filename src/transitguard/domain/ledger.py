"""An event prepared for the ledger: validated, in canonical form, hashed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson

from transitguard.domain.events import EVENT_ADAPTER, Event, train_of
from transitguard.engines.chain import body_hash


@dataclass(frozen=True)
class LedgerEntry:
    event: Event
    body: bytes
    body_hash: str

    @property
    def event_id(self) -> str:
        return self.event.event_id

    @property
    def type(self) -> str:
        return self.event.type

    @property
    def occurred_at(self) -> datetime:
        return self.event.occurred_at

    @property
    def train_key(self) -> str | None:
        train = train_of(self.event)
        return train.key if train else None

    @classmethod
    def of(cls, event: Event) -> LedgerEntry:
        # Canonical form: the validated event, None fields dropped, keys sorted. Two producers that
        # send the same fact in different spellings (29 vs "29", Z vs +00:00) store the same bytes.
        body = orjson.dumps(event.model_dump(mode="json", exclude_none=True), option=orjson.OPT_SORT_KEYS)
        return cls(event=event, body=body, body_hash=body_hash(body))


def load_event(body: bytes | str) -> Event:
    return EVENT_ADAPTER.validate_json(body)
