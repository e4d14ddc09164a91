"""The SQL store (SQLite or PostgreSQL): the ledger, its chain, and the corridor projections."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    String,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import OperationalError

from transitguard.adapters.store import tables as t
from transitguard.adapters.store.database import WRITE_OPTION, make_engine, migrate
from transitguard.adapters.store.encoding import (
    EncodedTrain,
    encode_rows,
    encode_value,
    insert_statement,
    journey_rows,
    sqlite_time,
    train_encoder,
)
from transitguard.adapters.store.rows import (
    alert_from,
    alert_values,
    frtd_from,
    frtd_values,
    hit_from,
    hit_values,
    journey_from,
    journey_from_values,
    to_utc,
    train_state_from,
    train_state_values,
    watchlist_from,
    watchlist_values,
)
from transitguard.domain.ledger import LedgerEntry, load_event
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
from transitguard.engines.corridor import TrainResult
from transitguard.errors import ConfigurationError, ConflictError
from transitguard.services.ports import AlertFilter, AppendResult, HitFilter, JourneyFilter, Workflow

# SQLite allows 32,766 bound parameters; PostgreSQL 65,535. Chunks keep every IN (...) well under.
CHUNK = 900
COPY_FROM = 50  # rows from which PostgreSQL gets them by COPY: below it, one round trip costs less
R = TypeVar("R")
PG_LEDGER_LOCK = 7_270_331  # an arbitrary, fixed advisory-lock key for "append to the ledger"


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _member(dialect: str, column: Any, values: Sequence[str]) -> Any:
    """`column IN values`. On PostgreSQL as `= ANY(array)`: one parameter instead of hundreds, which
    the planner and psycopg both handle far faster than a long IN list."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String())))
    return column.in_(values)


def _listed(dialect: str, values: Sequence[str]) -> tuple[str, tuple[Any, ...]]:
    """`IN` these values for a statement sent straight to the driver, with its parameters: one array
    on PostgreSQL (as in _member), a list of marks on SQLite."""
    if dialect == "postgresql":
        return "= ANY(%s)", (list(values),)
    return f"IN ({', '.join('?' * len(values))})", tuple(values)


def _alert_query() -> Any:
    return select(
        t.alerts,
        t.alert_workflow.c.status.label("wf_status"),
        t.alert_workflow.c.outcome.label("wf_outcome"),
        t.alert_workflow.c.updated_by.label("wf_by"),
        t.alert_workflow.c.updated_at.label("wf_at"),
    ).select_from(t.alerts.outerjoin(t.alert_workflow, t.alerts.c.alert_id == t.alert_workflow.c.alert_id))


class SqlWriteSession:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.sqlite = self.dialect == "sqlite"

    def _insert(self, table: Any, rows: Sequence[tuple[Any, ...]], *, encoded: bool = False) -> None:
        """executemany straight to the driver, rows as tuples in the table's column order: the hot
        path of every batch, without SQLAlchemy's per-row parameter processing (which costs more than
        the insert itself). Tests compare what is read back with what was written."""
        if not rows:
            return
        if self.dialect == "postgresql" and len(rows) >= COPY_FROM:
            self._copy(table, rows)
            return
        values = rows if encoded else encode_rows(table, rows, self.dialect)
        self.connection.exec_driver_sql(insert_statement(table, self.dialect), values)

    def _run(self, statement: str, parameters: tuple[Any, ...]) -> Any:
        """One statement straight to the driver (`?` marks a parameter on either database): the
        statements every train of every batch runs, without SQLAlchemy compiling each one again."""
        if not self.sqlite:
            statement = statement.replace("?", "%s")
        return self.connection.exec_driver_sql(statement, parameters)

    def _copy(self, table: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Many rows into PostgreSQL by COPY, in this session's transaction: several times faster than
        executemany, whose every row is a statement the server parses, plans and acknowledges. The
        table's constraints hold as for INSERT; a violation fails the COPY and so the transaction."""
        driver = self.connection.connection.driver_connection
        if driver is None:  # only once the connection is closed, which a session never sees
            raise RuntimeError("the session's connection is closed")
        names = ", ".join(column.name for column in table.columns)
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    # -- bulk loading (rebuild) -------------------------------------------------------------------

    def train_encoder(self) -> Callable[[TrainResult], EncodedTrain]:
        return train_encoder(self.dialect)

    def replace_prepared_trains(self, keys: Sequence[str], trains: Sequence[Any]) -> None:
        """Replace these trains' projections whole with rows prepared by `train_encoder` (an ingest's
        planning process made them): the stored rows are deleted by train, not diffed."""
        ordered = sorted(keys)
        for chunk in _chunks(ordered):
            scopes = [f"train:{k}" for k in chunk]
            self.connection.execute(
                delete(t.journeys).where(_member(self.dialect, t.journeys.c.train_key, chunk))
            )
            self.connection.execute(delete(t.alerts).where(_member(self.dialect, t.alerts.c.scope, scopes)))
            self.connection.execute(
                delete(t.trains).where(_member(self.dialect, t.trains.c.train_key, chunk))
            )
        self.insert_trains(trains)

    def insert_trains(self, trains: Sequence[Any]) -> None:
        self._insert(t.trains, [row for e in trains for row in e.train], encoded=True)
        self._insert(t.journeys, [row for e in trains for row in e.journeys], encoded=True)
        self._insert(t.alerts, [row for e in trains for row in e.alerts], encoded=True)

    def drop_projection_indexes(self) -> None:
        # Filling a table and then indexing it is several times faster than keeping its indexes up
        # to date row by row. DDL is transactional on SQLite and PostgreSQL: a failed rebuild
        # rolls the indexes back too.
        for table in (t.journeys, t.alerts):
            for index in table.indexes:
                index.drop(self.connection)

    def create_projection_indexes(self) -> None:
        for table in (t.journeys, t.alerts):
            for index in table.indexes:
                index.create(self.connection)

    # -- the ledger -------------------------------------------------------------------------------

    def _known_events(self, ids: Sequence[str]) -> dict[str, str]:
        """event_id → body_hash of those of `ids` already in the ledger."""
        if self.dialect == "postgresql":
            # A join from the unnested ids lets the planner pick a hash join or index probes; an IN
            # list of thousands of parameters made it scan the ledger once per chunk.
            query = text(
                "SELECT l.event_id, l.body_hash FROM unnest(CAST(:ids AS text[])) AS wanted(id) "
                "JOIN ledger AS l ON l.event_id = wanted.id"
            )
            return {row.event_id: row.body_hash for row in self.connection.execute(query, {"ids": list(ids)})}
        # Straight to the driver: ten thousand ids through SQLAlchemy's expanding IN cost more than
        # the index lookups themselves.
        known: dict[str, str] = {}
        for chunk in _chunks(ids):
            member, listed = _listed(self.dialect, chunk)
            lookup = f"SELECT event_id, body_hash FROM ledger WHERE event_id {member}"
            known.update(self.connection.exec_driver_sql(lookup, listed).fetchall())
        return known

    def append(self, entries: Sequence[LedgerEntry], recorded_at: datetime) -> AppendResult:
        conn = self.connection
        head = conn.execute(
            select(t.ledger_head.c.seq, t.ledger_head.c.hash).where(t.ledger_head.c.id == 1)
        ).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        existing = self._known_events([e.event_id for e in entries])
        rows: list[tuple[Any, ...]] = []
        stored: list[LedgerEntry] = []
        duplicates = 0
        recorded = encode_value(to_utc(recorded_at), self.dialect)  # once, not once per row
        # The rows are made in the driver's form here, in the one pass over the entries, instead of a
        # second pass through encode_rows.
        time_of = sqlite_time if self.sqlite else to_utc
        for entry in entries:
            event_id = entry.event_id
            known = existing.get(event_id)
            if known is not None:
                if known != entry.body_hash:
                    raise ConflictError(
                        f"event_id {event_id!r} is already in the ledger with a different body"
                    )
                duplicates += 1
                continue
            seq += 1
            digest = link_hash(seq, event_id, entry.body_hash, prev)
            rows.append(
                (
                    seq,
                    event_id,
                    entry.type,
                    time_of(entry.occurred_at),
                    recorded,
                    entry.train_key,
                    entry.body.decode(),
                    entry.body_hash,
                    prev,
                    digest,
                )
            )
            existing[event_id] = entry.body_hash
            stored.append(entry)
            prev = digest
        if rows:
            self._insert(t.ledger, rows, encoded=True)
            if head:
                conn.execute(t.ledger_head.update().where(t.ledger_head.c.id == 1).values(seq=seq, hash=prev))
            else:
                conn.execute(insert(t.ledger_head).values(id=1, seq=seq, hash=prev))
        return AppendResult(stored=tuple(stored), duplicates=duplicates, head_seq=seq)

    def corridor_bodies(self, train_keys: Iterable[str]) -> dict[str, list[bytes]]:
        keys = sorted(set(train_keys))
        grouped: dict[str, list[bytes]] = {k: [] for k in keys}
        for chunk in _chunks(keys):
            query = (
                select(t.ledger.c.train_key, t.ledger.c.body)
                .where(_member(self.dialect, t.ledger.c.train_key, chunk))
                .order_by(t.ledger.c.seq)
            )
            for train_key, body in self.connection.execute(query):
                grouped[train_key].append(body.encode())
        return grouped

    # -- projections ------------------------------------------------------------------------------

    def event_counts(self, train_keys: Iterable[str]) -> dict[str, int]:
        keys = sorted(set(train_keys))
        counts = dict.fromkeys(keys, 0)
        for chunk in _chunks(keys):
            query = (
                select(t.ledger.c.train_key, func.count())
                .where(_member(self.dialect, t.ledger.c.train_key, chunk))
                .group_by(t.ledger.c.train_key)
            )
            counts.update({key: int(n) for key, n in self.connection.execute(query)})
        return counts

    def document_keys_of_trains(self, train_keys: Iterable[str]) -> set[str]:
        keys = sorted(set(train_keys))
        found: set[str] = set()
        for chunk in _chunks(keys):
            query = select(t.journeys.c.document_key).where(
                and_(
                    _member(self.dialect, t.journeys.c.train_key, chunk),
                    t.journeys.c.document_key.is_not(None),
                )
            )
            found.update(r.document_key for r in self.connection.execute(query))
        return found

    def conflicting_documents(
        self, document_keys: Iterable[str], transit_limits: Mapping[str, int]
    ) -> list[str]:
        # In the database: of the thousands of documents a batch's trains carry, next to none raise an
        # alert, and reading every journey of every document on two or more of them cost a batch more
        # than all its other queries (most travellers come back: the number grows with the ledger).
        # The conditions are engines/corridor.py's in_use_together and overused_transit_documents.
        # Times compare as stored: SQLite's text is UTC in one fixed format (encoding.sqlite_time), so
        # its order is the order in time.
        keys = sorted(set(document_keys))
        # First how many journeys each has, from the index alone: most documents are on one journey,
        # and the conditions need the journeys' rows.
        counts: dict[str, int] = {}
        for chunk in _chunks(keys):
            member, listed = _listed(self.dialect, chunk)
            counts.update(self._run(_ON_SEVERAL.format(member=member), listed).fetchall())
        found: set[str] = set()
        for chunk in _chunks(sorted(counts)):
            member, listed = _listed(self.dialect, chunk)
            found.update(r for (r,) in self._run(_IN_USE_TOGETHER.format(member=member), listed))
            for kind, limit in sorted(transit_limits.items()):
                over = [k for k in chunk if counts[k] > limit]
                if over:
                    member, listed = _listed(self.dialect, over)
                    found.update(
                        r for (r,) in self._run(_OVERUSED.format(member=member), (*listed, kind, limit))
                    )
        return sorted(found)

    def journeys_of_documents(self, document_keys: Iterable[str]) -> list[Journey]:
        return _journeys_of_documents(self.connection, document_keys)

    def replace_train(self, result: TrainResult, previous: TrainResult | None = None) -> None:
        key = result.state.train.key
        scope = f"train:{key}"
        journeys: Sequence[Journey]
        alerts: Sequence[Alert]
        if previous is None:
            self._run("DELETE FROM journeys WHERE train_key = ?", (key,))
            self._run("DELETE FROM alerts WHERE scope = ?", (scope,))
            journeys, alerts = result.journeys, result.alerts
        else:
            journeys = _changed(previous.journeys, result.journeys, lambda j: j.journey_id)
            alerts = _changed(previous.alerts, result.alerts, lambda a: a.alert_id)
            gone_journeys = _gone(previous.journeys, result.journeys, lambda j: j.journey_id)
            gone_alerts = _gone(previous.alerts, result.alerts, lambda a: a.alert_id)
            for chunk in _chunks([*gone_journeys, *(j.journey_id for j in journeys)]):
                member, listed = _listed(self.dialect, chunk)
                self._run(f"DELETE FROM journeys WHERE journey_id {member}", listed)
            for chunk in _chunks([*gone_alerts, *(a.alert_id for a in alerts)]):
                member, listed = _listed(self.dialect, chunk)
                self._run(f"DELETE FROM alerts WHERE alert_id {member}", listed)
        if previous is None or previous.state != result.state:
            self._run("DELETE FROM trains WHERE train_key = ?", (key,))
            self._insert(t.trains, [train_state_values(result.state)])
        self._insert(t.journeys, journey_rows(journeys, self.dialect), encoded=True)
        self._insert(t.alerts, [alert_values(a, scope) for a in alerts])

    def projection_epoch(self) -> int:
        epoch = self.connection.execute(
            select(t.projection_state.c.epoch).where(t.projection_state.c.id == 1)
        )
        return int(epoch.scalar() or 0)

    def bump_projection_epoch(self) -> int:
        epoch = self.projection_epoch() + 1
        self.connection.execute(delete(t.projection_state))
        self.connection.execute(insert(t.projection_state).values(id=1, epoch=epoch))
        return epoch

    def replace_document_alerts(self, document_keys: Sequence[str], alerts: Sequence[Alert]) -> None:
        scopes = [f"doc:{k}" for k in document_keys]
        # Straight to the driver: a batch touches thousands of documents, and SQLAlchemy's expanding
        # IN cost a tenth of storing a planned batch.
        for chunk in _chunks(scopes):
            member, listed = _listed(self.dialect, chunk)
            self._run(f"DELETE FROM alerts WHERE scope {member}", listed)
        self._insert(t.alerts, [alert_values(a, f"doc:{a.document_key}") for a in alerts])

    def alert(self, alert_id: str) -> Alert | None:
        row = self.connection.execute(_alert_query().where(t.alerts.c.alert_id == alert_id)).first()
        return alert_from(row) if row else None

    def save_workflow(self, workflow: Workflow) -> None:
        conn = self.connection
        conn.execute(delete(t.alert_workflow).where(t.alert_workflow.c.alert_id == workflow.alert_id))
        conn.execute(
            insert(t.alert_workflow).values(
                alert_id=workflow.alert_id,
                status=workflow.status,
                outcome=workflow.outcome,
                updated_by=workflow.updated_by,
                updated_at=to_utc(workflow.updated_at),
            )
        )

    def clear_projections(self) -> None:
        for table in t.PROJECTION_TABLES:
            self.connection.execute(delete(table))

    def train_keys_after(self, after: str, limit: int) -> list[str]:
        query = (
            select(t.ledger.c.train_key)
            .where(t.ledger.c.train_key > after)
            .group_by(t.ledger.c.train_key)
            .order_by(t.ledger.c.train_key)
            .limit(limit)
        )
        return [r.train_key for r in self.connection.execute(query)]

    def shared_document_keys_after(self, after: str, limit: int) -> list[str]:
        query = (
            select(t.journeys.c.document_key)
            .where(t.journeys.c.document_key > after)
            .group_by(t.journeys.c.document_key)
            .having(func.count() > 1)
            .order_by(t.journeys.c.document_key)
            .limit(limit)
        )
        return [r.document_key for r in self.connection.execute(query)]

    def workflow_entries_after(self, after_seq: int, limit: int) -> list[tuple[int, LedgerEntry]]:
        query = (
            select(t.ledger.c.seq, t.ledger.c.body)
            .where(
                and_(
                    t.ledger.c.seq > after_seq, t.ledger.c.type.in_(("alert.acknowledged", "alert.resolved"))
                )
            )
            .order_by(t.ledger.c.seq)
            .limit(limit)
        )
        return [(r.seq, LedgerEntry.of(load_event(r.body))) for r in self.connection.execute(query)]

    # -- watchlists and screening hits ------------------------------------------------------------

    def save_watchlist(self, version: WatchlistVersion, bodies: Sequence[tuple[str, bytes]] | None) -> None:
        conn = self.connection
        if bodies:
            stored = {
                r.entity_id
                for r in conn.execute(
                    select(t.watchlist_entities.c.entity_id).where(
                        and_(
                            t.watchlist_entities.c.watchlist == version.watchlist,
                            t.watchlist_entities.c.version == version.version,
                        )
                    )
                )
            }
            rows = [
                (version.watchlist, version.version, entity_id, body.decode())
                for entity_id, body in bodies
                if entity_id not in stored
            ]
            self._insert(t.watchlist_entities, rows)
        conn.execute(delete(t.watchlists).where(t.watchlists.c.watchlist == version.watchlist))
        self._insert(t.watchlists, [watchlist_values(version)])

    def watchlist_versions(self) -> list[WatchlistVersion]:
        return _watchlist_versions(self.connection)

    def watchlist_bodies(self, watchlist: str, version: str) -> list[bytes]:
        query = (
            select(t.watchlist_entities.c.body)
            .where(
                and_(t.watchlist_entities.c.watchlist == watchlist, t.watchlist_entities.c.version == version)
            )
            .order_by(t.watchlist_entities.c.entity_id)
        )
        return [r.body.encode() for r in self.connection.execute(query)]

    def hit_ids(self, hit_ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(set(hit_ids))):
            query = select(t.watchlist_hits.c.hit_id).where(
                _member(self.dialect, t.watchlist_hits.c.hit_id, chunk)
            )
            found.update(r.hit_id for r in self.connection.execute(query))
        return found

    def save_hit(self, hit: Hit, alert: Alert | None) -> None:
        self._insert(t.watchlist_hits, [hit_values(hit)])
        if alert is not None:
            self.connection.execute(delete(t.alerts).where(t.alerts.c.alert_id == alert.alert_id))
            self._insert(t.alerts, [alert_values(alert, f"hit:{hit.hit_id}")])

    def hit(self, hit_id: str) -> Hit | None:
        row = self.connection.execute(
            select(t.watchlist_hits).where(t.watchlist_hits.c.hit_id == hit_id)
        ).first()
        return hit_from(row) if row else None

    def review_hit(self, hit_id: str, status: str, by: str, reason: str, at: datetime) -> None:
        self.connection.execute(
            t.watchlist_hits.update()
            .where(t.watchlist_hits.c.hit_id == hit_id)
            .values(status=status, reviewed_by=by, review_reason=reason, reviewed_at=to_utc(at))
        )

    def false_positives(self) -> set[tuple[str, str, str]]:
        query = select(
            t.watchlist_hits.c.subject, t.watchlist_hits.c.entity_id, t.watchlist_hits.c.entity_fingerprint
        ).where(t.watchlist_hits.c.status == "false_positive")
        return {(r.subject, r.entity_id, r.entity_fingerprint) for r in self.connection.execute(query)}

    def journeys_of_trains(self, train_keys: Iterable[str]) -> list[Journey]:
        found: list[Journey] = []
        for chunk in _chunks(sorted(set(train_keys))):
            query = select(t.journeys).where(_member(self.dialect, t.journeys.c.train_key, chunk))
            found.extend(journey_from(r) for r in self.connection.execute(query))
        return found

    def open_journeys(self) -> list[Journey]:
        query = select(t.journeys).where(t.journeys.c.status.in_(OPEN_JOURNEY_STATUSES))
        return [journey_from(r) for r in self.connection.execute(query)]

    def entries_of_types_after(
        self, types: Sequence[str], after_seq: int, limit: int
    ) -> list[tuple[int, LedgerEntry]]:
        query = (
            select(t.ledger.c.seq, t.ledger.c.body)
            .where(and_(t.ledger.c.seq > after_seq, t.ledger.c.type.in_(types)))
            .order_by(t.ledger.c.seq)
            .limit(limit)
        )
        return [(r.seq, LedgerEntry.of(load_event(r.body))) for r in self.connection.execute(query)]

    # -- granted FRTDs ------------------------------------------------------------------------------

    def save_frtd(self, record: IssuedFrtd) -> None:
        self.connection.execute(delete(t.frtd_records).where(t.frtd_records.c.number == record.number))
        self._insert(t.frtd_records, [frtd_values(record)])

    def frtds(self, numbers: Iterable[str] | None = None) -> dict[str, IssuedFrtd]:
        """The granted FRTDs with these numbers (all of them with None)."""
        if numbers is None:
            return {r.number: frtd_from(r) for r in self.connection.execute(select(t.frtd_records))}
        # Straight to the driver: every batch asks for the thousands of FRTD numbers its manifests give
        # (next to none granted), and SQLAlchemy's expanding IN cost more than the lookups.
        columns = ", ".join(c.name for c in t.frtd_records.columns)
        found: dict[str, IssuedFrtd] = {}
        for chunk in _chunks(sorted(set(numbers))):
            member, listed = _listed(self.dialect, chunk)
            rows = self._run(f"SELECT {columns} FROM frtd_records WHERE number {member}", listed)
            found.update((r.number, frtd_from(r)) for r in rows)
        return found

    def trains_with_frtds(self, numbers: Iterable[str]) -> set[str]:
        """Train keys whose journeys carry one of these FRTD numbers (to check them again)."""
        found: set[str] = set()
        for chunk in _chunks(sorted(set(numbers))):
            query = select(t.journeys.c.train_key).where(
                and_(
                    t.journeys.c.transit_kind == "FRTD",
                    _member(self.dialect, t.journeys.c.transit_number, chunk),
                )
            )
            found.update(r.train_key for r in self.connection.execute(query))
        return found

    # -- freight decisions --------------------------------------------------------------------------

    def save_freight(self, lines: Sequence[FreightLineRecord]) -> None:
        rows = [
            (
                r.event_id,
                r.line_no,
                r.consignment_id,
                r.date,
                r.mode,
                r.direction,
                r.consignment_decision,
                r.cn_code,
                r.decision,
                orjson.dumps(list(r.rules)).decode(),
                r.net_mass_kg,
                r.value_eur,
                r.rule_pack,
            )
            for r in lines
        ]
        self._insert(t.freight_decisions, rows)


def _watchlist_versions(conn: Connection) -> list[WatchlistVersion]:
    query = select(t.watchlists).order_by(t.watchlists.c.watchlist)
    return [watchlist_from(r) for r in conn.execute(query)]


def _changed(old: Sequence[R], new: Sequence[R], key: Callable[[R], str]) -> list[R]:
    before = {key(item): item for item in old}
    return [item for item in new if before.get(key(item)) != item]


def _gone(old: Sequence[R], new: Sequence[R], key: Callable[[R], str]) -> list[str]:
    kept = {key(item) for item in new}
    return [key(item) for item in old if key(item) not in kept]


_JOURNEY_COLUMNS = ", ".join(c.name for c in t.journeys.columns)

_ON_SEVERAL = """
SELECT document_key, COUNT(*) FROM journeys WHERE document_key {member}
GROUP BY document_key HAVING COUNT(*) > 1
"""

_IN_USE_TOGETHER = """
SELECT DISTINCT a.document_key FROM journeys a
JOIN journeys b ON b.document_key = a.document_key AND b.journey_id > a.journey_id
WHERE a.document_key {member} AND (
    a.train_key = b.train_key
    OR (a.entered_at IS NOT NULL AND b.entered_at IS NOT NULL
        AND (COALESCE(b.exited_at, b.train_exited_at) IS NULL
             OR a.entered_at < COALESCE(b.exited_at, b.train_exited_at))
        AND (COALESCE(a.exited_at, a.train_exited_at) IS NULL
             OR b.entered_at < COALESCE(a.exited_at, a.train_exited_at))))
"""

_OVERUSED = """
SELECT DISTINCT document_key FROM journeys
WHERE document_key {member} AND transit_kind = ?
    AND transit_number IS NOT NULL AND transit_number <> '' AND entered_at IS NOT NULL
GROUP BY document_key, transit_number HAVING COUNT(*) > ?
"""


def _journeys_of_documents(conn: Connection, document_keys: Iterable[str]) -> list[Journey]:
    # Straight to the driver and decoded by hand (journey_from_values): every batch reads the journeys
    # of the documents its trains carry, and SQLAlchemy's row processing cost more than the query.
    keys = sorted(set(document_keys))
    found: list[Journey] = []
    for chunk in _chunks(keys):
        member, listed = _listed(conn.dialect.name, chunk)
        query = f"SELECT {_JOURNEY_COLUMNS} FROM journeys WHERE document_key {member}"
        found.extend(map(journey_from_values, conn.exec_driver_sql(query, listed).fetchall()))
    return found


class FrtdLookup:
    """The FRTD registry's records for given numbers, read through a connection of its own, opened on
    first use: made here, called in an ingest's forked planning process, which must never touch the
    connections of the process it was forked from. Each call reads what is committed then, except
    that a registry `empty` when the lookup was made is not asked again (a record granted since makes
    the ingest refuse the plans that missed it, and reconcile those trains itself)."""

    def __init__(self, url: str, *, empty: bool = False) -> None:
        self._url = url
        self._empty = empty
        self._engine: Engine | None = None

    def __call__(self, numbers: Iterable[str]) -> dict[str, IssuedFrtd]:
        if self._empty:
            return {}
        if self._engine is None:
            self._engine = make_engine(self._url)
        with self._engine.connect() as conn:
            found: dict[str, IssuedFrtd] = {}
            for chunk in _chunks(sorted(set(numbers))):
                query = select(t.frtd_records).where(
                    _member(conn.dialect.name, t.frtd_records.c.number, chunk)
                )
                found.update((r.number, frtd_from(r)) for r in conn.execute(query))
            return found


class SqlStore:
    """The store behind TRANSITGUARD_DATABASE_URL. Writers are serialized (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: an advisory transaction lock), so concurrent ingests never fork the hash chain."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> SqlStore:
        engine = make_engine(url)
        try:
            if migrate_schema:
                migrate(engine)
            else:
                engine.connect().close()
        except OperationalError as exc:
            engine.dispose()
            # The driver's first line says why (refused, unknown host, bad password); the URL is shown
            # without its password.
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
            where = engine.url.render_as_string(hide_password=True)
            raise ConfigurationError(f"cannot open the database {where}: {reason}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def train_encoder(self) -> Callable[[TrainResult], EncodedTrain]:
        return train_encoder(self.dialect)

    def frtd_lookup(self) -> FrtdLookup:
        with self.engine.connect() as conn:
            empty = conn.execute(select(t.frtd_records.c.number).limit(1)).first() is None
        return FrtdLookup(self.engine.url.render_as_string(hide_password=False), empty=empty)

    @contextmanager
    def writing(self) -> Iterator[SqlWriteSession]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LEDGER_LOCK})
                yield SqlWriteSession(conn)

    # -- reads ------------------------------------------------------------------------------------

    def trains(self, service_date: date | None = None) -> list[TrainState]:
        query = select(t.trains).order_by(t.trains.c.service_date, t.trains.c.number, t.trains.c.direction)
        if service_date is not None:
            query = query.where(t.trains.c.service_date == service_date)
        with self.engine.connect() as conn:
            return [train_state_from(r) for r in conn.execute(query)]

    def journeys(self, where: JourneyFilter) -> list[Journey]:
        query = select(t.journeys).order_by(
            t.journeys.c.train_key, t.journeys.c.passenger_ref.asc().nulls_first(), t.journeys.c.journey_id
        )
        if where.status:
            query = query.where(t.journeys.c.status == where.status)
        if where.train_key:
            query = query.where(t.journeys.c.train_key == where.train_key)
        if where.service_date:
            query = query.where(t.journeys.c.service_date == where.service_date)
        if where.limit:
            query = query.limit(where.limit)
        with self.engine.connect() as conn:
            return [journey_from(r) for r in conn.execute(query)]

    def alerts(self, where: AlertFilter) -> list[Alert]:
        query = _alert_query().order_by(t.alerts.c.raised_at, t.alerts.c.alert_id)
        if where.status == "open":
            query = query.where(or_(t.alert_workflow.c.status.is_(None), t.alert_workflow.c.status == "open"))
        elif where.status:
            query = query.where(t.alert_workflow.c.status == where.status)
        if where.type:
            query = query.where(t.alerts.c.type == where.type)
        if where.train_key:
            query = query.where(t.alerts.c.train_key == where.train_key)
        if where.document_key:
            query = query.where(t.alerts.c.document_key == where.document_key)
        if where.limit:
            query = query.limit(where.limit)
        with self.engine.connect() as conn:
            return [alert_from(r) for r in conn.execute(query)]

    def hits(self, where: HitFilter) -> list[Hit]:
        query = select(t.watchlist_hits).order_by(t.watchlist_hits.c.raised_at, t.watchlist_hits.c.hit_id)
        if where.status:
            query = query.where(t.watchlist_hits.c.status == where.status)
        if where.train_key:
            query = query.where(t.watchlist_hits.c.train_key == where.train_key)
        if where.limit:
            query = query.limit(where.limit)
        with self.engine.connect() as conn:
            return [hit_from(r) for r in conn.execute(query)]

    def freight_decisions(self) -> list[FreightLineRecord]:
        query = select(t.freight_decisions).order_by(
            t.freight_decisions.c.date, t.freight_decisions.c.event_id, t.freight_decisions.c.line_no
        )
        with self.engine.connect() as conn:
            return [
                FreightLineRecord(
                    event_id=r.event_id,
                    line_no=r.line_no,
                    consignment_id=r.consignment_id,
                    date=r.date if isinstance(r.date, date) else date.fromisoformat(str(r.date)),
                    mode=r.mode,
                    direction=r.direction,
                    consignment_decision=r.consignment_decision,
                    cn_code=r.cn_code,
                    decision=r.decision,
                    rules=tuple(orjson.loads(r.rules)),
                    net_mass_kg=float(r.net_mass_kg),
                    value_eur=float(r.value_eur),
                    rule_pack=r.rule_pack,
                )
                for r in conn.execute(query)
            ]

    def watchlists(self) -> list[WatchlistVersion]:
        with self.engine.connect() as conn:
            return _watchlist_versions(conn)

    def ledger_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.ledger)).scalar_one())

    def ledger_entries(self) -> Iterator[tuple[int, LedgerEntry]]:
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=2000).execute(
                select(t.ledger.c.seq, t.ledger.c.body).order_by(t.ledger.c.seq)
            )
            for row in result:
                yield row.seq, LedgerEntry.of(load_event(row.body))

    def verify_ledger(self) -> ChainReport:
        with self.engine.connect() as conn:
            head_row = conn.execute(select(t.ledger_head.c.seq, t.ledger_head.c.hash)).first()
            head = (head_row.seq, head_row.hash) if head_row else None
            result = conn.execution_options(yield_per=5000).execute(
                select(
                    t.ledger.c.seq,
                    t.ledger.c.event_id,
                    t.ledger.c.body,
                    t.ledger.c.body_hash,
                    t.ledger.c.prev_hash,
                    t.ledger.c.hash,
                ).order_by(t.ledger.c.seq)
            )
            rows = (
                ChainRow(r.seq, r.event_id, r.body.encode(), r.body_hash, r.prev_hash, r.hash) for r in result
            )
            return verify_chain(rows, head)
