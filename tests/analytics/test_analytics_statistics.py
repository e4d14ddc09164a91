"""Statistics over a store (the fake, SQLite, PostgreSQL) agree with what the simulated stream says."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from transitguard.adapters.sim import SimConfig, simulate
from transitguard.analytics.statistics import Statistic, Statistics
from transitguard.analytics.whatif import tally
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.rulepacks import RulePack
from transitguard.rulepacks.people import load_people_rules
from transitguard.services.corridor import CorridorService
from transitguard.services.ports import AlertFilter

START = date(2023, 5, 1)
NOW = datetime.fromisoformat("2023-05-05T00:00:00+00:00")
RESOLVED_AT = "2023-05-04T12:00:00+00:00"


@pytest.fixture(scope="module")
def events(pack: RulePack) -> list[dict[str, Any]]:
    return list(simulate(SimConfig(start=START, days=2, seed=5, refusal_probability=0.02), pack.corridor))


def ingest(store: Any, pack: RulePack, events: list[dict[str, Any]]) -> str:
    """Store the stream, resolve one PASSENGER_MISSING alert; return its id."""
    service = CorridorService(store, pack, lambda: NOW)
    service.apply_batch([LedgerEntry.of(parse_event(e)) for e in events])
    alert = store.alerts(AlertFilter(type="PASSENGER_MISSING", limit=1))[0]
    resolution = {
        "event_id": "wf-test-1",
        "type": "alert.resolved",
        "alert_id": alert.alert_id,
        "by": "officer",
        "occurred_at": RESOLVED_AT,
        "outcome": "absconded",
    }
    service.apply_batch([LedgerEntry.of(parse_event(resolution))])
    return str(alert.raised_at.isoformat())


def by_key(found: list[Statistic]) -> dict[str, Statistic]:
    return {s.key: s for s in found}


def test_the_statistics_match_the_stream(store: Any, pack: RulePack, events: list[dict[str, Any]]) -> None:
    raised_at = ingest(store, pack, events)
    stats = Statistics.of_store(store, load_people_rules(pack.path))
    try:
        found = by_key(stats.compute(START, date(2023, 5, 31)))
        nothing = by_key(stats.compute(date(2024, 1, 1), date(2024, 1, 31)))
    finally:
        stats.close()
    stream = tally(events)
    admitted = Counter()
    for key, train in stream.trains.items():
        admitted[key.split("/")[2]] += len(train.entered)
    missing = sum(1 for t in stream.trains.values() for who in t.entered if who not in t.exited)
    refusals = sum(1 for e in events if e["type"] == "passenger.checked" and e["outcome"] == "refused")

    year = {(row[1]): row[2] for row in found["transits_by_year"].rows}
    assert year == dict(admitted)
    assert sum(int(r[2] or 0) for r in found["transits_by_day"].rows) == sum(admitted.values())
    assert sum(int(r[3] or 0) for r in found["transits_by_train"].rows) == sum(admitted.values())
    assert sum(int(r[2] or 0) for r in found["missing_by_month"].rows) == missing > 0
    assert sum(int(r[1] or 0) for r in found["missing_entitlement"].rows) == missing
    assert {r[0] for r in found["missing_entitlement"].rows} <= {"entitled", "not entitled", "unknown"}
    assert sum(int(r[1] or 0) for r in found["refusals_by_reason"].rows) == refusals > 0
    assert all(str(r[0])[:2] in {"A:", "C:", "E:", "H:"} for r in found["refusals_by_reason"].rows)
    assert sum(int(r[1] or 0) for r in found["transits_by_nationality"].rows) == sum(admitted.values())
    assert found["transits_by_nationality"].rows[0][0] == "RUS"

    alerts = Counter(a.type for a in store.alerts(AlertFilter()))
    by_type: Counter[str] = Counter()
    for row in found["alerts_by_type"].rows:
        by_type[str(row[0])] += int(row[3] or 0)
    assert by_type == alerts
    resolved = [r for r in found["alerts_by_type"].rows if r[1] == "resolved"]
    hours = (datetime.fromisoformat(RESOLVED_AT) - datetime.fromisoformat(raised_at)).total_seconds() / 3600
    assert [(r[0], r[2], r[3]) for r in resolved] == [("PASSENGER_MISSING", "absconded", 1)]
    assert resolved[0][4] == pytest.approx(hours, abs=0.01)

    assert found["year_on_year"].rows[0][:3] == (2023, sum(admitted.values()), missing)
    assert nothing["transits_by_year"].rows == ()
    assert nothing["missing_by_month"].rows == ()


def test_exports_are_readable_by_duckdb(
    sql_store: Any, pack: RulePack, events: list[dict[str, Any]], tmp_path: Path
) -> None:
    ingest(sql_store, pack, events)
    stats = Statistics.of_store(sql_store, load_people_rules(pack.path))
    try:
        month = by_key(stats.compute(START, date(2023, 5, 31)))["transits_by_month"]
        stats.write(month, tmp_path / "m.parquet", "parquet")
        stats.write(month, tmp_path / "m.csv", "csv")
    finally:
        stats.close()
    with duckdb.connect() as duck:
        from_parquet = duck.execute(f"SELECT * FROM '{tmp_path / 'm.parquet'}' ORDER BY ALL").fetchall()
        from_csv = duck.execute(f"SELECT * FROM read_csv('{tmp_path / 'm.csv'}') ORDER BY ALL").fetchall()
    assert from_parquet == sorted(month.rows) == from_csv
    assert (tmp_path / "m.csv").read_text().splitlines()[0] == "month,direction,passengers"
