"""What the services need from storage. The SQL store and the in-memory fake both implement it,
and tests/contract/ runs the same tests against each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import Alert, Journey, TrainState
from transitguard.engines.chain import ChainReport
from transitguard.engines.corridor import TrainResult


@dataclass(frozen=True)
class AppendResult:
    stored: tuple[LedgerEntry, ...]
    duplicates: int
    head_seq: int


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    type: str | None = None
    train_key: str | None = None
    limit: int | None = None


@dataclass(frozen=True)
class JourneyFilter:
    status: str | None = None
    train_key: str | None = None
    service_date: date | None = None
    limit: int | None = None


@dataclass(frozen=True)
class Workflow:
    alert_id: str
    status: str
    outcome: str | None
    updated_by: str
    updated_at: datetime


class WriteSession(Protocol):
    """One serialized write transaction: commits on clean exit, rolls back on any exception."""

    def append(self, entries: Sequence[LedgerEntry], recorded_at: datetime) -> AppendResult: ...
    def corridor_bodies(self, train_keys: Iterable[str]) -> dict[str, list[bytes]]:
        """Each train's events as stored (canonical JSON), in ledger order."""
        ...

    def event_counts(self, train_keys: Iterable[str]) -> dict[str, int]: ...
    def document_keys_of_trains(self, train_keys: Iterable[str]) -> set[str]: ...
    def shared_documents(self, document_keys: Iterable[str]) -> list[str]:
        """Those of the given travel documents that are on more than one journey."""
        ...

    def journeys_of_documents(self, document_keys: Iterable[str]) -> list[Journey]: ...
    def replace_train(self, result: TrainResult, previous: TrainResult | None = None) -> None:
        """Store a train's projections. With `previous` (what is stored now), write only the change."""
        ...

    def projection_epoch(self) -> int: ...
    def bump_projection_epoch(self) -> int: ...
    def replace_document_alerts(self, document_keys: Sequence[str], alerts: Sequence[Alert]) -> None: ...
    def alert(self, alert_id: str) -> Alert | None: ...
    def save_workflow(self, workflow: Workflow) -> None: ...
    def clear_projections(self) -> None: ...
    # Bulk loading, for rebuild: a picklable function that prepares a train's rows (it runs in worker
    # processes), the insert of prepared trains into cleared tables, and index handling around it.
    def train_encoder(self) -> Callable[[TrainResult], Any]: ...
    def insert_trains(self, trains: Sequence[Any]) -> None: ...
    def drop_projection_indexes(self) -> None: ...
    def create_projection_indexes(self) -> None: ...
    # Keyset pages, so a rebuild of millions of events holds one page in memory at a time.
    def train_keys_after(self, after: str, limit: int) -> list[str]: ...
    def shared_document_keys_after(self, after: str, limit: int) -> list[str]:
        """Travel documents on two or more journeys, in key order, after `after`."""
        ...

    def workflow_entries_after(self, after_seq: int, limit: int) -> list[tuple[int, LedgerEntry]]: ...


class Store(Protocol):
    def writing(self) -> AbstractContextManager[WriteSession]: ...
    def trains(self, service_date: date | None = None) -> list[TrainState]: ...
    def journeys(self, where: JourneyFilter) -> list[Journey]: ...
    def alerts(self, where: AlertFilter) -> list[Alert]: ...
    def verify_ledger(self) -> ChainReport: ...
    def ledger_count(self) -> int: ...
    def ledger_entries(self) -> Iterator[tuple[int, LedgerEntry]]: ...
    def close(self) -> None: ...
