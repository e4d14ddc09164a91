"""The store's projections copied into an in-process DuckDB database, where the statistics run.

DuckDB attaches SQLite and PostgreSQL through its `sqlite` and `postgres` extensions, but those are
downloaded at run time from DuckDB's servers, which neither this project's machines nor CI can reach,
and no package on PyPI ships them for the DuckDB release we use. So the projections are read once with
SQLAlchemy (streamed, `yield_per` rows at a time, the same code on SQLite and PostgreSQL), handed to
DuckDB column-wise as NumPy arrays, and typed there: dates and times travel as text (UTC, no offset) and
DuckDB casts them, which is much faster than building Python date objects. Only the columns the
statistics use are copied; never names, documents or birth dates. The in-memory fake store (tests) is
copied from its records through the same column list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import Integer, String, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from transitguard.adapters.store import tables
from transitguard.adapters.store.sql import SqlStore
from transitguard.services.ports import AlertFilter, HitFilter, JourneyFilter, Store

BATCH = 200_000


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # DuckDB type: VARCHAR, DATE, TIMESTAMP, INTEGER, DOUBLE, BOOLEAN


@dataclass(frozen=True)
class CopiedTable:
    name: str
    columns: tuple[Column, ...]


def _cols(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


COPIED = (
    CopiedTable(
        "trains",
        _cols(
            "train_key:VARCHAR number:VARCHAR service_date:DATE direction:VARCHAR status:VARCHAR "
            "entered_at:TIMESTAMP exited_at:TIMESTAMP manifest_count:INTEGER admitted_count:INTEGER "
            "completed_count:INTEGER missing_count:INTEGER cap:INTEGER"
        ),
    ),
    CopiedTable(
        "journeys",
        _cols(
            "train_key:VARCHAR number:VARCHAR service_date:DATE direction:VARCHAR on_manifest:BOOLEAN "
            "status:VARCHAR nationality:VARCHAR transit_kind:VARCHAR entered_at:TIMESTAMP "
            "exited_at:TIMESTAMP"
        ),
    ),
    CopiedTable(
        "alerts",
        _cols(
            "alert_id:VARCHAR type:VARCHAR severity:VARCHAR train_key:VARCHAR number:VARCHAR "
            "service_date:DATE direction:VARCHAR raised_at:TIMESTAMP"
        ),
    ),
    CopiedTable(
        "alert_workflow",
        _cols("alert_id:VARCHAR status:VARCHAR outcome:VARCHAR updated_at:TIMESTAMP"),
    ),
    CopiedTable(
        "watchlist_hits",
        _cols("hit_id:VARCHAR watchlist:VARCHAR train_key:VARCHAR status:VARCHAR raised_at:TIMESTAMP"),
    ),
    CopiedTable(
        "freight_decisions",
        _cols(
            "consignment_id:VARCHAR date:DATE mode:VARCHAR direction:VARCHAR "
            "consignment_decision:VARCHAR cn_code:VARCHAR decision:VARCHAR net_mass_kg:DOUBLE "
            "value_eur:DOUBLE"
        ),
    ),
)


def create_schema(duck: duckdb.DuckDBPyConnection) -> None:
    for table in COPIED:
        columns = ", ".join(f"{c.name} {c.kind}" for c in table.columns)
        duck.execute(f"CREATE TABLE {table.name} ({columns})")


def insert_batch(
    duck: duckdb.DuckDBPyConnection, table: CopiedTable, columns: Sequence[Sequence[Any]]
) -> None:
    """Append one batch given column-wise, every value text or a number (or None)."""
    if not columns or not len(columns[0]):
        return
    frame = {f"c{i}": np.array(values, dtype=object) for i, values in enumerate(columns)}
    duck.register("batch_in", frame)
    try:
        casts = ", ".join(f"CAST(c{i} AS {c.kind})" for i, c in enumerate(table.columns))
        duck.execute(f"INSERT INTO {table.name} SELECT {casts} FROM batch_in")
    finally:
        duck.unregister("batch_in")


def load(store: Store) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding a copy of the store's projections (see the module docstring)."""
    duck = duckdb.connect()
    create_schema(duck)
    for table in COPIED:
        rows = _sql_batches(store, table) if isinstance(store, SqlStore) else _record_batches(store, table)
        for batch in rows:
            insert_batch(duck, table, batch)
    return duck


def _text(column: Any, kind: str, dialect: str) -> ColumnElement[Any]:
    if kind == "TIMESTAMP":
        if dialect == "postgresql":
            return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS.US")
        return cast(column, String)  # SQLite keeps UTC text already
    if kind == "DATE":
        return cast(column, String)
    if kind == "BOOLEAN":
        return cast(column, Integer)
    return column  # type: ignore[no-any-return]


def _sql_batches(store: SqlStore, table: CopiedTable) -> Iterator[list[list[Any]]]:
    source = tables.metadata.tables[table.name]
    dialect = store.engine.dialect.name
    query = select(*(_text(source.c[c.name], c.kind, dialect) for c in table.columns))
    with store.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for part in result.partitions():
            yield [list(column) for column in zip(*part, strict=True)]


def _record_batches(store: Store, table: CopiedTable) -> Iterator[list[list[Any]]]:
    rows = [_plain(row) for row in _records(store, table.name)]
    if rows:
        yield [list(column) for column in zip(*rows, strict=True)]


def _plain(row: Iterable[Any]) -> tuple[Any, ...]:
    def one(value: Any) -> Any:
        if isinstance(value, datetime):
            utc = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
            return utc.isoformat(" ")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    return tuple(one(value) for value in row)


def _records(store: Store, name: str) -> Iterator[tuple[Any, ...]]:
    if name == "trains":
        for s in store.trains():
            t = s.train
            yield (t.key, t.number, t.service_date, t.direction, s.status, s.entered_at, s.exited_at,
                   s.manifest_count, s.admitted_count, s.completed_count, s.missing_count, s.cap)  # fmt: skip
    elif name == "journeys":
        for j in store.journeys(JourneyFilter()):
            t = j.train
            yield (t.key, t.number, t.service_date, t.direction, j.on_manifest, j.status, j.nationality,
                   j.transit_kind, j.entered_at, j.exited_at)  # fmt: skip
    elif name in ("alerts", "alert_workflow"):
        for a in store.alerts(AlertFilter()):
            t = a.train
            if name == "alerts":
                yield (
                    a.alert_id,
                    a.type,
                    a.severity,
                    t.key,
                    t.number,
                    t.service_date,
                    t.direction,
                    a.raised_at,
                )
            elif a.updated_at is not None:
                yield (a.alert_id, a.status, a.outcome, a.updated_at)
    elif name == "watchlist_hits":
        for h in store.hits(HitFilter()):
            yield (h.hit_id, h.watchlist, h.train_key, h.status, h.raised_at)
    elif name == "freight_decisions":
        for f in store.freight_decisions():
            yield (f.consignment_id, f.date, f.mode, f.direction, f.consignment_decision, f.cn_code,
                   f.decision, f.net_mass_kg, f.value_eur)  # fmt: skip
