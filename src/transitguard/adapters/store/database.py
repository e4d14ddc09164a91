"""Database engines: SQLite (WAL, the embedded default) and PostgreSQL, migrated by Alembic."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from transitguard.errors import ConfigurationError

STORE_DIR = Path(__file__).parent
WRITE_OPTION = "transitguard_write"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 60})
        _sqlite_transactions(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() in ("", "psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise ConfigurationError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")


PAGE_SIZE = 16_384
WAL_CHECKPOINT_BYTES = 40 * 1024 * 1024


def _enable_wal(cursor: Any) -> None:
    # Two processes opening a new database file at once can find the switch to WAL busy, and SQLite
    # reports that at once instead of waiting on the busy timeout: try again for a while.
    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own transaction handling starts writers lazily, which lets two writers both read the
    # chain head and then collide. We issue BEGIN ourselves: IMMEDIATE for writers takes the write
    # lock up front, so the head a writer reads is the head it appends to.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=60000")
        # 16 KiB pages instead of 4 KiB, for a database this connection creates (an existing one keeps
        # its own): ledger rows and journeys are wide, and a manifest's body spans many pages. Larger
        # pages mean shallower B-trees and fewer WAL frames per batch: an ingest's commits and inserts
        # cost about a tenth less (bench/ingest.py). Only possible before the first write.
        cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MiB of page cache instead of SQLite's 2 MiB: an ingest batch touches the ledger's and the
        # projections' indexes all over, and re-reading evicted pages from the WAL cost more than this.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Checkpoint the WAL every ~40 MiB instead of every 4 MiB: an ingest batch rewrites the same
        # index pages again and again, and a page is copied into the database once per checkpoint.
        (page_size,) = cursor.execute("PRAGMA page_size").fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_BYTES // page_size}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


MIGRATION_LOCK = 7_270_330  # PostgreSQL advisory-lock key: one migrator at a time


def alembic_config(connection: Connection) -> Config:
    config = Config(str(STORE_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(STORE_DIR / "migrations"))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent; safe when processes start together)."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), "head")
