"""Corridor use cases: ingest events through the ledger, keep journeys and alerts current, rebuild
them from the ledger, and move alerts through their workflow.

Every batch is one transaction: append to the ledger, recompute the trains it touched (stage 1) and
the travel documents those trains carry (stage 2), apply workflow events. A batch that fails leaves
nothing behind. Incremental processing and `rebuild` run the same engine on the same events, so they
give the same projections.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from transitguard.domain.corridor import Corridor
from transitguard.domain.events import AlertAcknowledged, AlertResolved, CorridorEvent, TrainRef
from transitguard.domain.ledger import LedgerEntry, load_corridor_event
from transitguard.domain.records import Alert, IssuedFrtd, Journey
from transitguard.engines.corridor import (
    TrainResult,
    frtd_numbers,
    reconcile_document,
    reconcile_train,
    transit_limits,
)
from transitguard.errors import ConflictError, NotFoundError
from transitguard.rulepacks import RulePack
from transitguard.services.freight_record import apply_freight_decisions
from transitguard.services.frtd_registry import apply_frtd_decisions
from transitguard.services.ports import AppendResult, Store, Workflow, WriteSession
from transitguard.services.screening import SCREENING_TYPES, ScreeningService
from transitguard.services.train_plans import TrainPlan

Clock = Callable[[], datetime]

# Which workflow step may follow which status.
_ALLOWED = {
    "alert.acknowledged": {"open"},
    "alert.resolved": {"open", "acknowledged"},
}


@dataclass
class BatchReport:
    stored: int = 0
    duplicates: int = 0
    trains: int = 0
    head_seq: int = 0
    planned: int = 0  # trains whose projections came from an ingest's planning process


@dataclass
class RebuildReport:
    trains: int = 0
    documents: int = 0
    workflow_events: int = 0
    screening_events: int = 0


def _train_of(events: Sequence[CorridorEvent]) -> TrainRef:
    return events[0].train


@dataclass(frozen=True)
class CachedTrain:
    events: tuple[CorridorEvent, ...]
    result: TrainResult


@dataclass
class Pending:
    """What a write session computed, to remember once it has committed. `base_epoch`: the
    projections' epoch the session started from; `epoch`: the one its own write left."""

    base_epoch: int
    epoch: int
    trains: dict[str, CachedTrain] = field(default_factory=dict)
    # Trains whose stored rows came from a plan: what the cache holds for them is out of date.
    forget: set[str] = field(default_factory=set)


class TrainCache:
    """The last few trains this process recomputed: their events and what it stored for them.

    A bulk ingest touches the same trains batch after batch; without this, every batch would re-read
    and re-parse each train's whole history from the ledger and rewrite all its journeys. Every write
    of projections (an ingest batch, a reconcile, a rebuild, in any process) moves the projections'
    epoch on; the cache is used only while the epoch is the one its own last write left, so nothing
    else has changed the stored projections it diffs against, and only while the ledger holds exactly
    the cached events plus the new ones.
    """

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._trains: OrderedDict[str, CachedTrain] = OrderedDict()
        self._epoch = -1

    def get(self, key: str, epoch: int) -> CachedTrain | None:
        if epoch != self._epoch:
            return None
        return self._trains.get(key)

    def publish(self, pending: Pending) -> None:
        if pending.epoch < 0:
            return  # the session wrote no projections
        if pending.base_epoch != self._epoch:
            self._trains.clear()  # someone else wrote projections since we last did
        self._epoch = pending.epoch
        for key in pending.forget:
            self._trains.pop(key, None)
        for key, train in pending.trains.items():
            self._trains[key] = train
            self._trains.move_to_end(key)
        while len(self._trains) > self.capacity:
            self._trains.popitem(last=False)

    def clear(self) -> None:
        self._trains.clear()
        self._epoch = -1


class CorridorService:
    def __init__(self, store: Store, pack: RulePack, clock: Clock) -> None:
        self.store = store
        self.pack = pack
        self.corridor = pack.corridor
        self.clock = clock
        self.cache = TrainCache()
        # Screening of what each batch brings (set by bootstrap; None: no watchlists in this process).
        self.screening: ScreeningService | None = None

    # -- ingest -----------------------------------------------------------------------------------

    def apply_batch(
        self,
        entries: Sequence[LedgerEntry],
        *,
        before_commit: Callable[[], None] | None = None,
        now: datetime | None = None,
        plans: Mapping[str, TrainPlan] | None = None,
    ) -> BatchReport:
        """Append one batch and bring every projection it affects up to date, atomically.
        `before_commit` runs last inside the transaction; if it raises, nothing of the batch stays.
        `now`: the time the trains are reconciled at (default: the clock's). `plans`: trains computed
        ahead by an ingest's planning process, each used only where it is provably what this would
        compute (TrainPlan.usable)."""
        now = now or self.clock()
        with self.store.writing() as session:
            appended: AppendResult = session.append(entries, recorded_at=now)
            # Grouped by train without parsing: a train whose plan is used never needs its events here.
            new_entries: dict[str, list[LedgerEntry]] = defaultdict(list)
            for entry in appended.stored:
                if entry.train_key is not None:
                    new_entries[entry.train_key].append(entry)
            # A granted FRTD changes how the trains whose manifests carry it are checked.
            frtd_decisions = (e.event for e in appended.stored if e.type == "frtd.decided")
            for train_key in apply_frtd_decisions(session, frtd_decisions):
                new_entries.setdefault(train_key, [])
            apply_freight_decisions(
                session, (e.event for e in appended.stored if e.type == "freight.decided")
            )
            pending = self._recompute_trains(session, new_entries, now, plans or {})
            for entry in appended.stored:
                if entry.type in _ALLOWED:
                    event = entry.event
                    assert isinstance(event, AlertAcknowledged | AlertResolved)  # by its type
                    self._apply_workflow(session, event, strict=True)
            if self.screening is not None:
                self.screening.on_batch(session, appended.stored, now)
            if before_commit is not None:
                before_commit()
        self.cache.publish(pending)  # only what was committed may be remembered
        return BatchReport(
            stored=len(appended.stored),
            duplicates=appended.duplicates,
            trains=len(new_entries),
            head_seq=appended.head_seq,
            planned=len(pending.forget),
        )

    def _recompute_trains(
        self,
        session: WriteSession,
        new_entries: Mapping[str, Sequence[LedgerEntry]],
        now: datetime,
        plans: Mapping[str, TrainPlan],
    ) -> Pending:
        """Stage 1 for every train that has new events (or, with no new events, that is named),
        then stage 2 for every travel document those trains carried before or carry now."""
        keys = sorted(new_entries)
        if not keys:
            return Pending(base_epoch=-2, epoch=-1)  # wrote nothing: forget nothing, learn nothing
        pending = Pending(base_epoch=session.projection_epoch(), epoch=-1)
        counts = session.event_counts(keys)
        documents = session.document_keys_of_trains(keys)
        planned = self._usable_plans(session, keys, counts, plans)
        if planned:
            session.replace_prepared_trains(list(planned), [planned[k].prepared for k in planned])
            for plan in planned.values():
                documents.update(plan.documents)
            pending.forget.update(planned)
        keys = [k for k in keys if k not in planned]
        new_events = {k: [e.event for e in new_entries[k]] for k in keys}
        known: dict[str, CachedTrain | None] = {}
        for key in keys:
            cached = self.cache.get(key, pending.base_epoch)
            if cached is not None and len(cached.events) + len(new_events[key]) == counts[key]:
                known[key] = cached
            elif counts[key] == len(new_events[key]):
                known[key] = None  # a train seen for the first time: its events are all in hand
        loaded = {
            key: [load_corridor_event(body) for body in bodies]
            for key, bodies in session.corridor_bodies([k for k in keys if k not in known]).items()
        }
        trains_events: dict[str, list[CorridorEvent]] = {}
        for key in keys:
            if key in known:
                cached_train = known[key]
                trains_events[key] = [*(cached_train.events if cached_train else ()), *new_events[key]]  # type: ignore[list-item]
            else:
                trains_events[key] = loaded[key]
        frtds = session.frtds({n for events in trains_events.values() for n in frtd_numbers(events)})
        for key in keys:
            cached = known.get(key)
            events = trains_events[key]
            if not events:
                continue
            result = reconcile_train(_train_of(events), events, self.corridor, now, frtds)
            session.replace_train(result, cached.result if cached else None)
            pending.trains[key] = CachedTrain(tuple(events), result)
            documents.update(j.document_key for j in result.journeys if j.document_key)
        self._recompute_documents(session, sorted(documents))
        pending.epoch = session.bump_projection_epoch()
        return pending

    @staticmethod
    def _usable_plans(
        session: WriteSession, keys: Sequence[str], counts: Mapping[str, int], plans: Mapping[str, TrainPlan]
    ) -> dict[str, TrainPlan]:
        candidates = {k: plans[k] for k in keys if k in plans and plans[k].events == counts[k]}
        if not candidates:
            return {}
        registry = session.frtds({n for plan in candidates.values() for n in plan.frtd_numbers})
        return {k: plan for k, plan in candidates.items() if plan.usable(counts[k], registry)}

    def _recompute_documents(
        self, session: WriteSession, document_keys: Sequence[str], *, all_shared: bool = False
    ) -> None:
        """Stage 2 for these documents. `all_shared`: the caller knows each is on two or more journeys
        and that none has stored alerts (a rebuild), so neither needs asking."""
        if not document_keys:
            return
        # Only the journeys of documents that raise a cross-train alert are read (stored alerts of the
        # others are deleted below): the store finds them, the engine makes the alerts.
        conflicting = (
            list(document_keys)
            if all_shared
            else session.conflicting_documents(document_keys, transit_limits(self.corridor))
        )
        by_document: dict[str, list[Journey]] = defaultdict(list)
        for journey in session.journeys_of_documents(conflicting):
            if journey.document_key:
                by_document[journey.document_key].append(journey)
        alerts: list[Alert] = []
        for key, journeys in by_document.items():
            alerts.extend(reconcile_document(key, journeys, self.corridor))
        session.replace_document_alerts([] if all_shared else document_keys, alerts)

    def _apply_workflow(
        self, session: WriteSession, event: AlertAcknowledged | AlertResolved, *, strict: bool
    ) -> None:
        alert = session.alert(event.alert_id)
        if alert is None:
            if strict:
                raise NotFoundError(f"alert {event.alert_id!r} does not exist")
            return  # rebuild: the condition behind it has since cleared
        if alert.status not in _ALLOWED[event.type]:
            if strict:
                step = event.type.removeprefix("alert.")
                raise ConflictError(f"alert {event.alert_id} is {alert.status}; it cannot be {step}")
            return
        status = "acknowledged" if isinstance(event, AlertAcknowledged) else "resolved"
        outcome = event.outcome if isinstance(event, AlertResolved) else None
        session.save_workflow(Workflow(event.alert_id, status, outcome, event.by, event.occurred_at))

    # -- time passes ------------------------------------------------------------------------------

    def reconcile_open_trains(self) -> int:
        """Re-evaluate trains still in the corridor at the current time (deadlines that passed)."""
        now = self.clock()
        keys = [s.train.key for s in self.store.trains() if s.status != "exited"]
        with self.store.writing() as session:
            pending = self._recompute_trains(session, {k: [] for k in keys}, now, {})
        self.cache.publish(pending)
        return len(keys)

    # -- rebuild ----------------------------------------------------------------------------------

    def rebuild(
        self,
        on_progress: Callable[[str, int], None] | None = None,
        page: int = 20,
        workers: int | None = None,
    ) -> RebuildReport:
        """Recompute every projection from the ledger alone, in one transaction.

        Stage 1 is independent per train, so it runs in `workers` processes (default: one per core;
        1 runs in this process): this process reads each page of trains' events and writes the
        results, the workers parse and reconcile. The result does not depend on the number of workers.
        """
        now = self.clock()
        report = RebuildReport()
        progress = on_progress or (lambda _stage, _n: None)
        self.cache.clear()
        count = workers if workers is not None else (os.cpu_count() or 1)
        with self.store.writing() as session:
            session.clear_projections()
            session.bump_projection_epoch()
            seq = 0
            while decided := session.entries_of_types_after(("frtd.decided", "freight.decided"), seq, 1000):
                apply_frtd_decisions(session, (e.event for _, e in decided), recheck=False)
                apply_freight_decisions(session, (e.event for _, e in decided))
                seq = decided[-1][0]
            frtds = session.frtds()
            with _train_pool(count, self.corridor, now, session.train_encoder(), frtds) as compute:
                self._rebuild_in(session, compute, report, progress, page)
        return report

    def _rebuild_in(
        self,
        session: WriteSession,
        compute: Callable[[Iterable[dict[str, list[bytes]]]], Iterator[list[Any]]],
        report: RebuildReport,
        progress: Callable[[str, int], None],
        page: int,
    ) -> None:
        """The body of rebuild's transaction, once the FRTDs are folded: stage 1, stage 2, then
        hits and workflow."""

        def pages() -> Iterator[dict[str, list[bytes]]]:
            after = ""
            while keys := session.train_keys_after(after, page):
                yield session.corridor_bodies(keys)
                after = keys[-1]

        session.drop_projection_indexes()
        for prepared in compute(pages()):
            session.insert_trains(prepared)
            report.trains += len(prepared)
            progress("trains", len(prepared))
        session.create_projection_indexes()
        after = ""
        while keys := session.shared_document_keys_after(after, page * 20):
            self._recompute_documents(session, keys, all_shared=True)
            report.documents += len(keys)
            progress("documents", len(keys))
            after = keys[-1]
        seq = 0
        if self.screening is not None:
            # Hits before the alert workflow: an alert.* event may name a WATCHLIST_HIT alert.
            while entries := session.entries_of_types_after(SCREENING_TYPES, seq, 1000):
                self.screening.apply_entries(session, (e for _, e in entries), strict=False)
                seq = entries[-1][0]
                report.screening_events += len(entries)
                progress("screening", len(entries))
            seq = 0
        while entries := session.workflow_entries_after(seq, 1000):
            for seq, entry in entries:  # noqa: B007 - seq carries the page position on
                if isinstance(entry.event, AlertAcknowledged | AlertResolved):
                    self._apply_workflow(session, entry.event, strict=False)
            report.workflow_events += len(entries)
            progress("workflow", len(entries))


# -- stage 1 in worker processes ----------------------------------------------------------------------

Frtds = Mapping[str, IssuedFrtd]
_worker_context: tuple[Corridor, datetime, Callable[[TrainResult], Any], Frtds] | None = None


def _init_worker(
    corridor: Corridor, now: datetime, encode: Callable[[TrainResult], Any], frtds: Frtds
) -> None:
    global _worker_context  # one per worker process, set once by the pool's initializer
    _worker_context = (corridor, now, encode, frtds)


def reconcile_bodies(
    bodies: Mapping[str, list[bytes]], corridor: Corridor, now: datetime, frtds: Frtds | None = None
) -> list[TrainResult]:
    """Stage 1 for a page of trains, from their stored event bodies."""
    results = []
    for stored in bodies.values():
        if stored:
            events = [load_corridor_event(body) for body in stored]
            results.append(reconcile_train(_train_of(events), events, corridor, now, frtds))
    return results


def _prepare_page(bodies: dict[str, list[bytes]]) -> list[Any]:
    if _worker_context is None:
        raise RuntimeError("worker not initialised")
    corridor, now, encode, frtds = _worker_context
    return [encode(result) for result in reconcile_bodies(bodies, corridor, now, frtds)]


@contextmanager
def _train_pool(
    workers: int, corridor: Corridor, now: datetime, encode: Callable[[TrainResult], Any], frtds: Frtds
) -> Iterator[Callable[[Iterable[dict[str, list[bytes]]]], Iterator[list[Any]]]]:
    """Stage 1 of a rebuild, page by page: in this process, or in `workers` forked processes."""
    if workers <= 1:
        yield lambda pages: ([encode(r) for r in reconcile_bodies(p, corridor, now, frtds)] for p in pages)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(corridor, now, encode, frtds)
    ) as pool:

        def run(pages: Iterable[dict[str, list[bytes]]]) -> Iterator[list[Any]]:
            # A bounded window of pages in flight: workers compute while this process writes, and
            # memory holds a few pages, not the ledger (Executor.map would read every page first).
            window: deque[Future[list[Any]]] = deque()
            for page in pages:
                window.append(pool.submit(_prepare_page, page))
                if len(window) > 2 * workers:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()

        yield run
