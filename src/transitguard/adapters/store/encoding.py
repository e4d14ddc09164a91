"""Rows in the form the database driver takes them, made without SQLAlchemy's per-row processing.

Bulk writes (every ingest batch, every rebuild) spend more time converting values than inserting
them. These functions do the conversion once, in plain Python, and are picklable so a rebuild can run
them in its worker processes. The integration tests read back what was written and compare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from typing import Any

import orjson
from sqlalchemy import Boolean, Column, Date, DateTime, Table

from transitguard.adapters.store import tables as t
from transitguard.adapters.store.rows import alert_values, journey_values, train_state_values
from transitguard.domain.records import Journey
from transitguard.engines.corridor import TrainResult

Row = tuple[Any, ...]


def sqlite_time(value: datetime) -> str:
    # Text SQLAlchemy's SQLite DateTime reader parses back ("YYYY-MM-DD HH:MM:SS.ffffff+00:00"; every
    # stored time is UTC). Not cached: the times of events carry pydantic's own tzinfo, whose offset
    # every hash lookup and comparison asks for again, so a cache hit cost as much as formatting.
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")


@lru_cache(maxsize=4_096)
def _sqlite_date(value: date) -> str:
    # Dates repeat row after row (service dates, validity dates): format each once. Birth dates do
    # not repeat; a cache large enough to keep them would only give the collector more to walk.
    return value.isoformat()


def _sqlite_converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    """How pysqlite must be given this column's values, or None when it takes them as they are."""
    if isinstance(column.type, DateTime):
        return sqlite_time
    if isinstance(column.type, Date):
        return _sqlite_date
    if isinstance(column.type, Boolean):
        return int
    return None


def _sqlite_row_encoder(table: Table) -> Callable[[Row], Row]:
    """One function per table that converts a whole row in a single expression.

    Generated, because a loop over the columns that need converting cost more than the insert itself
    on wide rows (a journey has ten dates, times and flags): the expression does the same tests
    without the loop. A str is already in the driver's form (a value every row shares, encoded once).
    """
    converters: dict[str, Callable[[Any], Any]] = {}
    cells = []
    for index, column in enumerate(table.columns):
        convert = _sqlite_converter(column)
        cell = f"row[{index}]"
        if convert is None:
            cells.append(cell)
            continue
        name = f"convert_{index}"
        converters[name] = convert
        cells.append(f"({cell} if {cell} is None or isinstance({cell}, str) else {name}({cell}))")
    encoder: Callable[[Row], Row] = eval(f"lambda row: ({', '.join(cells)},)", converters)
    return encoder


_SQLITE_ENCODERS = {table.name: _sqlite_row_encoder(table) for table in t.metadata.sorted_tables}


def encode_rows(table: Table, rows: Sequence[Row], dialect: str) -> list[Row]:
    """Rows in the table's column order, converted for `dialect`'s driver."""
    if dialect != "sqlite":
        return list(rows)  # psycopg takes dates, aware datetimes and booleans as they are
    return list(map(_SQLITE_ENCODERS[table.name], rows))


def encode_value(value: Any, dialect: str) -> Any:
    """One time value in the driver's form, for a value every row of a batch shares."""
    if dialect == "sqlite" and isinstance(value, datetime):
        return sqlite_time(value)
    return value


def insert_statement(table: Table, dialect: str) -> str:
    names = [c.name for c in table.columns]
    mark = "?" if dialect == "sqlite" else "%s"
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"


@dataclass(frozen=True)
class EncodedTrain:
    """One train's projection rows, ready for the driver."""

    train: list[Row]
    journeys: list[Row]
    alerts: list[Row]


def _sqlite_journey_row(journey: Journey) -> Row:
    """`journey_values` in pysqlite's form, in one step: the row every journey of every planned or
    rebuilt train becomes, where the generic path (a tuple, then a second one converted cell by cell)
    cost a third of planning a train. Tests compare the two on every journey of a simulation."""
    train = journey.train
    birth = journey.birth_date
    expires = journey.travel_document_expires
    valid_from = journey.transit_valid_from
    valid_until = journey.transit_valid_until
    entered = journey.entered_at
    exited = journey.exited_at
    deadline = journey.deadline
    train_exited = journey.train_exited_at
    return (
        journey.journey_id,
        train.key,
        train.number,
        _sqlite_date(train.service_date),
        train.direction,
        journey.passenger_ref,
        int(journey.on_manifest),
        journey.status,
        journey.surname,
        journey.given_names,
        None if birth is None else birth.isoformat(),
        journey.sex,
        journey.nationality,
        journey.document_key,
        None if expires is None else _sqlite_date(expires),
        journey.transit_kind,
        journey.transit_number,
        None if valid_from is None else _sqlite_date(valid_from),
        None if valid_until is None else _sqlite_date(valid_until),
        None if entered is None else sqlite_time(entered),
        journey.entry_checkpoint,
        None if exited is None else sqlite_time(exited),
        journey.exit_checkpoint,
        None if deadline is None else sqlite_time(deadline),
        None if train_exited is None else sqlite_time(train_exited),
        orjson.dumps(list(journey.evidence)).decode(),
    )


def journey_rows(journeys: Iterable[Journey], dialect: str) -> list[Row]:
    """Journeys as rows of tables.journeys in `dialect`'s driver form."""
    if dialect == "sqlite":
        return list(map(_sqlite_journey_row, journeys))
    return [journey_values(j) for j in journeys]


def encode_train(result: TrainResult, dialect: str) -> EncodedTrain:
    scope = f"train:{result.state.train.key}"
    return EncodedTrain(
        train=encode_rows(t.trains, [train_state_values(result.state)], dialect),
        journeys=journey_rows(result.journeys, dialect),
        alerts=encode_rows(t.alerts, [alert_values(a, scope) for a in result.alerts], dialect),
    )


def train_encoder(dialect: str) -> Callable[[TrainResult], EncodedTrain]:
    return partial(encode_train, dialect=dialect)
