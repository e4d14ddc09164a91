"""However events arrive (shuffled, split into any batches, repeated), the projections are the same,
and the same as a rebuild from the ledger. The service's train cache is exercised on every path."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import T0, checked, simple_train, stopped
from transitguard.adapters.store.memory import MemoryStore
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.rulepacks import RulePack
from transitguard.services.corridor import CorridorService
from transitguard.services.ports import AlertFilter, JourneyFilter

NOW = T0 + timedelta(days=3)


def stream() -> list[dict[str, Any]]:
    """Three trains in the corridor at once, sharing passports, with missing passengers, a stowaway,
    an unplanned stop and an exit without entry."""
    events = simple_train(5, missing=("2",))
    events += simple_train(4, missing=("4",), prefix="g", number="79")
    events += simple_train(3, prefix="h", number="30", direction="from_kaliningrad")
    events.append(stopped("s", "km 70", 60))
    events.append(checked("x-in", None, "entry", 12, document={"number": "BY1", "issuing_state": "BLR"}))
    return [e for e in events if e["event_id"] != "g-ci-1"]


def snapshot(store: Any) -> tuple[object, ...]:
    return (store.trains(), store.journeys(JourneyFilter()), store.alerts(AlertFilter()))


def ingest(
    store: Any, pack: RulePack, batches: list[list[dict[str, Any]]], restarts: frozenset[int] = frozenset()
) -> CorridorService:
    """Apply the batches; before each batch whose index is in `restarts`, start a new service, as a
    new CLI process would (its train cache empty while the database holds the history)."""
    service = CorridorService(store, pack, lambda: NOW)
    for index, batch in enumerate(batches):
        if index in restarts:
            service = CorridorService(store, pack, lambda: NOW)
        service.apply_batch([LedgerEntry.of(parse_event(e)) for e in batch])
    return service


def reference(pack: RulePack) -> tuple[object, ...]:
    store = MemoryStore()
    ingest(store, pack, [stream()])
    return snapshot(store)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    cuts=st.lists(st.integers(1, 40), min_size=0, max_size=6),
    restarts=st.frozensets(st.integers(1, 6)),
)
def test_any_order_and_any_batches_give_the_same_projections(
    pack: RulePack, seed: int, cuts: list[int], restarts: frozenset[int]
) -> None:
    events = stream()
    random.Random(seed).shuffle(events)
    events += events[: seed % 7]  # some events arrive twice
    batches, start = [], 0
    for cut in sorted(set(cuts)):
        batches.append(events[start:cut])
        start = cut
    batches.append(events[start:])
    store = MemoryStore()
    service = ingest(store, pack, [b for b in batches if b], restarts)
    expected = reference(pack)
    assert snapshot(store) == expected
    service.rebuild()
    assert snapshot(store) == expected


def test_shuffled_small_batches_on_a_real_database(store: Any, pack: RulePack) -> None:
    events = stream()
    random.Random(7).shuffle(events)
    batches = [events[i : i + 4] for i in range(0, len(events), 4)]
    service = ingest(store, pack, batches, restarts=frozenset(range(1, len(batches), 3)))
    assert snapshot(store) == reference(pack)
    service.rebuild()
    assert snapshot(store) == reference(pack)


def test_two_processes_writing_projections_in_turn(store: Any, pack: RulePack) -> None:
    """A long-running ingest keeps trains cached; a `reconcile` elsewhere rewrites their projections
    (a deadline passed) in between. The ingest must notice, not diff against what it remembers."""
    events = [e for e in stream() if e["event_id"] not in ("e-out", "e-co-1", "e-co-3")]
    first, rest = events[: len(events) // 2], events[len(events) // 2 :]
    ingesting = CorridorService(store, pack, lambda: T0 + timedelta(hours=1))
    ingesting.apply_batch([LedgerEntry.of(parse_event(e)) for e in first])
    late = CorridorService(store, pack, lambda: T0 + timedelta(hours=9))  # the FRTD deadlines passed
    late.reconcile_open_trains()
    assert any(a.type == "TRANSIT_TIME_EXCEEDED" for a in store.alerts(AlertFilter()))
    ingesting.clock = lambda: T0 + timedelta(hours=9)
    ingesting.apply_batch([LedgerEntry.of(parse_event(e)) for e in rest])
    expected = MemoryStore()
    CorridorService(expected, pack, lambda: T0 + timedelta(hours=9)).apply_batch(
        [LedgerEntry.of(parse_event(e)) for e in events]
    )
    assert snapshot(store) == snapshot(expected)
