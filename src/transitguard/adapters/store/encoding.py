"""Rows in the form the database driver takes them, made without SQLAlchemy's per-row processing.

Bulk writes (every ingest batch, every rebuild) spend more time converting values than inserting
them. These functions do the conversion once, in plain Python, and are picklable so a rebuild can run
them in its worker processes. The integration tests read back what was written and compare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table

from transitguard.adapters.store import tables as t
from transitguard.adapters.store.rows import alert_values, journey_values, train_state_values
from transitguard.engines.corridor import TrainResult

Row = tuple[Any, ...]


def _sqlite_time(value: datetime) -> str:
    # Text SQLAlchemy's SQLite DateTime reader parses back ("YYYY-MM-DD HH:MM:SS.ffffff", the UTC
    # offset after it ignored: every stored time is UTC).
    return (value.astimezone(UTC) if value.tzinfo else value).isoformat(" ", "microseconds")


@lru_cache(maxsize=65_536)
def _sqlite_date(value: date) -> str:
    # Dates repeat row after row (service dates, expiry and validity dates): format each once.
    return value.isoformat()


def _sqlite_converters(table: Table) -> list[tuple[int, Callable[[Any], Any]]]:
    """(column index, converter) for the columns pysqlite cannot take as Python values."""
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(table.columns):
        if isinstance(column.type, DateTime):
            converters.append((index, _sqlite_time))
        elif isinstance(column.type, Date):
            converters.append((index, _sqlite_date))
        elif isinstance(column.type, Boolean):
            converters.append((index, int))
    return converters


_SQLITE_CONVERTERS = {table.name: _sqlite_converters(table) for table in t.metadata.sorted_tables}


def encode_rows(table: Table, rows: Sequence[Row], dialect: str) -> list[Row]:
    """Rows in the table's column order, converted for `dialect`'s driver."""
    if dialect != "sqlite":
        return list(rows)  # psycopg takes dates, aware datetimes and booleans as they are
    converters = _SQLITE_CONVERTERS[table.name]
    encoded: list[Row] = []
    for row in rows:
        values = list(row)
        for index, convert in converters:
            value = values[index]
            # A str is already in the driver's form (a value shared by every row, encoded once).
            if value is not None and not isinstance(value, str):
                values[index] = convert(value)
        encoded.append(tuple(values))
    return encoded


def encode_value(value: Any, dialect: str) -> Any:
    """One time value in the driver's form, for a value every row of a batch shares."""
    if dialect == "sqlite" and isinstance(value, datetime):
        return _sqlite_time(value)
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


def encode_train(result: TrainResult, dialect: str) -> EncodedTrain:
    scope = f"train:{result.state.train.key}"
    return EncodedTrain(
        train=encode_rows(t.trains, [train_state_values(result.state)], dialect),
        journeys=encode_rows(t.journeys, [journey_values(j) for j in result.journeys], dialect),
        alerts=encode_rows(t.alerts, [alert_values(a, scope) for a in result.alerts], dialect),
    )


def train_encoder(dialect: str) -> Callable[[TrainResult], EncodedTrain]:
    return partial(encode_train, dialect=dialect)
