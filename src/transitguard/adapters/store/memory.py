"""An in-memory store for unit tests of the services. tests/contract/ runs the same tests against it
and the SQL store, so it cannot drift from the real thing."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from transitguard.adapters.store.rows import to_utc
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import (
    OPEN_JOURNEY_STATUSES,
    Alert,
    FreightLineRecord,
    IssuedFrtd,
    Journey,
    TrainState,
)
from transitguard.domain.watchlists import Hit, WatchlistVersion
from transitguard.engines.chain import GENESIS, ChainReport, ChainRow, link_hash, verify_chain
from transitguard.engines.corridor import TrainResult, in_use_together, overused_transit_documents
from transitguard.errors import ConflictError
from transitguard.services.ports import AlertFilter, AppendResult, HitFilter, JourneyFilter, Workflow

_WORKFLOW_TYPES = ("alert.acknowledged", "alert.resolved")


@dataclass
class _State:
    ledger: list[ChainRow] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)  # event_id → position
    head: tuple[int, str] | None = None
    trains: dict[str, TrainState] = field(default_factory=dict)
    journeys: dict[str, Journey] = field(default_factory=dict)
    alerts: dict[str, tuple[str, Alert]] = field(default_factory=dict)  # alert_id → (scope, alert)
    workflow: dict[str, Workflow] = field(default_factory=dict)
    epoch: int = 0
    watchlist_entities: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    watchlists: dict[str, WatchlistVersion] = field(default_factory=dict)
    hits: dict[str, Hit] = field(default_factory=dict)
    frtds: dict[str, IssuedFrtd] = field(default_factory=dict)
    freight: dict[tuple[str, int], FreightLineRecord] = field(default_factory=dict)


def _with_workflow(alert: Alert, workflow: Workflow | None) -> Alert:
    if workflow is None:
        return alert
    return alert.with_status(
        workflow.status,  # type: ignore[arg-type]
        workflow.outcome,
        workflow.updated_by,
        to_utc(workflow.updated_at),
    )


def _as_is(result: TrainResult) -> TrainResult:
    return result


class MemoryWriteSession:
    def __init__(self, state: _State) -> None:
        self.state = state

    def append(self, entries: Sequence[LedgerEntry], recorded_at: datetime) -> AppendResult:
        state = self.state
        seq, prev = state.head if state.head else (0, GENESIS)
        stored: list[LedgerEntry] = []
        duplicates = 0
        for entry in entries:
            known = state.index.get(entry.event_id)
            if known is not None:
                if state.ledger[known].body_hash != entry.body_hash:
                    raise ConflictError(
                        f"event_id {entry.event_id!r} is already in the ledger with a different body"
                    )
                duplicates += 1
                continue
            seq += 1
            digest = link_hash(seq, entry.event_id, entry.body_hash, prev)
            state.index[entry.event_id] = len(state.ledger)
            state.ledger.append(ChainRow(seq, entry.event_id, entry.body, entry.body_hash, prev, digest))
            state.entries.append(entry)
            stored.append(entry)
            prev = digest
        if stored:
            state.head = (seq, prev)
        return AppendResult(stored=tuple(stored), duplicates=duplicates, head_seq=seq)

    def corridor_bodies(self, train_keys: Iterable[str]) -> dict[str, list[bytes]]:
        grouped: dict[str, list[bytes]] = {k: [] for k in sorted(set(train_keys))}
        for entry in self.state.entries:
            if entry.train_key in grouped:
                grouped[entry.train_key].append(entry.body)
        return grouped

    def event_counts(self, train_keys: Iterable[str]) -> dict[str, int]:
        counts = dict.fromkeys(train_keys, 0)
        for entry in self.state.entries:
            if entry.train_key in counts:
                counts[entry.train_key] += 1
        return counts

    def document_keys_of_trains(self, train_keys: Iterable[str]) -> set[str]:
        keys = set(train_keys)
        return {
            j.document_key for j in self.state.journeys.values() if j.train.key in keys and j.document_key
        }

    def conflicting_documents(
        self, document_keys: Iterable[str], transit_limits: Mapping[str, int]
    ) -> list[str]:
        wanted = set(document_keys)
        by_document: dict[str, list[Journey]] = {}
        for journey in self.state.journeys.values():
            if journey.document_key in wanted:
                by_document.setdefault(journey.document_key, []).append(journey)
        return sorted(
            key
            for key, journeys in by_document.items()
            if any(in_use_together(a, b) for i, a in enumerate(journeys) for b in journeys[:i])
            or overused_transit_documents(journeys, transit_limits)
        )

    def projection_epoch(self) -> int:
        return self.state.epoch

    def bump_projection_epoch(self) -> int:
        self.state.epoch += 1
        return self.state.epoch

    def journeys_of_documents(self, document_keys: Iterable[str]) -> list[Journey]:
        keys = set(document_keys)
        return [j for j in self.state.journeys.values() if j.document_key in keys]

    def replace_train(self, result: TrainResult, previous: TrainResult | None = None) -> None:
        # The fake always replaces whole; `previous` only lets the SQL store write less.
        state, key = self.state, result.state.train.key
        scope = f"train:{key}"
        state.journeys = {i: j for i, j in state.journeys.items() if j.train.key != key}
        state.alerts = {i: (s, a) for i, (s, a) in state.alerts.items() if s != scope}
        state.trains[key] = result.state
        state.journeys.update((j.journey_id, j) for j in result.journeys)
        state.alerts.update((a.alert_id, (scope, a)) for a in result.alerts)

    def replace_document_alerts(self, document_keys: Sequence[str], alerts: Sequence[Alert]) -> None:
        scopes = {f"doc:{k}" for k in document_keys}
        state = self.state
        state.alerts = {i: (s, a) for i, (s, a) in state.alerts.items() if s not in scopes}
        state.alerts.update((a.alert_id, (f"doc:{a.document_key}", a)) for a in alerts)

    def alert(self, alert_id: str) -> Alert | None:
        found = self.state.alerts.get(alert_id)
        return _with_workflow(found[1], self.state.workflow.get(alert_id)) if found else None

    def save_workflow(self, workflow: Workflow) -> None:
        self.state.workflow[workflow.alert_id] = workflow

    def train_encoder(self) -> Callable[[TrainResult], Any]:
        return _as_is

    def replace_prepared_trains(self, keys: Sequence[str], trains: Sequence[Any]) -> None:
        for result in trains:
            self.replace_train(result)

    def insert_trains(self, trains: Sequence[Any]) -> None:
        for result in trains:
            self.replace_train(result)

    def drop_projection_indexes(self) -> None:
        return None  # dictionaries have no indexes to maintain

    def create_projection_indexes(self) -> None:
        return None

    def clear_projections(self) -> None:
        self.state.trains, self.state.journeys, self.state.alerts, self.state.workflow = {}, {}, {}, {}
        self.state.watchlists, self.state.hits, self.state.frtds = {}, {}, {}
        self.state.freight = {}

    def train_keys_after(self, after: str, limit: int) -> list[str]:
        keys = sorted({e.train_key for e in self.state.entries if e.train_key and e.train_key > after})
        return keys[:limit]

    def shared_document_keys_after(self, after: str, limit: int) -> list[str]:
        counts: dict[str, int] = {}
        for journey in self.state.journeys.values():
            if journey.document_key and journey.document_key > after:
                counts[journey.document_key] = counts.get(journey.document_key, 0) + 1
        return sorted(k for k, n in counts.items() if n > 1)[:limit]

    def workflow_entries_after(self, after_seq: int, limit: int) -> list[tuple[int, LedgerEntry]]:
        found = [
            (row.seq, entry)
            for row, entry in zip(self.state.ledger, self.state.entries, strict=True)
            if row.seq > after_seq and entry.type in _WORKFLOW_TYPES
        ]
        return found[:limit]

    # -- watchlists and screening hits ------------------------------------------------------------

    def save_watchlist(self, version: WatchlistVersion, bodies: Sequence[tuple[str, bytes]] | None) -> None:
        if bodies:
            stored = self.state.watchlist_entities.setdefault((version.watchlist, version.version), {})
            for entity_id, body in bodies:
                stored.setdefault(entity_id, body)
        self.state.watchlists[version.watchlist] = version

    def watchlist_versions(self) -> list[WatchlistVersion]:
        return [self.state.watchlists[k] for k in sorted(self.state.watchlists)]

    def watchlist_bodies(self, watchlist: str, version: str) -> list[bytes]:
        stored = self.state.watchlist_entities.get((watchlist, version), {})
        return [stored[k] for k in sorted(stored)]

    def hit_ids(self, hit_ids: Iterable[str]) -> set[str]:
        return {h for h in hit_ids if h in self.state.hits}

    def save_hit(self, hit: Hit, alert: Alert | None) -> None:
        if hit.hit_id in self.state.hits:
            raise ConflictError(f"hit {hit.hit_id} is already stored")  # as the SQL primary key would
        self.state.hits[hit.hit_id] = hit
        if alert is not None:
            self.state.alerts[alert.alert_id] = (f"hit:{hit.hit_id}", alert)

    def hit(self, hit_id: str) -> Hit | None:
        return self.state.hits.get(hit_id)

    def review_hit(self, hit_id: str, status: str, by: str, reason: str, at: datetime) -> None:
        found = self.state.hits.get(hit_id)
        if found is not None:
            self.state.hits[hit_id] = replace(
                found,
                status=status,  # type: ignore[arg-type]
                reviewed_by=by,
                review_reason=reason,
                reviewed_at=to_utc(at),
            )

    def false_positives(self) -> set[tuple[str, str, str]]:
        return {
            (h.subject, h.entity_id, h.entity_fingerprint)
            for h in self.state.hits.values()
            if h.status == "false_positive"
        }

    def journeys_of_trains(self, train_keys: Iterable[str]) -> list[Journey]:
        wanted = set(train_keys)
        return [j for j in self.state.journeys.values() if j.train.key in wanted]

    def open_journeys(self) -> list[Journey]:
        return [j for j in self.state.journeys.values() if j.status in OPEN_JOURNEY_STATUSES]

    def entries_of_types_after(
        self, types: Sequence[str], after_seq: int, limit: int
    ) -> list[tuple[int, LedgerEntry]]:
        found = [
            (row.seq, entry)
            for row, entry in zip(self.state.ledger, self.state.entries, strict=True)
            if row.seq > after_seq and entry.type in types
        ]
        return found[:limit]

    # -- granted FRTDs ------------------------------------------------------------------------------

    def save_frtd(self, record: IssuedFrtd) -> None:
        self.state.frtds[record.number] = record

    def frtds(self, numbers: Iterable[str] | None = None) -> dict[str, IssuedFrtd]:
        if numbers is None:
            return dict(self.state.frtds)
        return {n: self.state.frtds[n] for n in set(numbers) if n in self.state.frtds}

    def trains_with_frtds(self, numbers: Iterable[str]) -> set[str]:
        wanted = set(numbers)
        return {
            j.train.key
            for j in self.state.journeys.values()
            if j.transit_kind == "FRTD" and j.transit_number in wanted
        }

    # -- freight decisions --------------------------------------------------------------------------

    def save_freight(self, lines: Sequence[FreightLineRecord]) -> None:
        for line in lines:
            key = (line.event_id, line.line_no)
            if key in self.state.freight:
                raise ConflictError(f"{line.event_id} line {line.line_no} is already stored")
            self.state.freight[key] = line


class MemoryStore:
    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.Lock()

    def close(self) -> None:
        return None

    def train_encoder(self) -> Callable[[TrainResult], Any]:
        return _as_is

    def frtd_lookup(self) -> Callable[[Iterable[str]], dict[str, IssuedFrtd]]:
        registry = dict(self._state.frtds)  # as committed now: a forked process sees no later change
        return lambda numbers: {n: registry[n] for n in set(numbers) if n in registry}

    @contextmanager
    def writing(self) -> Iterator[MemoryWriteSession]:
        with self._lock:
            working = copy.deepcopy(self._state)  # all or nothing: publish only on clean exit
            yield MemoryWriteSession(working)
            self._state = working

    def trains(self, service_date: date | None = None) -> list[TrainState]:
        states = [
            s
            for s in self._state.trains.values()
            if service_date is None or s.train.service_date == service_date
        ]
        return sorted(states, key=lambda s: (s.train.service_date, s.train.number, s.train.direction))

    def journeys(self, where: JourneyFilter) -> list[Journey]:
        found = [
            j
            for j in self._state.journeys.values()
            if (where.status is None or j.status == where.status)
            and (where.train_key is None or j.train.key == where.train_key)
            and (where.service_date is None or j.train.service_date == where.service_date)
        ]
        found.sort(key=lambda j: (j.train.key, j.passenger_ref or "", j.journey_id))
        return found[: where.limit] if where.limit else found

    def alerts(self, where: AlertFilter) -> list[Alert]:
        state = self._state
        found = [_with_workflow(a, state.workflow.get(a.alert_id)) for _, a in state.alerts.values()]
        found = [
            a
            for a in found
            if (where.status is None or a.status == where.status)
            and (where.type is None or a.type == where.type)
            and (where.train_key is None or a.train.key == where.train_key)
            and (where.document_key is None or a.document_key == where.document_key)
        ]
        found.sort(key=lambda a: (to_utc(a.raised_at), a.alert_id))
        return found[: where.limit] if where.limit else found

    def hits(self, where: HitFilter) -> list[Hit]:
        found = [
            h
            for h in self._state.hits.values()
            if (where.status is None or h.status == where.status)
            and (where.train_key is None or h.train_key == where.train_key)
        ]
        found.sort(key=lambda h: (to_utc(h.raised_at), h.hit_id))
        return found[: where.limit] if where.limit else found

    def watchlists(self) -> list[WatchlistVersion]:
        return [self._state.watchlists[k] for k in sorted(self._state.watchlists)]

    def freight_decisions(self) -> list[FreightLineRecord]:
        return sorted(self._state.freight.values(), key=lambda r: (r.date, r.event_id, r.line_no))

    def ledger_count(self) -> int:
        return len(self._state.ledger)

    def ledger_entries(self) -> Iterator[tuple[int, LedgerEntry]]:
        for row, entry in zip(self._state.ledger, self._state.entries, strict=True):
            yield row.seq, entry

    def verify_ledger(self) -> ChainReport:
        return verify_chain(iter(self._state.ledger), self._state.head)

    # Test hook: the SQL tests tamper with rows through SQL; this is the fake's equivalent.
    def tamper(self, position: int, row: ChainRow | None) -> None:
        if row is None:
            del self._state.ledger[position]
        else:
            self._state.ledger[position] = row
