"""Bulk ingest through the ledger with incremental reconciliation, against the storage floor.

    python bench/ingest.py [--days 30] [--repeats 3]

Measured: `transitguard ingest`'s service path (validate every line, then batches that append to the
hash-chained ledger and recompute the trains and documents they touch), on SQLite and, when
TRANSITGUARD_BENCH_POSTGRES_URL (or TRANSITGUARD_TEST_POSTGRES_URL) is set, PostgreSQL.
Baselines: `raw-insert`, the same lines inserted as text into one SQLite table with executemany
(no parsing, no validation, no chain, no projections): what storing the bytes alone costs here; and
`parse-only`, every line validated once into its event in one process (what the whole-input check
alone costs): processor-bound like the ingest, so on a shared machine whose speed drifts from minute
to minute its ratio to the ingest moves far less than either figure.
`cpu s` is the median processor time of this process (the ingest), `planning cpu s` that of the
forked planning process beside it (services/planning.py: the whole-input check, then most batches
parsed and reconciled ahead): on a shared machine they move less than the wall clock does.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from common import median_seconds, postgres_url, simulated_file, table
from transitguard.adapters.store.sql import SqlStore
from transitguard.domain.events import parse_event_json
from transitguard.rulepacks import load_rule_pack
from transitguard.services.corridor import CorridorService
from transitguard.services.ingest import Source, ingest_sources


def raw_insert(source: Path, database: Path) -> None:
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE raw (n INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        with source.open("rb") as handle:
            conn.executemany("INSERT INTO raw (body) VALUES (?)", ((line.decode(),) for line in handle))


def parse_only(source: Path) -> None:
    with source.open("rb") as handle:
        for line in handle:
            parse_event_json(line)


def ingest(source: Path, url: str) -> None:
    store = SqlStore.open(url)
    try:
        service = CorridorService(
            store, load_rule_pack("kaliningrad"), lambda: datetime(2026, 1, 1, tzinfo=UTC)
        )
        ingest_sources(service, [Source(source.name, source)])
    finally:
        store.close()


def on_cpu_clock(
    run: Callable[[], None], spent: list[float], children: list[float] | None = None
) -> Callable[[], None]:
    """`run`, noting the processor time this process (and, in `children`, the processes it waited
    for) spends in each call."""

    def timed() -> None:
        started = time.process_time()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run()
        spent.append(time.process_time() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if children is not None:
            children.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)

    return timed


def fresh_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(url: str) -> str:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 100)  # as the CLI sets it
    with tempfile.TemporaryDirectory(prefix="tg-bench-") as folder:
        work = Path(folder)
        source = work / "events.jsonl"
        events = simulated_file(source, args.days)
        rows: list[tuple[str, ...]] = []
        base = median_seconds(lambda: raw_insert(source, work / "raw.db"), args.repeats)
        rows.append(
            ("raw-insert (baseline, SQLite)", f"{base:.2f}", f"{events / base:,.0f}", "", "", "1.00", "")
        )
        parse = median_seconds(lambda: parse_only(source), args.repeats)
        rows.append(
            (
                "parse-only (baseline)",
                f"{parse:.2f}",
                f"{events / parse:,.0f}",
                "",
                "",
                f"{parse / base:.1f}",
                "1.00",
            )
        )
        db = work / "tg.db"
        targets = [("transitguard ingest, SQLite", f"sqlite:///{db}", lambda: fresh_sqlite(db))]
        pg = postgres_url()
        if pg:
            targets.append(("transitguard ingest, PostgreSQL", pg, lambda: fresh_postgres(pg)))
        for name, url, setup in targets:
            cpu: list[float] = []
            planning: list[float] = []
            seconds = median_seconds(
                on_cpu_clock(lambda url=url: ingest(source, url), cpu, planning), args.repeats, setup=setup
            )
            rows.append(
                (
                    name,
                    f"{seconds:.2f}",
                    f"{events / seconds:,.0f}",
                    f"{statistics.median(cpu):.2f}",
                    f"{statistics.median(planning):.2f}",
                    f"{seconds / base:.1f}",
                    f"{seconds / parse:.1f}",
                )
            )
        table(
            f"Bulk ingest: {events:,} simulated events ({args.days} days), median of {args.repeats}",
            rows,
            (
                "path",
                "seconds",
                "events/s",
                "cpu s",
                "planning cpu s",
                "x raw-insert time",
                "x parse-only time",
            ),
        )


if __name__ == "__main__":
    main()
