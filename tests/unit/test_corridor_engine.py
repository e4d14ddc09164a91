"""The reconciliation engine, pure: events in, journeys and alerts out."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from factories import T0, checked, crossed, manifest, passenger, simple_train, stopped
from transitguard.domain.events import CorridorEvent, parse_event
from transitguard.engines.corridor import TrainResult, reconcile_document, reconcile_train
from transitguard.rulepacks import RulePack

LATER = T0 + timedelta(days=1)


def run(pack: RulePack, raw: list[dict[str, Any]], now: datetime = LATER) -> TrainResult:
    events: list[CorridorEvent] = [parse_event(e) for e in raw]  # type: ignore[misc]
    return reconcile_train(events[0].train, events, pack.corridor, now)


def types(result: TrainResult) -> list[str]:
    return sorted(a.type for a in result.alerts)


def test_a_clean_train_raises_nothing(pack: RulePack) -> None:
    result = run(pack, simple_train(3))
    assert types(result) == []
    assert [j.status for j in result.journeys] == ["completed"] * 3
    assert result.state.status == "exited"
    assert (result.state.manifest_count, result.state.admitted_count, result.state.completed_count) == (
        3,
        3,
        3,
    )


def test_passenger_checked_in_not_out_is_missing_when_the_train_exits(pack: RulePack) -> None:
    result = run(pack, simple_train(3, missing=("2",)))
    (alert,) = result.alerts
    assert alert.type == "PASSENGER_MISSING"
    assert alert.passenger_ref == "2"
    assert set(alert.evidence) == {"e-m", "e-ci-2", "e-out"}
    assert alert.severity == "high"  # 2023: alighting at Kena was not yet banned
    assert result.state.missing_count == 1


def test_missing_after_the_kena_ban_is_critical(pack: RulePack) -> None:
    events = simple_train(2, missing=("1",), service_date="2024-05-01")
    for event in events:  # move the whole train to 2024
        event["occurred_at"] = event["occurred_at"].replace("2023-05-01", "2024-05-01")
    events[0]["passengers"] = [passenger(r, valid_from="2024-04-20", valid_until="2024-07-19") for r in "12"]
    (alert,) = run(pack, events, now=LATER + timedelta(days=400)).alerts
    assert alert.type == "PASSENGER_MISSING"
    assert alert.severity == "critical"
    assert alert.details["alighting_banned"] is True


def test_no_missing_alert_while_the_train_is_still_inside(pack: RulePack) -> None:
    events = [e for e in simple_train(3, missing=("2",)) if e["event_id"] != "e-out"]
    result = run(pack, events, now=T0 + timedelta(hours=2))
    assert types(result) == []
    assert {j.passenger_ref: j.status for j in result.journeys}["2"] == "in_corridor"


def test_transit_time_is_raised_as_soon_as_the_deadline_passes_not_at_exit(pack: RulePack) -> None:
    # Entered at +10 min on an FRTD (6 h); the train has not exited yet.
    events = [e for e in simple_train(1) if e["event_id"] not in ("e-out", "e-co-1")]
    before = run(pack, events, now=T0 + timedelta(hours=6, minutes=9))
    after = run(pack, events, now=T0 + timedelta(hours=6, minutes=11))
    assert types(before) == []
    assert types(after) == ["TRANSIT_TIME_EXCEEDED"]
    assert after.alerts[0].raised_at == T0 + timedelta(hours=6, minutes=10)


def test_ftd_allows_24_hours_and_a_visa_has_no_corridor_limit(pack: RulePack) -> None:
    people = [passenger("1", kind="FTD", valid_until="2025-01-01"), passenger("2", kind="SCHENGEN_VISA")]
    events = [
        manifest("m", people),
        crossed("in", "entry", 0),
        checked("c1", "1", "entry", 10),
        checked("c2", "2", "entry", 10),
    ]
    result = run(pack, events, now=T0 + timedelta(hours=20))
    assert types(result) == []
    result = run(pack, events, now=T0 + timedelta(hours=25))
    assert [(a.type, a.passenger_ref) for a in result.alerts] == [("TRANSIT_TIME_EXCEEDED", "1")]


def test_a_late_exit_past_the_deadline_is_exceeded(pack: RulePack) -> None:
    events = [
        manifest("m", [passenger("1")]),
        crossed("in", "entry", 0),
        checked("c1", "1", "entry", 0),
        checked("o1", "1", "exit", 7 * 60),
        crossed("out", "exit", 7 * 60 + 5),
    ]
    assert types(run(pack, events)) == ["TRANSIT_TIME_EXCEEDED"]


def test_exit_without_entry_and_not_on_manifest(pack: RulePack) -> None:
    stowaway = {"number": "123456789", "issuing_state": "BLR"}
    events = [
        *simple_train(2)[:-1],
        checked("s-in", None, "entry", 12, document=stowaway),
        checked("s-out", None, "exit", 171, document=stowaway),
        crossed("e-out", "exit", 180),
    ]
    events = [e for e in events if e["event_id"] != "e-ci-2"]  # ref 2 was never checked in
    result = run(pack, events)
    found = sorted((a.type, a.passenger_ref or a.document_key) for a in result.alerts)
    assert found == [("EXIT_WITHOUT_ENTRY", "2"), ("NOT_ON_MANIFEST", "BLR:123456789")]


def test_capacity_uses_the_cap_in_force_on_the_service_date(pack: RulePack) -> None:
    people = [passenger(str(i)) for i in range(1, 271)]
    in_2023 = run(pack, [manifest("m", people)])
    people = [passenger(str(i), valid_from="2022-07-01", valid_until="2022-09-30") for i in range(1, 271)]
    in_2022 = run(pack, [manifest("m", people, service_date="2022-07-15")])
    assert types(in_2023) == []  # cap 300 from 2022-08-01
    assert types(in_2022) == ["CAPACITY_EXCEEDED"]  # cap 250 before
    assert in_2022.alerts[0].details["cap"] == 250


def test_invalid_transit_documents_are_named_with_every_reason(pack: RulePack) -> None:
    people = [
        passenger("1", valid_from="2023-01-01", valid_until="2023-03-31"),  # expired
        passenger("2", valid_from="2023-06-01", valid_until="2023-08-31"),  # not yet valid
        passenger("3", expires="2023-06-01"),  # passport expires before the FRTD
        passenger("4"),  # fine
    ]
    result = run(pack, [manifest("m", people)])
    reasons = {a.passenger_ref: a.details["reasons"] for a in result.alerts}
    assert reasons == {
        "1": ["expired"],
        "2": ["not_yet_valid"],
        "3": ["travel_document_expires_first"],
    }


def test_stops_outside_the_plan_are_unplanned(pack: RulePack) -> None:
    events = [
        *simple_train(1),
        stopped("s1", "VILNIUS", 60),
        stopped("s2", "Kaunas", 120),
        stopped("s3", "km 112.4", 90, duration=None),
    ]
    result = run(pack, events)
    assert [(a.type, a.details["place"]) for a in result.alerts] == [("UNPLANNED_STOP", "km 112.4")]


def test_a_later_manifest_replaces_the_earlier_one(pack: RulePack) -> None:
    events = [*simple_train(2), manifest("m2", [passenger("1")], minutes=-60)]
    result = run(pack, events)
    assert [(a.type, a.passenger_ref) for a in result.alerts] == [("NOT_ON_MANIFEST", "2")]


def test_refused_at_entry_is_not_missing(pack: RulePack) -> None:
    events = [e for e in simple_train(2) if e["event_id"] != "e-co-2"]
    events = [
        checked("e-ci-2", "2", "entry", 10, outcome="refused") if e["event_id"] == "e-ci-2" else e
        for e in events
    ]
    result = run(pack, events)
    assert types(result) == []
    assert {j.passenger_ref: j.status for j in result.journeys}["2"] == "refused"


def test_checks_by_travel_document_find_the_manifest_passenger(pack: RulePack) -> None:
    person = passenger("7", passport="751112223")
    events = [
        manifest("m", [person]),
        crossed("in", "entry", 0),
        checked("c", None, "entry", 5, document={"number": "75 111 2223", "issuing_state": "RUS"}),
        crossed("out", "exit", 180),
    ]
    (alert,) = run(pack, events).alerts
    assert (alert.type, alert.passenger_ref) == ("PASSENGER_MISSING", "7")


def test_the_same_document_on_two_overlapping_journeys(pack: RulePack) -> None:
    same = "759999999"
    one = run(
        pack,
        [
            manifest("m1", [passenger("1", passport=same)]),
            crossed("in1", "entry", 0),
            checked("c1", "1", "entry", 5),
        ],
    )
    two = run(
        pack,
        [
            manifest("m2", [passenger("1", passport=same)], number="79"),
            crossed("in2", "entry", 30, number="79"),
            checked("c2", "1", "entry", 35, number="79"),
        ],
    )
    alerts = reconcile_document("RUS:759999999", [*one.journeys, *two.journeys], pack.corridor)
    assert [a.type for a in alerts] == ["DOCUMENT_IN_USE"]
    assert alerts[0].train.number == "79"


def test_an_frtd_is_good_for_one_transit_there_and_one_back(pack: RulePack) -> None:
    journeys = []
    for index, (number, direction) in enumerate(
        [("29", "to_kaliningrad"), ("30", "from_kaliningrad"), ("29", "to_kaliningrad")]
    ):
        day = f"2023-05-0{index + 1}"
        person = passenger("1", passport="751000001", number="LTU777")
        result = run(
            pack,
            [
                manifest(f"m{index}", [person], number=number, service_date=day, direction=direction),
                crossed(
                    f"i{index}", "entry", index * 1440, number=number, service_date=day, direction=direction
                ),
                checked(
                    f"c{index}",
                    "1",
                    "entry",
                    index * 1440 + 5,
                    number=number,
                    service_date=day,
                    direction=direction,
                ),
                checked(
                    f"o{index}",
                    "1",
                    "exit",
                    index * 1440 + 170,
                    number=number,
                    service_date=day,
                    direction=direction,
                ),
                crossed(
                    f"x{index}",
                    "exit",
                    index * 1440 + 180,
                    number=number,
                    service_date=day,
                    direction=direction,
                ),
            ],
        )
        journeys.extend(result.journeys)
    alerts = reconcile_document("RUS:751000001", journeys, pack.corridor)
    assert [(a.type, a.details["reasons"], a.train.service_date.isoformat()) for a in alerts] == [
        ("TRANSIT_DOCUMENT_INVALID", ["already_used"], "2023-05-03")
    ]


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_arrival_order(pack: RulePack, rng: random.Random) -> None:
    events = [
        *simple_train(6, missing=("2", "5")),
        stopped("s", "km 40", 50),
        checked("x", None, "entry", 12, document={"number": "1", "issuing_state": "BLR"}),
    ]
    shuffled = events[:]
    rng.shuffle(shuffled)
    assert run(pack, shuffled) == run(pack, events)


def test_a_stop_reported_twice_under_one_stop_id_is_one_alert(pack: RulePack) -> None:
    started = stopped("s1", "km 40", 50, duration=None)
    started["stop_id"] = "stop-a"
    ended = stopped("s2", "km 40", 50, duration=12)
    ended.update(stop_id="stop-a", occurred_at=ended["ended_at"])
    (alert,) = run(pack, [*simple_train(1), started, ended]).alerts
    assert alert.type == "UNPLANNED_STOP"
    assert alert.details["minutes"] == 12
    assert set(alert.evidence) == {"s1", "s2"}
