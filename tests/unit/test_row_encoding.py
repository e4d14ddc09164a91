"""The one-step SQLite journey row (`journey_rows`) is exactly the generic encoding of `journey_values`,
for every journey of a simulated fortnight: missing passengers, no-shows, people not on the manifest
(whose personal fields are empty) and FRTD holders with deadlines among them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from transitguard.adapters.sim.traffic import SimConfig, simulate
from transitguard.adapters.store import tables as t
from transitguard.adapters.store.encoding import encode_rows, journey_rows
from transitguard.adapters.store.rows import journey_values
from transitguard.domain.events import (
    CorridorEvent,
    ManifestSubmitted,
    PassengerChecked,
    parse_event,
    train_of,
)
from transitguard.domain.records import Journey
from transitguard.engines.corridor import reconcile_train
from transitguard.rulepacks import load_rule_pack


def _journeys() -> list[Journey]:
    corridor = load_rule_pack("kaliningrad").corridor
    trains: dict[str, list[CorridorEvent]] = defaultdict(list)
    for raw in simulate(SimConfig(start=date(2024, 5, 1), days=14, seed=3), corridor):
        event = parse_event(raw)
        train = train_of(event)
        if train is not None:
            trains[train.key].append(event)  # type: ignore[arg-type]
    now = datetime(2024, 6, 1, tzinfo=UTC)
    journeys: list[Journey] = []
    for number, events in enumerate(trains.values()):
        kept = events
        if number % 4 == 1:  # nobody checked out: missing passengers
            kept = [e for e in events if not (isinstance(e, PassengerChecked) and e.movement == "exit")]
        elif number % 4 == 2:  # only the manifest so far: expected passengers
            kept = [e for e in events if isinstance(e, ManifestSubmitted)]
        elif number % 4 == 3:  # no manifest: everyone checked is off the list, with empty personal fields
            kept = [e for e in events if not isinstance(e, ManifestSubmitted)]
        journeys.extend(reconcile_train(events[0].train, kept, corridor, now).journeys)
    return journeys


def test_sqlite_journey_rows_equal_the_generic_encoding() -> None:
    journeys = _journeys()
    statuses = {j.status for j in journeys}
    assert {"completed", "missing", "expected"} <= statuses  # the fortnight covers the hard cases
    assert any(j.surname is None for j in journeys)  # someone checked who is not on a manifest
    assert any(j.deadline is not None for j in journeys)
    generic = encode_rows(t.journeys, [journey_values(j) for j in journeys], "sqlite")
    assert journey_rows(journeys, "sqlite") == generic


def test_other_databases_take_journey_values_as_they_are() -> None:
    journeys = _journeys()[:50]
    assert journey_rows(journeys, "postgresql") == [journey_values(j) for j in journeys]
