"""The dashboard's figures: aggregates of the per-train and per-alert projections over twelve months.

On a SQL store they are GROUP BY queries run by the database itself (a year is a few thousand trains and
some tens of thousands of alerts, so they take milliseconds); any other store (the in-memory fake) is
folded in Python from the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select

from transitguard.adapters.store import tables
from transitguard.adapters.store.sql import SqlStore
from transitguard.services.ports import AlertFilter, Store


@dataclass(frozen=True)
class DashboardFigures:
    start: date
    end: date
    months: tuple[str, ...]  # "YYYY-MM", oldest first
    transits: dict[tuple[str, str], int]  # (month, direction) -> passengers admitted
    manifested: dict[str, int]  # month -> passengers on manifests
    not_admitted: dict[str, int]  # month -> on the manifest, not admitted at entry
    missing_by_week: tuple[tuple[date, int], ...]  # (Monday, missing), every week from 26 before `start`
    alerts: dict[str, dict[str, int]]  # type -> status -> count


def period_of(today: date) -> tuple[date, date]:
    """Twelve whole months: from the first of the month a year before `today`'s, to `today`."""
    start = date(today.year - 1, today.month, 1) + timedelta(days=32)
    return start.replace(day=1), today


def months_between(start: date, end: date) -> tuple[str, ...]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_between(start: date, end: date) -> list[date]:
    weeks = []
    week = monday_of(start)
    while week <= end:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


def dashboard_figures(store: Store, *, today: date) -> DashboardFigures:
    start, end = period_of(today)
    if isinstance(store, SqlStore):
        per_train, alert_counts = _sql_rows(store, start, end)
    else:
        per_train, alert_counts = _store_rows(store, start, end)
    transits: dict[tuple[str, str], int] = defaultdict(int)
    manifested: dict[str, int] = defaultdict(int)
    not_admitted: dict[str, int] = defaultdict(int)
    missing: dict[date, int] = defaultdict(int)
    for service_date, direction, manifest, admitted, missing_count in per_train:
        month = service_date.strftime("%Y-%m")
        transits[(month, direction)] += admitted
        manifested[month] += manifest
        not_admitted[month] += max(0, manifest - admitted)
        missing[monday_of(service_date)] += missing_count
    # The 26 weeks before the period are the rise detector's baseline for the first weeks shown.
    # Weeks before the first train on record are no data, not zero (a baseline of them would flag it).
    first = min((row[0] for row in per_train), default=start)
    weeks = weeks_between(max(start - timedelta(weeks=26), first), end)
    return DashboardFigures(
        start=start,
        end=end,
        months=months_between(start, end),
        transits=dict(transits),
        manifested=dict(manifested),
        not_admitted=dict(not_admitted),
        missing_by_week=tuple((week, missing.get(week, 0)) for week in weeks),
        alerts=alert_counts,
    )


Row = tuple[date, str, int, int, int]


def _sql_rows(store: SqlStore, start: date, end: date) -> tuple[list[Row], dict[str, dict[str, int]]]:
    trains = tables.trains
    train_query = select(
        trains.c.service_date,
        trains.c.direction,
        trains.c.manifest_count,
        trains.c.admitted_count,
        trains.c.missing_count,
    ).where(trains.c.service_date.between(start - timedelta(weeks=27), end))
    alerts, workflow = tables.alerts, tables.alert_workflow
    status = func.coalesce(workflow.c.status, "open")
    alert_query = (
        select(alerts.c.type, status, func.count())
        .select_from(alerts.outerjoin(workflow, workflow.c.alert_id == alerts.c.alert_id))
        .where(and_(alerts.c.service_date >= start, alerts.c.service_date <= end))
        .group_by(alerts.c.type, status)
    )
    with store.engine.connect() as connection:
        rows: list[Row] = [
            (service_date, direction, int(manifest), int(admitted), int(missing))
            for service_date, direction, manifest, admitted, missing in connection.execute(train_query)
        ]
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, state, count in connection.execute(alert_query):
            counts[kind][state] = int(count)
    return rows, dict(counts)


def _store_rows(store: Store, start: date, end: date) -> tuple[list[Row], dict[str, dict[str, int]]]:
    history_start = start - timedelta(weeks=27)
    rows: list[Row] = [
        (
            state.train.service_date,
            state.train.direction,
            state.manifest_count,
            state.admitted_count,
            state.missing_count,
        )
        for state in store.trains()
        if history_start <= state.train.service_date <= end
    ]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for alert in store.alerts(AlertFilter()):
        if start <= alert.train.service_date <= end:
            counts[alert.type][alert.status] += 1
    return rows, {kind: dict(by_status) for kind, by_status in counts.items()}
