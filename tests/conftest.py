"""Fixtures shared by every depth of test.

Storage tests take `database_url` (SQLite and PostgreSQL) or `store` (the in-memory fake, SQLite and
PostgreSQL). PostgreSQL runs when TRANSITGUARD_TEST_POSTGRES_URL is set (CI sets it); then a
PostgreSQL test that skips is turned into a failure, so CI can never go green without it.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from transitguard.adapters.store.memory import MemoryStore
from transitguard.adapters.store.sql import SqlStore
from transitguard.rulepacks import RulePack, load_rule_pack

sys.path.insert(0, str(Path(__file__).parent))

PG_ENV = "TRANSITGUARD_TEST_POSTGRES_URL"
REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_rule_pack("kaliningrad")


@pytest.fixture(scope="session")
def pg_worker_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """One database per xdist worker, created afresh for the session."""
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "main")
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    name = f"tg_test_{worker_id}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_postgres(url: str) -> str:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, pg_worker_url: str | None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'transitguard.db'}"
    if pg_worker_url is None:
        pytest.skip(f"PostgreSQL: set {PG_ENV} to run")
    return _fresh_postgres(pg_worker_url)


@pytest.fixture
def sql_store(database_url: str) -> Iterator[SqlStore]:
    store = SqlStore.open(database_url)
    yield store
    store.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, pg_worker_url: str | None) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'transitguard.db'}"
    else:
        if pg_worker_url is None:
            pytest.skip(f"PostgreSQL: set {PG_ENV} to run")
        url = _fresh_postgres(pg_worker_url)
    sql = SqlStore.open(url)
    yield sql
    sql.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    params = getattr(getattr(item, "callspec", None), "params", {})
    if report.skipped and os.environ.get(PG_ENV) and "postgresql" in params.values():
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: a PostgreSQL test skipped although {PG_ENV} is set"
