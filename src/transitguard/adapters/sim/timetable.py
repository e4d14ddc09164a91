"""Which trains run on which day, when they enter the corridor, and the order of their stops.

The corridor definition says how often each train runs ("3x_week"); the weekdays, the times and the
distances below are the simulator's own assumptions [U], chosen to look like the real service.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from transitguard.domain.corridor import Corridor, TrainSpec
from transitguard.domain.events import Direction

# Local time at which each train reaches its entry checkpoint [U]. Trains of another rule pack get a
# time derived from their number.
ENTRY_TIMES: dict[str, time] = {
    "29": time(4, 50), "147": time(11, 30), "79": time(8, 10), "359": time(16, 40),
    "30": time(13, 10), "148": time(21, 40), "80": time(18, 25), "360": time(1, 35),
}  # fmt: skip

# Weekdays (Monday = 0) of the trains that do not run daily; the return train runs on other days.
WEEKDAYS: dict[tuple[str, Direction], frozenset[int]] = {
    ("3x_week", "to_kaliningrad"): frozenset({0, 2, 4}),
    ("3x_week", "from_kaliningrad"): frozenset({1, 3, 5}),
    ("4x_week", "to_kaliningrad"): frozenset({0, 1, 3, 5}),
    ("4x_week", "from_kaliningrad"): frozenset({1, 2, 4, 6}),
}

# Kilometre posts from Kena along the line [U: DOMAIN §2 gives the route, not the distances; the total
# matches the corridor's length_km of 230]. Unplanned stops are named by these (e.g. "km 112.4").
KM_FROM_KENA: dict[str, float] = {"LT-KENA": 0.0, "VILNIUS": 30.0, "KAUNAS": 130.0, "LT-KYBARTAI": 230.0}
AVERAGE_SPEED_KMH = 120.0


def runs_on(train: TrainSpec, day: date) -> bool:
    if not train.in_force(day):
        return False
    if train.runs == "daily":
        return True
    if train.runs == "every_other_day":
        # The pair alternates: to Kaliningrad on even ordinals, back on odd ones.
        return day.toordinal() % 2 == (0 if train.direction == "to_kaliningrad" else 1)
    return day.weekday() in WEEKDAYS[(train.runs, train.direction)]


def entry_time(train: TrainSpec) -> time:
    known = ENTRY_TIMES.get(train.number)
    if known is not None:
        return known
    minutes = int(hashlib.sha256(train.number.encode()).hexdigest(), 16) % (24 * 60)
    return time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class Service:
    """One train on one service date: the date (local) on which it is due at its entry checkpoint."""

    train: TrainSpec
    service_date: date
    scheduled_entry: datetime  # aware, local time


def services(corridor: Corridor, start: date, days: int) -> Iterator[Service]:
    """Every train due to enter the corridor on the service dates [start, start + days)."""
    zone = ZoneInfo(corridor.timezone)
    for offset in range(days):
        day = start + timedelta(days=offset)
        for train in corridor.trains:
            if runs_on(train, day):
                yield Service(train, day, datetime.combine(day, entry_time(train), tzinfo=zone))


def route(corridor: Corridor, direction: Direction) -> tuple[str, ...]:
    """The planned stops in the order a train going `direction` makes them, entry first, exit last."""
    ends = corridor.directions[direction]
    places = [stop.place for stop in corridor.planned_stops]
    if places and places[0] != ends.entry:
        places.reverse()
    if not places or places[0] != ends.entry or places[-1] != ends.exit:
        raise ValueError(f"planned stops {places} do not run from {ends.entry} to {ends.exit}")
    return tuple(places)


def km_posts(corridor: Corridor) -> dict[str, float]:
    """Where each planned stop is on the line; the stops of another corridor are spread evenly."""
    places = [stop.place for stop in corridor.planned_stops]
    if all(place in KM_FROM_KENA for place in places):
        return {place: KM_FROM_KENA[place] for place in places}
    last = max(len(places) - 1, 1)
    return {place: corridor.length_km.value * index / last for index, place in enumerate(places)}
