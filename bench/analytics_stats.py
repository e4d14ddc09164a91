"""Statistics over 10,000,000 journeys: every query the dashboard and the reports run, median seconds.

    python bench/analytics_stats.py [--journeys 10000000] [--repeats 3] [--keep DIR]

Set-up (not timed): synthetic journey rows generated straight into the analytics' DuckDB tables
(analytics/source.py's schema), ten years of service dates, 8 trains a day, ~2% missing, with alerts,
workflow, refusals and entitlement rows in proportion; the same journeys generated into a plain SQLite
file with the same columns. Simulating 10 M journeys through the ledger would take hours and measure
ingest, not statistics (bench/ingest.py does that).

Measured: each statistic's query in DuckDB (`analytics/statistics.py`, over the whole ten years), the
rise detector, and the dashboard's panels (`analytics/dashboard.py`, which read the trains and alerts
projections of a SQLite store holding the same ten years: 29,000 trains). Baseline: the same
journey queries in plain SQLite on the same rows, measured in the same run.
Requirement (issue 7): every dashboard query < 2 s on 10 M journeys.

Not named bench/statistics.py: run as a script, that name would hide the standard library's
`statistics` from every module the benchmarks import.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, date, timedelta
from pathlib import Path

import duckdb
from sqlalchemy import insert

from common import median_seconds, table
from transitguard.adapters.store import tables
from transitguard.adapters.store.sql import SqlStore
from transitguard.analytics.source import create_schema
from transitguard.analytics.statistics import ENTITLEMENT, QUERIES, REFUSALS, Statistics
from transitguard.analytics.summary import dashboard_figures

START = date(2015, 1, 1)
DAYS = 3652
TRAINS_PER_DAY = 8

# One expression per column, from i (the row number): deterministic, no random state.
JOURNEY_SELECT = """
SELECT
  (i // {per})::VARCHAR AS train_key,
  ['29','30','147','148','79','80','359','360'][((i // {per}) % 8) + 1] AS number,
  DATE '{start}' + CAST((i // {per}) // {tpd} % {days} AS INTEGER) AS service_date,
  CASE WHEN (i // {per}) % 2 = 0 THEN 'to_kaliningrad' ELSE 'from_kaliningrad' END AS direction,
  (i % 97) <> 0 AS on_manifest,
  CASE WHEN i % 53 = 0 THEN 'missing' WHEN i % 211 = 0 THEN 'refused' ELSE 'completed' END AS status,
  ['RUS','RUS','RUS','RUS','RUS','RUS','RUS','RUS','BLR','KAZ','UKR','LTU'][(i % 12) + 1] AS nationality,
  ['FRTD','FRTD','FRTD','FRTD','FRTD','FTD','SCHENGEN_VISA','RESIDENCE_PERMIT'][(i % 8) + 1] AS transit_kind,
  TIMESTAMP '{start} 06:00:00' + to_days(CAST((i // {per}) // {tpd} % {days} AS INTEGER))
    + to_minutes(CAST(i % 60 AS INTEGER)) AS entered_at,
  TIMESTAMP '{start} 10:00:00' + to_days(CAST((i // {per}) // {tpd} % {days} AS INTEGER)) AS exited_at
FROM range({n}) AS t(i)
"""

# The same journey statistics, in SQLite's dialect, for the baseline.
SQLITE_QUERIES = {
    "transits_by_day": "SELECT service_date, direction, count(*) FROM journeys WHERE entered_at IS NOT NULL "
    "AND service_date BETWEEN ? AND ? GROUP BY 1, 2",
    "transits_by_month": "SELECT substr(service_date, 1, 7), direction, count(*) FROM journeys "
    "WHERE entered_at IS NOT NULL AND service_date BETWEEN ? AND ? GROUP BY 1, 2",
    "transits_by_year": "SELECT substr(service_date, 1, 4), direction, count(*) FROM journeys "
    "WHERE entered_at IS NOT NULL AND service_date BETWEEN ? AND ? GROUP BY 1, 2",
    "transits_by_train": "SELECT number, direction, count(DISTINCT train_key), count(*) FROM journeys "
    "WHERE entered_at IS NOT NULL AND service_date BETWEEN ? AND ? GROUP BY 1, 2",
    "transits_by_nationality": "SELECT nationality, count(*) FROM journeys WHERE entered_at IS NOT NULL "
    "AND service_date BETWEEN ? AND ? GROUP BY 1",
    "transits_by_document": "SELECT transit_kind, count(*), sum(status = 'missing') FROM journeys "
    "WHERE entered_at IS NOT NULL AND service_date BETWEEN ? AND ? GROUP BY 1",
    "missing_by_month": "SELECT substr(service_date, 1, 7), direction, count(*) FROM journeys "
    "WHERE status = 'missing' AND service_date BETWEEN ? AND ? GROUP BY 1, 2",
    "year_on_year": "SELECT substr(service_date, 1, 4), sum(entered_at IS NOT NULL), sum(status = 'missing') "
    "FROM journeys WHERE service_date BETWEEN ? AND ? GROUP BY 1",
    "missing_by_week": "SELECT date(service_date, 'weekday 0', '-6 days'), count(*) FROM journeys "
    "WHERE status = 'missing' AND service_date BETWEEN ? AND ? GROUP BY 1",
}


def duck_statistics(journeys: int) -> Statistics:
    duck = duckdb.connect()
    create_schema(duck)
    for extra in (ENTITLEMENT, REFUSALS):
        duck.execute(f"CREATE TABLE {extra.name} ({', '.join(f'{c.name} {c.kind}' for c in extra.columns)})")
    per = -(-journeys // (TRAINS_PER_DAY * DAYS))  # passengers per train, so the trains fill the ten years
    select = JOURNEY_SELECT.format(n=journeys, per=per, start=START, tpd=TRAINS_PER_DAY, days=DAYS)
    duck.execute("INSERT INTO journeys " + select)
    duck.execute(
        "INSERT INTO trains SELECT train_key, any_value(number), any_value(service_date),"
        " any_value(direction), 'exited', min(entered_at), max(exited_at), count(*), count(*),"
        " count(*) FILTER (status <> 'missing'), count(*) FILTER (status = 'missing'), 300"
        " FROM journeys GROUP BY train_key"
    )
    duck.execute(
        "INSERT INTO alerts SELECT 'a' || row_number() OVER (), 'PASSENGER_MISSING', 'high', train_key,"
        " number, service_date, direction, exited_at FROM journeys WHERE status = 'missing'"
    )
    duck.execute(
        "INSERT INTO alert_workflow SELECT alert_id, 'resolved', 'absconded', raised_at + INTERVAL 5 HOUR"
        " FROM alerts WHERE hash(alert_id) % 3 = 0"
    )
    duck.execute(
        "INSERT INTO missing_entitlement SELECT service_date,"
        " CASE WHEN transit_kind IN ('FRTD', 'FTD') THEN 'not entitled' ELSE 'entitled' END"
        " FROM journeys WHERE status = 'missing'"
    )
    duck.execute(
        "INSERT INTO refusals SELECT service_date, ['A: no valid travel document', 'E: purpose']"
        "[CAST(hash(train_key) % 2 AS BIGINT) + 1] FROM journeys WHERE status = 'refused'"
    )
    return Statistics(duck)


def sqlite_copy(stats: Statistics, folder: Path) -> Path:
    """The same journeys in a plain SQLite file (indexed on service_date, as the store is)."""
    path = folder / "baseline.db"
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE journeys (train_key TEXT, number TEXT, service_date TEXT, direction TEXT,"
        " on_manifest INT,"
        " status TEXT, nationality TEXT, transit_kind TEXT, entered_at TEXT, exited_at TEXT)"
    )
    cursor = stats.duck.execute("SELECT * FROM journeys")
    while batch := cursor.fetchmany(200_000):
        connection.executemany(
            "INSERT INTO journeys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r[0], r[1], r[2].isoformat(), r[3], int(r[4]), r[5], r[6], r[7], str(r[8]), str(r[9]))
                for r in batch
            ],
        )
    connection.execute("CREATE INDEX ix_baseline_service_date ON journeys (service_date)")
    connection.commit()
    connection.close()
    return path


def dashboard_store(stats: Statistics, folder: Path) -> SqlStore:
    """A SQLite store whose trains and alerts projections hold the same ten years."""
    store = SqlStore.open(f"sqlite:///{folder / 'store.db'}")
    trains = stats.duck.execute(
        "SELECT number || '/' || service_date || '/' || direction, number, service_date, direction,"
        " entered_at,"
        " exited_at, manifest_count, admitted_count, completed_count, missing_count FROM trains"
    ).fetchall()
    alerts = stats.duck.execute(
        "SELECT alert_id, train_key, number, service_date, direction, raised_at FROM alerts"
    ).fetchall()
    with store.engine.begin() as connection:
        seen = set()
        rows = []
        for key, number, day, direction, entered, exited, manifest, admitted, completed, missing in trains:
            if key in seen:
                continue
            seen.add(key)
            rows.append({
                "train_key": key, "number": number, "service_date": day, "direction": direction,
                "status": "exited", "entered_at": entered.replace(tzinfo=UTC),
                "exited_at": exited.replace(tzinfo=UTC),
                "manifest_count": manifest, "admitted_count": admitted, "completed_count": completed,
                "missing_count": missing, "cap": 300, "last_event_at": exited.replace(tzinfo=UTC),
            })  # fmt: skip
        connection.execute(insert(tables.trains), rows)
        for start in range(0, len(alerts), 50_000):
            connection.execute(
                insert(tables.alerts),
                [
                    {
                        "alert_id": a[0],
                        "scope": f"train:{a[1]}",
                        "type": "PASSENGER_MISSING",
                        "severity": "high",
                        "train_key": a[1],
                        "number": a[2],
                        "service_date": a[3],
                        "direction": a[4],
                        "raised_at": a[5].replace(tzinfo=UTC),
                        "message": "m",
                        "details": "{}",
                        "evidence": "[]",
                    }
                    for a in alerts[start : start + 50_000]
                ],
            )
    return store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--journeys", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep the SQLite files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="tg-bench-stats-"))
    folder.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    stats = duck_statistics(args.journeys)
    (count,) = stats.duck.execute("SELECT count(*) FROM journeys").fetchone() or (0,)
    print(f"set-up: {count:,} journeys in DuckDB in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    baseline_path = sqlite_copy(stats, folder)
    print(f"set-up: the same in plain SQLite in {time.perf_counter() - started:.1f} s", flush=True)
    baseline = sqlite3.connect(baseline_path)
    first, last = START, START + timedelta(days=DAYS)

    rows = []
    for key, _, sql in QUERIES:
        seconds = median_seconds(lambda sql=sql: stats.query(sql, first, last), args.repeats)
        base = SQLITE_QUERIES.get(key)
        base_seconds = (
            median_seconds(
                lambda base=base: baseline.execute(base, (first.isoformat(), last.isoformat())).fetchall(),
                args.repeats,
            )
            if base
            else None
        )
        rows.append((
            key, f"{seconds:.3f}", f"{base_seconds:.3f}" if base_seconds else "-",
            f"{base_seconds / seconds:.1f}x" if base_seconds else "-", "yes" if seconds < 2 else "NO",
        ))  # fmt: skip
    for key, run in (
        ("missing_rise (CUSUM)", lambda: stats._rise(first, last)),
        ("freight_against_quota", lambda: stats._freight(first, last, None)),
        ("all statistics (a report's queries; < 30 s)", lambda: stats.compute(first, last)),
    ):
        seconds = median_seconds(run, args.repeats)
        limit = 30 if "< 30 s" in key else 2
        rows.append((key, f"{seconds:.3f}", "-", "-", "yes" if seconds < limit else "NO"))

    store = dashboard_store(stats, folder)
    try:
        today = START + timedelta(days=DAYS - 1)
        seconds = median_seconds(lambda: dashboard_figures(store, today=today), max(args.repeats, 5))
        rows.append(
            ("dashboard panels (SQLite store)", f"{seconds:.3f}", "-", "-", "yes" if seconds < 2 else "NO")
        )
    finally:
        store.close()
    table(
        f"Statistics over {count:,} journeys ({START} to {last}), median of {args.repeats} runs, seconds",
        rows,
        ("query", "DuckDB", "SQLite (baseline)", "speed-up", "under target"),
    )
    stats.close()
    baseline.close()


if __name__ == "__main__":
    main()
