"""The statistics: SQL over the DuckDB copy of the store (source.py), for a period of service dates.

Each statistic is a small table (`Statistic`: a key, a title, columns, rows) that the reports chart,
the exports write and tests read. Two inputs are not in the projections' columns and are added as
DuckDB tables before the queries run: the entitlement of each missing passenger to enter Lithuania
(services/eligibility.py, per journey, in Python: a year has some thousands) and the refusal reasons
(in the `passenger.checked` events of the ledger, read for the period only).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson
from sqlalchemy import select

from transitguard.adapters.store import tables
from transitguard.adapters.store.sql import SqlStore
from transitguard.analytics.anomaly import WeeklyCount, score_weeks
from transitguard.analytics.source import Column, CopiedTable, create_schema, insert_batch, load
from transitguard.engines.freight_quota import QuotaBaseline
from transitguard.rulepacks.people import PeopleRules
from transitguard.services.eligibility import would_have_been_entitled
from transitguard.services.ports import JourneyFilter, Store

Cell = str | int | float | None


@dataclass(frozen=True)
class Statistic:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "rows": [dict(zip(self.columns, r, strict=True)) for r in self.rows],
        }


ENTITLEMENT = CopiedTable(
    "missing_entitlement", (Column("service_date", "DATE"), Column("entitled", "VARCHAR"))
)
REFUSALS = CopiedTable("refusals", (Column("service_date", "DATE"), Column("reason", "VARCHAR")))

# "transit": a passenger checked in at the entry checkpoint (the journey has an entry time).
QUERIES: tuple[tuple[str, str, str], ...] = (
    (
        "transits_by_day",
        "Passengers admitted to the corridor per day and direction",
        """SELECT service_date::VARCHAR AS day, direction, passengers FROM (
             SELECT service_date, direction, count(*) AS passengers FROM journeys
             WHERE entered_at IS NOT NULL AND service_date BETWEEN $start AND $end
             GROUP BY ALL) ORDER BY day, direction""",
    ),
    (
        "transits_by_month",
        "Passengers admitted to the corridor per month and direction",
        """SELECT strftime(month, '%Y-%m') AS month, direction, passengers FROM (
             SELECT date_trunc('month', service_date) AS month, direction, count(*) AS passengers
             FROM journeys WHERE entered_at IS NOT NULL AND service_date BETWEEN $start AND $end
             GROUP BY ALL) ORDER BY month, direction""",
    ),
    (
        "transits_by_year",
        "Passengers admitted to the corridor per year and direction",
        """SELECT year(service_date) AS year, direction, count(*) AS passengers FROM journeys
           WHERE entered_at IS NOT NULL AND service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY year, direction""",
    ),
    (
        "transits_by_train",
        "Passengers admitted per train",
        """SELECT number AS train, direction, count(DISTINCT train_key) AS runs, count(*) AS passengers,
                  round(count(*) / count(DISTINCT train_key), 1) AS per_run
           FROM journeys WHERE entered_at IS NOT NULL AND service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY train""",
    ),
    (
        "transits_by_nationality",
        "Passengers admitted by nationality",
        """SELECT coalesce(nationality, '?') AS nationality, count(*) AS passengers,
                  round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS percent
           FROM journeys WHERE entered_at IS NOT NULL AND service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY passengers DESC, nationality""",
    ),
    (
        "transits_by_document",
        "Passengers admitted by transit document kind",
        """SELECT coalesce(transit_kind, '?') AS document_kind, count(*) AS passengers,
                  count(*) FILTER (status = 'missing') AS missing,
                  round(100.0 * count(*) FILTER (status = 'missing') / count(*), 2) AS missing_percent
           FROM journeys WHERE entered_at IS NOT NULL AND service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY passengers DESC, document_kind""",
    ),
    (
        "missing_by_month",
        "Passengers missing at the corridor's exit per month and direction",
        """SELECT strftime(service_date, '%Y-%m') AS month, direction, count(*) AS missing FROM journeys
           WHERE status = 'missing' AND service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY month, direction""",
    ),
    (
        "missing_entitlement",
        "Missing passengers: would they have been entitled to enter Lithuania?",
        """SELECT entitled, count(*) AS missing, round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS percent
           FROM missing_entitlement WHERE service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY missing DESC, entitled""",
    ),
    (
        "refusals_by_reason",
        "Passengers refused entry at the entry checkpoint, by reason",
        """SELECT coalesce(reason, '(none given)') AS reason, count(*) AS refusals FROM refusals
           WHERE service_date BETWEEN $start AND $end GROUP BY ALL ORDER BY refusals DESC, reason""",
    ),
    (
        "alerts_by_type",
        "Alerts by type and workflow outcome, with the time to resolve",
        """SELECT a.type, coalesce(w.status, 'open') AS status, coalesce(w.outcome, '') AS outcome,
                  count(*) AS alerts,
                  round(median(epoch(w.updated_at - a.raised_at) / 3600.0)
                        FILTER (w.status = 'resolved'), 2) AS median_hours_to_resolve,
                  round(quantile_cont(epoch(w.updated_at - a.raised_at) / 3600.0, 0.9)
                        FILTER (w.status = 'resolved'), 2) AS p90_hours_to_resolve
           FROM alerts a LEFT JOIN alert_workflow w USING (alert_id)
           WHERE a.service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY a.type, status, outcome""",
    ),
    (
        "watchlist_hits",
        "Watchlist hits by review: confirmed, false positive, still open",
        """SELECT watchlist, status, count(*) AS hits FROM watchlist_hits
           WHERE CAST(raised_at AS DATE) BETWEEN $start AND $end
           GROUP BY ALL ORDER BY watchlist, status""",
    ),
    (
        "year_on_year",
        "Passengers admitted and missing per year, against the year before",
        """WITH y AS (
             SELECT year(service_date) AS year, count(*) FILTER (entered_at IS NOT NULL) AS admitted,
                    count(*) FILTER (status = 'missing') AS missing
             FROM journeys WHERE service_date BETWEEN $start AND $end GROUP BY ALL)
           SELECT year, admitted, missing,
                  round(admitted / nullif(lag(admitted) OVER (ORDER BY year), 0), 2) AS admitted_ratio,
                  round(missing / nullif(lag(missing) OVER (ORDER BY year), 0), 2) AS missing_ratio
           FROM y ORDER BY year""",
    ),
    (
        "missing_by_week",
        "Passengers missing per week (the rise detector's input)",
        """SELECT date_trunc('week', service_date)::DATE::VARCHAR AS week, count(*) AS missing FROM journeys
           WHERE status = 'missing' AND service_date BETWEEN $start AND $end
           GROUP BY ALL ORDER BY week""",
    ),
)

FREIGHT = """SELECT year(date) AS year, cn_code, decision, sum(net_mass_kg) AS net_mass_kg,
                    count(DISTINCT consignment_id) AS consignments
             FROM freight_decisions WHERE date BETWEEN $start AND $end GROUP BY ALL ORDER BY ALL"""


class Statistics:
    """The statistics of one store, copied once into DuckDB; `compute` runs for any period."""

    def __init__(self, duck: duckdb.DuckDBPyConnection) -> None:
        self.duck = duck

    @classmethod
    def of_store(cls, store: Store, rules: PeopleRules) -> Statistics:
        duck = load(store)
        for table in (ENTITLEMENT, REFUSALS):
            columns = ", ".join(f"{c.name} {c.kind}" for c in table.columns)
            duck.execute(f"CREATE TABLE {table.name} ({columns})")
        insert_batch(duck, ENTITLEMENT, _columns(_entitlements(store, rules)))
        insert_batch(duck, REFUSALS, _columns(_refusals(store)))
        return cls(duck)

    def close(self) -> None:
        self.duck.close()

    def write(self, stat: Statistic, path: Path, format: str) -> None:
        """One statistic to CSV (with a header) or Parquet, written by DuckDB."""
        columns = ", ".join(f"{_quoted(c)} {_duck_type(stat, i)}" for i, c in enumerate(stat.columns))
        self.duck.execute(f"CREATE OR REPLACE TEMP TABLE export_out ({columns})")
        if stat.rows:
            insert_batch(
                self.duck,
                CopiedTable(
                    "export_out",
                    tuple(Column(f"c{i}", _duck_type(stat, i)) for i in range(len(stat.columns))),
                ),
                [list(c) for c in zip(*stat.rows, strict=True)],
            )
        option = "(FORMAT parquet)" if format == "parquet" else "(FORMAT csv, HEADER true)"
        target = str(path).replace("'", "''")
        self.duck.execute(f"COPY export_out TO '{target}' {option}")

    def query(self, sql: str, start: date, end: date) -> list[tuple[Any, ...]]:
        return self.duck.execute(sql, {"start": start, "end": end}).fetchall()

    def compute(self, start: date, end: date, quotas: QuotaBaseline | None = None) -> list[Statistic]:
        found = []
        for key, title, sql in QUERIES:
            cursor = self.duck.execute(sql, {"start": start, "end": end})
            columns = tuple(d[0] for d in cursor.description)
            found.append(Statistic(key, title, columns, tuple(_cells(r) for r in cursor.fetchall())))
        found.append(self._freight(start, end, quotas))
        found.append(self._rise(start, end))
        return found

    def _freight(self, start: date, end: date, quotas: QuotaBaseline | None) -> Statistic:
        """Net mass let through per year and product group, against the group's annual rail quota."""
        totals: dict[tuple[int, str], dict[str, float]] = {}
        for year, cn_code, decision, mass, _ in self.query(FREIGHT, start, end):
            group = (quotas.group(cn_code) if quotas else None) or cn_code[:4]
            by_decision = totals.setdefault((year, group), {})
            by_decision[decision] = by_decision.get(decision, 0.0) + mass
        rows = []
        for (year, group), masses in sorted(totals.items()):
            quota = quotas.annual_kg.get(group) if quotas else None
            let_through = sum(m for d, m in masses.items() if d != "deny")
            share = round(100 * let_through / quota, 1) if quota else None
            rows.append((year, group, round(let_through, 1), round(masses.get("deny", 0.0), 1), quota, share))
        return Statistic(
            "freight_against_quota",
            "Freight net mass per year and product group, against the annual rail quota",
            ("year", "product_group", "let_through_kg", "denied_kg", "quota_kg", "quota_used_percent"),
            tuple(rows),
        )

    def _rise(self, start: date, end: date) -> Statistic:
        """The rise detector (anomaly.py) over weekly missing counts, with 26 weeks of history before."""
        # Weeks before the first record are no data, not zero: a baseline of them would flag the start.
        (first,) = self.duck.execute("SELECT min(service_date) FROM journeys").fetchone() or (None,)
        history = max(start - timedelta(weeks=26), first or start)
        sql = {k: s for k, _, s in QUERIES}["missing_by_week"]
        counts = {date.fromisoformat(w): int(n) for w, n in self.query(sql, history, end)}
        week = history - timedelta(days=history.weekday())
        weeks = []
        while week <= end:
            weeks.append(WeeklyCount(week, counts.get(week, 0)))
            week += timedelta(days=7)
        shown = [s for s in score_weeks(weeks) if s.week + timedelta(days=6) >= start]
        return Statistic(
            "missing_rise",
            "Weekly missing passengers against a robust baseline (CUSUM rise detector)",
            ("week", "missing", "baseline", "z", "cusum", "flagged"),
            tuple(
                (
                    s.week.isoformat(),
                    s.count,
                    None if s.baseline is None else round(s.baseline, 1),
                    round(s.z, 2),
                    round(s.cusum, 2),
                    "yes" if s.flagged else "",
                )
                for s in shown
            ),
        )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duck_type(stat: Statistic, index: int) -> str:
    """The column's type from its values: BIGINT, DOUBLE or VARCHAR."""
    values = [row[index] for row in stat.rows if row[index] is not None]
    if values and all(isinstance(v, int) for v in values):
        return "BIGINT"
    if values and all(isinstance(v, (int, float)) for v in values):
        return "DOUBLE"
    return "VARCHAR"


def _cells(row: tuple[Any, ...]) -> tuple[Cell, ...]:
    return tuple(v if v is None or isinstance(v, (str, int, float)) else str(v) for v in row)


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return [list(c) for c in zip(*rows, strict=True)] if rows else []


def _entitlements(store: Store, rules: PeopleRules) -> list[tuple[str, str]]:
    rows = []
    for journey in store.journeys(JourneyFilter(status="missing")):
        on = (journey.train_exited_at or journey.entered_at or datetime.min).date()
        decision = would_have_been_entitled(journey, rules, on) if journey.entered_at else None
        entitled = "unknown" if decision is None else ("entitled" if decision.allowed else "not entitled")
        rows.append((journey.train.service_date.isoformat(), entitled))
    return rows


def _refusals(store: Store) -> list[tuple[str, str | None]]:
    rows = []
    for service_date, body in _checks(store):
        event = orjson.loads(body)
        if event.get("outcome") == "refused":
            rows.append((service_date, event.get("reason")))
    return rows


def _checks(store: Store) -> Iterator[tuple[str, bytes | str]]:
    """(service date, body) of every passenger.checked event that may be a refusal. The service date
    is the train's (its key is number/service_date/direction), as for every other statistic."""
    if isinstance(store, SqlStore):
        ledger = tables.ledger
        query = select(ledger.c.train_key, ledger.c.body).where(
            ledger.c.type == "passenger.checked", ledger.c.body.contains('"refused"')
        )
        with store.engine.connect() as connection:
            rows = connection.execution_options(stream_results=True, yield_per=10_000).execute(query)
            for train_key, body in rows:
                yield train_key.split("/")[1], body
        return
    for _, entry in store.ledger_entries():
        if entry.type == "passenger.checked" and entry.train_key:
            yield entry.train_key.split("/")[1], entry.body


def empty() -> Statistics:
    """Statistics of nothing (for tests of the rendering)."""
    duck = duckdb.connect()
    create_schema(duck)
    for table in (ENTITLEMENT, REFUSALS):
        duck.execute(f"CREATE TABLE {table.name} ({', '.join(f'{c.name} {c.kind}' for c in table.columns)})")
    return Statistics(duck)
