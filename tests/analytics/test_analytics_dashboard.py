"""The console's dashboard panels: the numbers behind each chart, safe SVG, fast on a year of trains."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from transitguard.adapters.sim import SimConfig, simulate
from transitguard.adapters.store import tables
from transitguard.adapters.store.memory import MemoryStore
from transitguard.adapters.store.sql import SqlStore
from transitguard.analytics.dashboard import dashboard_panels
from transitguard.analytics.whatif import tally
from transitguard.bootstrap import Application, bootstrap
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.rulepacks import RulePack

NOW = datetime(2023, 5, 10, tzinfo=UTC)
FIRST = date(2023, 1, 2)  # a Monday


@pytest.fixture
def year_of_trains(database_url: str) -> Iterator[Application]:
    """A year of train rows written straight into the projection (8 trains a day), with missing
    passengers ~7 a train until week 30, then ~35, and 20 alerts a day."""
    store = SqlStore.open(database_url)
    trains, alerts = [], []
    for day_index in range(364):
        day = FIRST + timedelta(days=day_index)
        for slot in range(8):
            direction = "to_kaliningrad" if slot % 2 == 0 else "from_kaliningrad"
            missing = (35 if day_index >= 30 * 7 else 7) + (slot * 3 + day_index) % 5 if slot % 2 == 0 else 0
            key = f"{slot}/{day.isoformat()}/{direction}"
            moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            trains.append({
                "train_key": key, "number": str(slot), "service_date": day, "direction": direction,
                "status": "exited", "entered_at": moment, "exited_at": moment + timedelta(hours=4),
                "manifest_count": 210, "admitted_count": 200, "completed_count": 200 - missing,
                "missing_count": missing, "cap": 300, "last_event_at": moment,
            })  # fmt: skip
            if slot < 3:
                for n in range(7):
                    alerts.append({
                        "alert_id": f"a-{day_index}-{slot}-{n}", "scope": f"train:{key}",
                        "type": "PASSENGER_MISSING" if n else "UNPLANNED_STOP", "severity": "high",
                        "train_key": key, "number": str(slot), "service_date": day, "direction": direction,
                        "raised_at": moment, "message": "m", "details": "{}", "evidence": "[]",
                    })  # fmt: skip
    with store.engine.begin() as connection:
        connection.execute(insert(tables.trains), trains)
        connection.execute(insert(tables.alerts), alerts)
    application = bootstrap({"TRANSITGUARD_DATABASE_URL": database_url}, store=store)
    yield application
    application.close()


def test_the_panels_are_safe_svg_with_their_numbers(year_of_trains: Application) -> None:
    panels = dashboard_panels(year_of_trains, today=date(2023, 12, 31))
    assert [p.key for p in panels] == [
        "transits-by-month",
        "missing-by-week",
        "alerts-by-type",
        "not-admitted-by-month",
    ]
    for panel in panels:
        ET.fromstring(panel.svg)  # well-formed
        assert "style=" not in panel.svg
        assert "<script" not in panel.svg
        assert panel.rows
        assert all(len(row) == len(panel.columns) for row in panel.rows)
    months = {row[0]: row for row in panels[0].rows}
    assert len(months) == 12
    assert months["2023-06"][1:] == ("24000", "24000", "48000")
    alerts = {row[0]: row for row in panels[2].rows}
    assert alerts["PASSENGER_MISSING"][1] == str(6 * 3 * 364 - 6 * 3 * 0)
    assert alerts["UNPLANNED_STOP"][4] == "1092"


def test_the_missing_panel_flags_the_planted_rise_within_two_weeks(year_of_trains: Application) -> None:
    panel = dashboard_panels(year_of_trains, today=date(2023, 12, 31))[1]
    flagged = [row[0] for row in panel.rows if row[3] == "yes"]
    rise = FIRST + timedelta(weeks=30)
    assert flagged
    assert rise.isoformat() <= flagged[0] <= (rise + timedelta(weeks=2)).isoformat()
    assert "flagged" in panel.svg


def test_a_year_of_data_renders_well_inside_the_console_budget(year_of_trains: Application) -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        dashboard_panels(year_of_trains, today=date(2023, 12, 31))
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[2] < 0.5, timings  # the target is 200 ms; a loaded CI machine gets slack


def test_the_fake_store_gives_the_stream_s_numbers(pack: RulePack, tmp_path: Path) -> None:
    events: list[dict[str, Any]] = list(
        simulate(SimConfig(start=date(2023, 5, 1), days=2, seed=3), pack.corridor)
    )
    store = MemoryStore()
    application = bootstrap(
        {"TRANSITGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, store=store, clock=lambda: NOW
    )
    application.corridor.apply_batch([LedgerEntry.of(parse_event(e)) for e in events])
    panels = {p.key: p for p in dashboard_panels(application, today=date(2023, 5, 31))}
    stream = tally(events)
    missing = sum(1 for t in stream.trains.values() for who in t.entered if who not in t.exited)
    admitted = sum(len(t.entered) for t in stream.trains.values())
    may = {row[0]: row for row in panels["transits-by-month"].rows}["2023-05"]
    assert int(may[3]) == admitted
    assert sum(int(row[1]) for row in panels["missing-by-week"].rows) == missing > 0
