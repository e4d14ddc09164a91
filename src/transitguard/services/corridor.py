"""Corridor use cases: ingest events through the ledger, keep journeys and alerts current, rebuild
them from the ledger, and move alerts through their workflow.

Every batch is one transaction: append to the ledger, recompute the trains it touched (stage 1) and
the travel documents those trains carry (stage 2), apply workflow events. A batch that fails leaves
nothing behind. Incremental processing and `rebuild` run the same engine on the same events, so they
give the same projections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from transitguard.domain.events import AlertAcknowledged, AlertResolved, CorridorEvent, TrainRef
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import Alert, Journey
from transitguard.engines.corridor import reconcile_document, reconcile_train
from transitguard.errors import ConflictError, NotFoundError
from transitguard.rulepacks import RulePack
from transitguard.services.ports import AppendResult, Store, Workflow, WriteSession

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


@dataclass
class RebuildReport:
    trains: int = 0
    documents: int = 0
    workflow_events: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _train_of(events: Sequence[CorridorEvent]) -> TrainRef:
    return events[0].train


class CorridorService:
    def __init__(self, store: Store, pack: RulePack, clock: Clock) -> None:
        self.store = store
        self.pack = pack
        self.corridor = pack.corridor
        self.clock = clock

    # -- ingest -----------------------------------------------------------------------------------

    def apply_batch(self, entries: Sequence[LedgerEntry]) -> BatchReport:
        """Append one batch and bring every projection it affects up to date, atomically."""
        now = self.clock()
        with self.store.writing() as session:
            appended: AppendResult = session.append(entries, recorded_at=now)
            train_keys = {e.train_key for e in appended.stored if e.train_key is not None}
            self._recompute_trains(session, train_keys, now)
            for entry in appended.stored:
                if isinstance(entry.event, AlertAcknowledged | AlertResolved):
                    self._apply_workflow(session, entry.event, strict=True)
        return BatchReport(
            stored=len(appended.stored), duplicates=appended.duplicates, trains=len(train_keys),
            head_seq=appended.head_seq,
        )

    def _recompute_trains(self, session: WriteSession, train_keys: Iterable[str], now: datetime) -> int:
        keys = sorted(train_keys)
        if not keys:
            return 0
        before = session.journeys_of_trains(keys)
        documents = {j.document_key for j in before if j.document_key}
        for events in session.corridor_events(keys).values():
            if not events:
                continue
            result = reconcile_train(_train_of(events), events, self.corridor, now)
            session.replace_train(result)
            documents.update(j.document_key for j in result.journeys if j.document_key)
        self._recompute_documents(session, sorted(documents))
        return len(keys)

    def _recompute_documents(self, session: WriteSession, document_keys: Sequence[str]) -> None:
        if not document_keys:
            return
        by_document: dict[str, list[Journey]] = defaultdict(list)
        for journey in session.journeys_of_documents(document_keys):
            if journey.document_key:
                by_document[journey.document_key].append(journey)
        alerts: list[Alert] = []
        for key, journeys in by_document.items():
            if len(journeys) > 1:  # a single journey cannot collide with anything
                alerts.extend(reconcile_document(key, journeys, self.corridor))
        session.replace_document_alerts(document_keys, alerts)

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
            return self._recompute_trains(session, keys, now)

    # -- rebuild ----------------------------------------------------------------------------------

    def rebuild(self, on_progress: Callable[[str, int], None] | None = None, page: int = 200) -> RebuildReport:
        """Recompute every projection from the ledger alone, in one transaction."""
        now = self.clock()
        report = RebuildReport()
        progress = on_progress or (lambda _stage, _n: None)
        with self.store.writing() as session:
            session.clear_projections()
            after = ""
            while keys := session.train_keys_after(after, page):
                for events in session.corridor_events(keys).values():
                    session.replace_train(reconcile_train(_train_of(events), events, self.corridor, now))
                report.trains += len(keys)
                progress("trains", len(keys))
                after = keys[-1]
            after = ""
            while keys := session.document_keys_after(after, page * 10):
                self._recompute_documents(session, keys)
                report.documents += len(keys)
                progress("documents", len(keys))
                after = keys[-1]
            seq = 0
            while entries := session.workflow_entries_after(seq, 1000):
                for seq, entry in entries:  # noqa: B007 - seq carries the page position on
                    if isinstance(entry.event, AlertAcknowledged | AlertResolved):
                        self._apply_workflow(session, entry.event, strict=False)
                report.workflow_events += len(entries)
                progress("workflow", len(entries))
        return report


def batches(items: Iterable[LedgerEntry], size: int) -> Iterator[list[LedgerEntry]]:
    batch: list[LedgerEntry] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
