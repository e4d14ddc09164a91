"""Train projections computed ahead of the ingest that will store them.

A bulk ingest does two kinds of work: storing events (the ledger, the projection rows) and deciding
what they mean (parsing, reconciling trains, preparing rows). The second needs nothing from the
database when a train's events all come from the files being ingested, so a planning process can do it
for batch n+1 while the ingest stores batch n. The ingest uses a plan only when it can prove the plan
is what it would have computed itself (`usable`); otherwise it reconciles that train as it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from transitguard.domain.corridor import Corridor
from transitguard.domain.events import CorridorEvent, Event
from transitguard.domain.ledger import EntryRow, LedgerEntry
from transitguard.domain.records import IssuedFrtd
from transitguard.engines.corridor import TrainResult, frtd_numbers, reconcile_train


@dataclass(frozen=True)
class TrainPlan:
    """One train's projections after one batch, as the store's `train_encoder` prepares them.

    Computed from the `events` distinct events of the train that the ingest's files hold up to the end
    of the batch, with `frtds` the registry records of the train's FRTD numbers as the planning process
    read them. Reconciling is a function of the train's set of events, the registry records it reads, the
    corridor and `now`; so when the ledger holds `events` events of the train once the batch is
    appended (it holds all of these, so then exactly these) and the registry still says the same
    about `frtd_numbers`, the plan is exactly what the ingest would compute.
    """

    events: int
    frtd_numbers: frozenset[str]
    frtds: Mapping[str, IssuedFrtd]
    prepared: Any
    documents: tuple[str, ...]

    def usable(self, stored_events: int, registry: Mapping[str, IssuedFrtd]) -> bool:
        if stored_events != self.events:
            return False
        return {n: registry[n] for n in self.frtd_numbers if n in registry} == self.frtds


@dataclass(frozen=True)
class BatchPlan:
    """One batch of an ingest: its entries as plain rows, where each line came from, and a plan for
    every train the batch touches that the planner could compute."""

    index: int
    rows: list[EntryRow]
    lines: list[tuple[str, int]]
    trains: dict[str, TrainPlan]

    def entries(self) -> list[LedgerEntry]:
        return [LedgerEntry.of_row(row) for row in self.rows]


class Planner:
    """Follows an ingest's entries batch by batch, keeping the events of each train still in play.

    A train not seen for `keep_batches` batches is let go (memory stays flat in the file's length);
    if it comes back later the planner makes no plan for it, and the ingest reconciles it from the
    ledger as usual.
    """

    def __init__(
        self,
        corridor: Corridor,
        now: datetime,
        encode: Callable[[TrainResult], Any],
        frtds: Callable[[Iterable[str]], Mapping[str, IssuedFrtd]],
        keep_batches: int = 3,
    ) -> None:
        self._corridor = corridor
        self._now = now
        self._encode = encode
        self._frtds = frtds
        self.keep_batches = keep_batches
        self._events: dict[str, dict[str, CorridorEvent]] = {}
        self._last_seen: dict[str, int] = {}
        self._let_go: set[str] = set()
        self._batch = 0

    def follow(self, events: Iterable[tuple[str | None, Event]], *, plan: bool) -> dict[str, TrainPlan]:
        """Take one batch's events (with their train keys) in order; with `plan`, return the plans of
        the trains it touched."""
        batch = self._batch
        self._batch += 1
        touched: set[str] = set()
        for key, event in events:
            if key is None or key in self._let_go:
                continue
            # The first of two lines with one event id is the one the ledger keeps (a second with a
            # different body fails the batch).
            self._events.setdefault(key, {}).setdefault(event.event_id, event)  # type: ignore[arg-type]
            self._last_seen[key] = batch
            touched.add(key)
        plans: dict[str, TrainPlan] = {}
        if plan:
            trains = {key: list(self._events[key].values()) for key in sorted(touched)}
            numbers = {key: frozenset(frtd_numbers(events)) for key, events in trains.items()}
            wanted = set().union(*numbers.values())
            registry = self._frtds(wanted) if wanted else {}  # one read for the whole batch
            plans = {key: self._plan(events, numbers[key], registry) for key, events in trains.items()}
        for key, seen in list(self._last_seen.items()):
            if batch - seen >= self.keep_batches:
                del self._events[key], self._last_seen[key]
                self._let_go.add(key)
        return plans

    def _plan(
        self, events: list[CorridorEvent], numbers: frozenset[str], registry: Mapping[str, IssuedFrtd]
    ) -> TrainPlan:
        used = {n: registry[n] for n in numbers if n in registry}
        result = reconcile_train(events[0].train, events, self._corridor, self._now, used)
        documents = sorted({j.document_key for j in result.journeys if j.document_key})
        return TrainPlan(len(events), numbers, used, self._encode(result), tuple(documents))
