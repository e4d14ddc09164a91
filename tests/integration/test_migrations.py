"""The Alembic migrations create exactly the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from transitguard.adapters.store.database import migrate
from transitguard.adapters.store.sql import SqlStore
from transitguard.adapters.store.tables import metadata


def test_migrated_schema_matches_the_tables(sql_store: SqlStore) -> None:
    with sql_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrating_twice_changes_nothing(sql_store: SqlStore) -> None:
    migrate(sql_store.engine)
    assert sql_store.ledger_count() == 0
