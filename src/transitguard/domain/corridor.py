"""The corridor definition as typed, immutable data (loaded from a rule pack's corridor.yaml)."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from transitguard.domain.events import Direction, TransitDocumentKind


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(Spec):
    basis: str = Field(min_length=1, description="legal or factual source, citing DOMAIN.md")
    assumption: bool = False


class Dated(Cited):
    valid_from: date | None = None
    valid_until: date | None = None

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Checkpoint(Cited):
    code: str
    name: str
    border_with: str


class DirectionSpec(Spec):
    entry: str
    exit: str


class PlannedStop(Cited):
    place: str
    kind: Literal["inspection", "technical"]
    typical_minutes: int | None = None


class TrainSpec(Dated):
    number: str
    direction: Direction
    route: str
    name: str | None = None
    runs: Literal["daily", "every_other_day", "3x_week", "4x_week"]


class DatedValue(Dated):
    value: int


class AlightingRule(Dated):
    places: tuple[str, ...]
    allowed: bool
    enforced: bool


class TransitDocumentSpec(Cited):
    max_transit_hours: float | None = None
    max_validity_days: int | None = None
    max_transits: int | None = None


class Flag(Cited):
    value: bool


class Measure(Cited):
    value: float


class Corridor(Spec):
    id: str
    name: str
    timezone: str
    length_km: Measure
    checkpoints: tuple[Checkpoint, ...]
    directions: dict[Direction, DirectionSpec]
    planned_stops: tuple[PlannedStop, ...]
    trains: tuple[TrainSpec, ...]
    passenger_cap: tuple[DatedValue, ...]
    alighting: tuple[AlightingRule, ...]
    transit_documents: dict[TransitDocumentKind, TransitDocumentSpec]
    travel_document_must_outlive_transit_document: Flag

    @cached_property
    def checkpoint_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.checkpoints)

    @cached_property
    def planned_places(self) -> frozenset[str]:
        return frozenset(s.place for s in self.planned_stops)

    def cap_on(self, day: date) -> int | None:
        for step in self.passenger_cap:
            if step.in_force(day):
                return step.value
        return None

    def alighting_banned(self, place: str, day: date) -> AlightingRule | None:
        """The enforced rule that bans leaving the train at `place` on `day`, if any."""
        for rule in self.alighting:
            if place in rule.places and not rule.allowed and rule.enforced and rule.in_force(day):
                return rule
        return None

    def train_spec(self, number: str) -> TrainSpec | None:
        return next((t for t in self.trains if t.number == number), None)
