"""The traffic simulator: a valid, deterministic, ordered event stream whose knobs do what they say."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from transitguard.adapters.formats.jsonl import corridor_problem
from transitguard.adapters.sim.calibration import (
    AlightingCalibration,
    expected_alightings,
    expected_alightings_by_kind,
)
from transitguard.adapters.sim.names import load_name_book, passport_form, transliterate_icao
from transitguard.adapters.sim.timetable import services
from transitguard.adapters.sim.traffic import SimConfig, simulate
from transitguard.adapters.sim.travellers import kind_shares
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import ManifestPassenger, parse_event
from transitguard.engines.corridor import document_problems
from transitguard.errors import InputError
from transitguard.rulepacks import load_rule_pack

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
Event = dict[str, Any]
TrainKey = tuple[str, str]
# Transit document kinds that give a right to enter the EU, unlike FRTD and FTD (EU_CITIZEN aside).
ENTITLED = ("RESIDENCE_PERMIT", "SCHENGEN_VISA", "NATIONAL_VISA")

# Every irregularity off: a corridor where everyone does what the manifest says.
CLEAN = {
    "alight_at_kena": 0.0,
    "late_train_probability": 0.0,
    "unplanned_stop_probability": 0.0,
    "over_cap_probability": 0.0,
    "invalid_document_probability": 0.0,
    "stowaway_probability": 0.0,
    "missed_entry_check_probability": 0.0,
    "no_show_probability": 0.0,
    "refusal_probability": 0.0,
}


@pytest.fixture(scope="module")
def corridor() -> Corridor:
    return load_rule_pack("kaliningrad").corridor


@pytest.fixture(scope="module")
def week(corridor: Corridor) -> list[Event]:
    return list(simulate(SimConfig(), corridor))


MAY_2023 = SimConfig(start=date(2023, 5, 1), days=31, seed=3)


@pytest.fixture(scope="module")
def may_2023_alighted(corridor: Corridor) -> Counter[str]:
    """Passengers who left the train at Kena in a simulated May 2023, by transit document kind."""
    alighted: Counter[str] = Counter()
    for events in by_train(simulate(MAY_2023, corridor)).values():
        if events[0]["train"]["direction"] != "to_kaliningrad":
            continue
        kinds = {p["ref"]: p["transit_document"]["kind"] for p in manifests(events)[0]["passengers"]}
        admitted = {r for r, c in zip(checked_refs(events, "entry"), checks(events, "entry"), strict=True)
                    if c["outcome"] == "admitted"}  # fmt: skip
        for ref in admitted - set(checked_refs(events, "exit")):
            assert ref is not None  # a stowaway is checked out as well as in
            alighted[kinds[ref]] += 1
    return alighted


def run(corridor: Corridor, days: int = 2, **knobs: Any) -> list[Event]:
    return list(simulate(SimConfig(days=days, **knobs), corridor))


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def by_train(events: Iterable[Event]) -> dict[TrainKey, list[Event]]:
    trains: dict[TrainKey, list[Event]] = defaultdict(list)
    for event in events:
        trains[(event["train"]["number"], event["train"]["service_date"])].append(event)
    return trains


def manifests(events: Iterable[Event]) -> list[Event]:
    return [e for e in events if e["type"] == "manifest.submitted"]


def checks(events: Iterable[Event], movement: str) -> list[Event]:
    return [e for e in events if e["type"] == "passenger.checked" and e["movement"] == movement]


def person_of(check: Event, manifest: Event) -> str | None:
    """The manifest ref a check names, by ticket or by passport; None if not on the manifest."""
    if "passenger_ref" in check:
        return str(check["passenger_ref"])
    document = check["travel_document"]
    for passenger in manifest["passengers"]:
        travel = passenger["travel_document"]
        if (travel["number"], travel["issuing_state"]) == (document["number"], document["issuing_state"]):
            return str(passenger["ref"])
    return None


def checked_refs(train_events: list[Event], movement: str) -> list[str | None]:
    manifest = manifests(train_events)[0]
    return [person_of(c, manifest) for c in checks(train_events, movement)]


# -- transliteration and names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [("Юлия", "IULIIA"), ("Андрей", "ANDREI"), ("Цой", "TSOI"), ("Щукин", "SHCHUKIN"),
     ("Объедков", "OBIEEDKOV"), ("Игорь", "IGOR"), ("Хрущёв", "KHRUSHCHEV"), ("Эльвира", "ELVIRA"),
     ("Юлия Сергеевна", "IULIIA SERGEEVNA")],
)  # fmt: skip
def test_passport_form_follows_icao_9303(cyrillic: str, latin: str) -> None:
    assert passport_form(cyrillic) == latin


def test_transliteration_matches_the_icao_9303_samples() -> None:
    schema = SHARED_DATA / "names_translit" / "iuliia_schemas" / "icao_doc_9303.json"
    if not schema.parent.is_dir():
        pytest.skip(f"{schema.parent} is absent")
    spec = json.loads(schema.read_text(encoding="utf-8"))
    assert spec["samples"]
    for cyrillic, latin in spec["samples"]:
        assert transliterate_icao(cyrillic) == latin
    for letter, expected in spec["mapping"].items():
        assert transliterate_icao(letter) == expected


def test_the_name_book_ships_with_the_package() -> None:
    book = load_name_book()
    assert len(book.male) == len(book.female) == 300
    assert len(book.surnames) == 1000
    assert len(book.patronymics) >= 250
    latin = re.compile(r"^[A-Z]+$")
    for name in (*book.male, *book.female, *(s for pair in book.surnames for s in pair)):
        assert latin.match(name), name
    assert ("IVANOV", "IVANOVA") in book.surnames
    assert book.patronymic_of_father["IVAN"] == ("IVANOVICH", "IVANOVNA")


# -- the stream as a whole -------------------------------------------------------------------------


def test_every_event_validates_against_the_contract_and_the_corridor(
    week: list[Event], corridor: Corridor
) -> None:
    assert len(week) > 10_000
    for event in week:
        parsed = parse_event(event)  # strictly, through JSON, as the JSON Lines reader does
        assert corridor_problem(parsed, corridor) is None, event
        assert moment(event["occurred_at"]).utcoffset() in (timedelta(hours=2), timedelta(hours=3))
    assert set(Counter(e["type"] for e in week)) == {
        "manifest.submitted", "train.crossed", "passenger.checked", "train.stopped",
    }  # fmt: skip


def test_the_stream_is_json_ready(week: list[Event]) -> None:
    assert json.loads(orjson.dumps(week[:500])) == week[:500]


def test_the_same_seed_gives_the_same_stream_and_another_seed_another(corridor: Corridor) -> None:
    first = orjson.dumps(run(corridor, seed=7))
    assert orjson.dumps(run(corridor, seed=7)) == first
    assert orjson.dumps(run(corridor, seed=8)) != first


def test_a_train_does_not_depend_on_how_many_days_are_simulated(corridor: Corridor) -> None:
    short, long = by_train(run(corridor, days=3)), by_train(run(corridor, days=5))
    assert set(short) < set(long)
    for key, events in short.items():
        assert long[key] == events, key


def test_events_are_in_time_order_with_unique_ids(week: list[Event]) -> None:
    times = [moment(e["occurred_at"]) for e in week]
    assert all(a <= b for a, b in itertools.pairwise(times))
    assert len({e["event_id"] for e in week}) == len(week)


def test_summer_and_winter_times_carry_their_offsets(corridor: Corridor) -> None:
    winter = next(iter(simulate(SimConfig(start=date(2023, 1, 10), days=1), corridor)))
    summer = next(iter(simulate(SimConfig(start=date(2023, 7, 10), days=1), corridor)))
    assert winter["occurred_at"].endswith("+02:00")
    assert summer["occurred_at"].endswith("+03:00")


def test_runs_and_directions_follow_the_timetable(week: list[Event], corridor: Corridor) -> None:
    per_day: Counter[tuple[str, str]] = Counter()
    for event in week:
        if event["type"] == "train.crossed" and event["movement"] == "entry":
            train = event["train"]
            spec = corridor.train_spec(train["number"])
            assert spec is not None
            assert spec.direction == train["direction"]
            assert int(train["number"]) % 2 == (1 if train["direction"] == "to_kaliningrad" else 0)
            per_day[(train["service_date"], train["direction"])] += 1
    assert len(per_day) == 7 * 2
    assert all(1 <= n <= 4 for n in per_day.values())
    # 29/30 daily + 147/148 3×/week + 79/80 4×/week + 359/360 every other day = 2.5 a day each way
    assert sum(per_day.values()) / len(per_day) == pytest.approx(2.5, abs=0.3)


def test_a_train_makes_the_planned_journey_in_about_three_and_a_half_hours(corridor: Corridor) -> None:
    for (number, _day), events in by_train(run(corridor, days=3, **CLEAN)).items():
        direction = events[0]["train"]["direction"]
        entry, exit_ = corridor.directions[direction].entry, corridor.directions[direction].exit
        types = [e["type"] for e in events]
        assert types[0] == "manifest.submitted"
        assert types[1] == "train.crossed"
        assert types[-1] == "train.crossed"
        stops = [e["place"] for e in events if e["type"] == "train.stopped"]
        expected = [entry, "VILNIUS", "KAUNAS", exit_]
        assert stops == (expected if direction == "to_kaliningrad" else [entry, "KAUNAS", "VILNIUS", exit_])
        lead = moment(events[1]["occurred_at"]) - moment(events[0]["occurred_at"])
        assert timedelta(hours=2, minutes=50) <= lead <= timedelta(hours=8, minutes=15), number
        inside = moment(events[-1]["occurred_at"]) - moment(events[1]["occurred_at"])
        assert timedelta(hours=3) <= inside <= timedelta(hours=4, minutes=30), number
        for stop in (e for e in events if e["type"] == "train.stopped"):
            started, ended = moment(stop["started_at"]), moment(stop["ended_at"])
            assert started < ended == moment(stop["occurred_at"])
            movement = {entry: "entry", exit_: "exit"}.get(stop["place"])
            if movement:  # every check at a checkpoint happens during its inspection stop
                during = checks(events, movement)
                assert during
                assert all(started <= moment(c["occurred_at"]) <= ended for c in during)
                assert all(c["checkpoint"] == stop["place"] for c in during)


def test_without_irregularities_everyone_is_checked_in_and_out_once(corridor: Corridor) -> None:
    all_checks: list[Event] = []
    for events in by_train(run(corridor, days=2, **CLEAN)).values():
        refs = sorted(p["ref"] for p in manifests(events)[0]["passengers"])
        assert sorted(checked_refs(events, "entry"), key=str) == refs
        assert sorted(checked_refs(events, "exit"), key=str) == refs
        all_checks += checks(events, "entry") + checks(events, "exit")
    assert all(c["outcome"] == "admitted" for c in all_checks)
    by_document = sum("travel_document" in c for c in all_checks) / len(all_checks)
    assert by_document == pytest.approx(0.2, abs=0.03)  # the scanner's share; the rest by ticket


def test_manifests_look_like_the_railways_list(week: list[Event], corridor: Corridor) -> None:
    passengers = [p for m in manifests(week) for p in m["passengers"]]
    nationality = Counter(p["nationality"] for p in passengers)
    kinds = Counter(p["transit_document"]["kind"] for p in passengers)
    assert 0.88 < nationality["RUS"] / len(passengers) < 0.97
    assert len(nationality) >= 6
    assert 0.70 < kinds["FRTD"] / len(passengers) < 0.88
    assert 4.5 < kinds["FRTD"] / kinds["FTD"] < 8
    # May 2023: the Kena backdoor is open, so more than usual hold an EU residence permit or visa.
    assert 0.09 < sum(kinds[k] for k in ENTITLED) / len(passengers) < 0.15
    assert {"SCHENGEN_VISA", "EU_CITIZEN"} <= set(kinds)
    for passenger in passengers:
        ManifestPassenger.model_validate_json(orjson.dumps(passenger))
        assert passenger["travel_document"]["issuing_state"] == passenger["nationality"]
        assert passenger["given_names"] == passenger["given_names"].upper()
        if passenger["transit_document"]["kind"] in ("FRTD", "FTD"):
            assert passenger["nationality"] == "RUS"  # Reg 693/2003 Art 1: own country
        if passenger["nationality"] == "RUS":
            assert re.fullmatch(r"\d{9}", passenger["travel_document"]["number"])
    # Female surnames take the female form: a woman is never IVANOV, a man never IVANOVA.
    assert not any(p["surname"] == "IVANOV" and p["sex"] == "F" for p in passengers)
    assert not any(p["surname"] == "IVANOVA" and p["sex"] == "M" for p in passengers)
    loads = [len(m["passengers"]) for m in manifests(week)]
    assert min(loads) >= 100
    assert max(loads) <= 300 + 30
    assert 180 < sum(loads) / len(loads) < 230


def test_some_travellers_come_back_on_a_later_train(corridor: Corridor) -> None:
    events = run(corridor, days=21, **CLEAN)
    trips: dict[str, list[str]] = defaultdict(list)
    for manifest in manifests(events):
        for passenger in manifest["passengers"]:
            trips[passenger["travel_document"]["number"]].append(manifest["train"]["direction"])
    returns = [t for t in trips.values() if len(t) > 1]
    assert len(returns) > 500
    assert all(a != b for t in returns for a, b in itertools.pairwise(t))


# -- the knobs -------------------------------------------------------------------------------------


def test_manifests_stay_under_the_cap_unless_the_knob_says_otherwise(corridor: Corridor) -> None:
    def overs(events: list[Event]) -> list[bool]:
        caps = [
            corridor.cap_on(date.fromisoformat(m["train"]["service_date"])) or 0 for m in manifests(events)
        ]
        return [len(m["passengers"]) > cap for m, cap in zip(manifests(events), caps, strict=True)]

    assert not any(overs(run(corridor, days=7, over_cap_probability=0.0)))
    before_the_300_cap = run(
        corridor, days=3, start=date(2022, 7, 1), load_min=200, load_max=290, over_cap_probability=0.0
    )
    assert not any(overs(before_the_300_cap))
    assert max(len(m["passengers"]) for m in manifests(before_the_300_cap)) == 250
    assert all(overs(run(corridor, days=2, over_cap_probability=1.0)))


def test_everyone_who_alights_at_kena_has_no_exit_check(corridor: Corridor) -> None:
    knobs = {**CLEAN, "alight_at_kena": 1.0}
    for events in by_train(run(corridor, days=2, **knobs)).values():
        entered = checked_refs(events, "entry")
        if events[0]["train"]["direction"] == "to_kaliningrad":
            assert entered
            assert not checks(events, "exit")
            assert all(c["checkpoint"] == "LT-KENA" for c in checks(events, "entry"))
        else:  # the knob is about Kena, where only trains to Kaliningrad are checked in
            assert sorted(checked_refs(events, "exit"), key=str) == sorted(entered, key=str)


def test_late_trains_keep_some_frtd_holders_inside_beyond_six_hours(corridor: Corridor) -> None:
    longest = timedelta(0)
    for events in by_train(run(corridor, days=2, **{**CLEAN, "late_train_probability": 1.0})).values():
        crossings = [moment(e["occurred_at"]) for e in events if e["type"] == "train.crossed"]
        assert timedelta(hours=5) < crossings[1] - crossings[0] < timedelta(hours=9)
        manifest = manifests(events)[0]
        kinds = {p["ref"]: p["transit_document"]["kind"] for p in manifest["passengers"]}
        entered = {person_of(c, manifest): moment(c["occurred_at"]) for c in checks(events, "entry")}
        for check in checks(events, "exit"):
            ref = person_of(check, manifest)
            if ref is not None and kinds[ref] == "FRTD":
                longest = max(longest, moment(check["occurred_at"]) - entered[ref])
    assert longest > timedelta(hours=6)


def test_unplanned_stops_are_named_by_km_mark(corridor: Corridor) -> None:
    events = run(corridor, days=2, **{**CLEAN, "unplanned_stop_probability": 1.0})
    for train_events in by_train(events).values():
        unplanned = [e for e in train_events if e["type"] == "train.stopped" and e["place"].startswith("km ")]
        assert len(unplanned) == 1
        assert 0 < float(unplanned[0]["place"][3:]) < corridor.length_km.value
        assert unplanned[0]["place"] not in corridor.planned_places
    assert not any(
        e["type"] == "train.stopped" and e["place"].startswith("km ") for e in run(corridor, days=2, **CLEAN)
    )


def test_invalid_documents_are_what_the_engine_calls_invalid(corridor: Corridor) -> None:
    def problems(events: list[Event]) -> list[dict[str, str]]:
        return [
            document_problems(
                ManifestPassenger.model_validate_json(orjson.dumps(p)),
                corridor,
                date.fromisoformat(m["train"]["service_date"]),
            )
            for m in manifests(events)
            for p in m["passengers"]
        ]

    assert not any(problems(run(corridor, days=3, **CLEAN)))
    spoiled = problems(run(corridor, days=2, **{**CLEAN, "invalid_document_probability": 1.0}))
    assert all(spoiled)
    assert set().union(*spoiled) >= {
        "expired", "not_yet_valid", "travel_document_expires_first", "travel_document_expired",
    }  # fmt: skip


def test_a_stowaway_is_checked_in_and_out_but_is_on_no_manifest(corridor: Corridor) -> None:
    for events in by_train(run(corridor, days=2, **{**CLEAN, "stowaway_probability": 1.0})).values():
        entries, exits = checked_refs(events, "entry"), checked_refs(events, "exit")
        assert entries.count(None) == exits.count(None) == 1
        stowaway = next(c for c in checks(events, "entry") if person_of(c, manifests(events)[0]) is None)
        assert "travel_document" in stowaway
        assert "passenger_ref" not in stowaway


def test_a_missed_entry_check_leaves_only_the_exit_check(corridor: Corridor) -> None:
    events = run(corridor, days=1, **{**CLEAN, "missed_entry_check_probability": 1.0})
    assert not checks(events, "entry")
    for train_events in by_train(events).values():
        refs = sorted(p["ref"] for p in manifests(train_events)[0]["passengers"])
        assert sorted(checked_refs(train_events, "exit"), key=str) == refs


def test_refused_passengers_are_taken_off_at_the_entry_checkpoint(corridor: Corridor) -> None:
    events = run(corridor, days=1, **{**CLEAN, "refusal_probability": 1.0})
    entries = checks(events, "entry")
    assert entries
    assert all(c["outcome"] == "refused" and c["reason"][1] == ":" for c in entries)
    assert not checks(events, "exit")


def test_no_shows_are_never_checked(corridor: Corridor) -> None:
    events = run(corridor, days=1, **{**CLEAN, "no_show_probability": 1.0})
    assert manifests(events)
    assert not checks(events, "entry")
    assert not checks(events, "exit")


def test_a_bad_configuration_is_refused() -> None:
    with pytest.raises(InputError, match="days"):
        SimConfig(days=0)
    with pytest.raises(InputError, match="late_train_probability"):
        SimConfig(late_train_probability=1.5)
    with pytest.raises(InputError, match="alight_at_kena"):
        SimConfig(alight_at_kena=-0.1)
    with pytest.raises(InputError, match="load_min"):
        SimConfig(load_min=300, load_max=200)


# -- calibration -----------------------------------------------------------------------------------


def year(value: int) -> tuple[date, date]:
    return date(value, 1, 1), date(value + 1, 1, 1)


def test_calibration_gives_about_14000_alightings_in_2023_and_a_fifth_of_that_in_2022(
    corridor: Corridor,
) -> None:
    config = SimConfig()
    in_2023 = expected_alightings(config, corridor, *year(2023))
    in_2022 = expected_alightings(config, corridor, *year(2022))
    assert in_2023 == pytest.approx(14_000, rel=0.01)
    assert in_2023 / in_2022 == pytest.approx(5, rel=0.01)
    after_ban = expected_alightings(config, corridor, date(2024, 3, 1), date(2025, 3, 1))
    assert 1 <= after_ban <= 10
    # The rate is per passenger: more no-shows leave fewer to alight, so p rises to keep the total.
    fewer = SimConfig(no_show_probability=0.2)
    assert expected_alightings(fewer, corridor, *year(2023)) == pytest.approx(in_2023)
    # So are other weights: they move the alightings between document kinds, not the total.
    even = SimConfig(alight_weight_residence_permit=1.0, alight_weight_schengen_visa=1.0,
                     alight_weight_national_visa=1.0, alight_weight_eu_citizen=1.0)  # fmt: skip
    assert expected_alightings(even, corridor, *year(2023)) == pytest.approx(in_2023)
    calibration = AlightingCalibration(config, corridor)
    june = calibration.probabilities(date(2023, 6, 1))
    weights = config.alight_weights()
    assert calibration.base(2023) == pytest.approx(
        calibration.admitted_at_kena(*year(2023)) * sum(s * weights[k] for k, s in kind_shares(True).items())
    )
    for kind, weight in weights.items():
        assert june[kind] == pytest.approx(weight * 14_000 / calibration.base(2023))
    assert june["FRTD"] < 0.05 < 0.3 < june["RESIDENCE_PERMIT"] <= 0.5  # plausible for both
    assert calibration.probabilities(date(2024, 2, 29)) == june
    assert max(calibration.probabilities(date(2024, 3, 1)).values()) < 0.001
    flat = AlightingCalibration(SimConfig(alight_at_kena=0.5), corridor).probabilities(date(2025, 1, 1))
    assert set(flat.values()) == {0.5}


def test_in_2023_most_who_alight_have_a_right_to_enter_the_eu(corridor: Corridor) -> None:
    by_kind = expected_alightings_by_kind(SimConfig(), corridor, *year(2023))
    assert set(by_kind) == set(SimConfig().alight_weights())
    assert 0.60 <= sum(by_kind[k] for k in ENTITLED) / sum(by_kind.values()) <= 0.75
    assert sum(by_kind[k] for k in ("FRTD", "FTD")) / sum(by_kind.values()) >= 0.15
    # The backdoor drew such people onto the trains: twice the usual share of them in 2023 traffic.
    assert 0.10 < sum(kind_shares(True)[k] for k in ENTITLED) < 0.15
    assert 0.04 < sum(kind_shares(False)[k] for k in ENTITLED) < 0.07
    calibration = AlightingCalibration(SimConfig(), corridor)
    assert not calibration.backdoor_open(date(2022, 12, 31))
    assert calibration.backdoor_open(date(2023, 1, 1))
    assert calibration.backdoor_open(date(2024, 2, 29))
    assert not calibration.backdoor_open(date(2024, 3, 1))


def test_a_simulated_month_alights_as_many_as_the_calibration_expects(
    corridor: Corridor, may_2023_alighted: Counter[str]
) -> None:
    config = MAY_2023
    expected = expected_alightings(config, corridor, config.start, config.start + timedelta(days=31))
    assert 1_000 < expected < 1_400
    assert may_2023_alighted.total() == pytest.approx(expected, rel=0.1)


def test_a_simulated_may_2023_alights_mostly_residence_permit_and_visa_holders(
    may_2023_alighted: Counter[str],
) -> None:
    share = sum(may_2023_alighted[k] for k in ENTITLED) / may_2023_alighted.total()
    assert 0.55 <= share <= 0.80, may_2023_alighted
    assert may_2023_alighted["FRTD"] > 0


def test_alighting_weights_are_checked_and_used(corridor: Corridor) -> None:
    with pytest.raises(InputError, match="alight_weight"):
        SimConfig(alight_weight_frtd=-1.0)
    with pytest.raises(InputError, match="alight_weight"):
        SimConfig(**{f"alight_weight_{k.lower()}": 0.0 for k in SimConfig().alight_weights()})
    only_frtd = {f"alight_weight_{k.lower()}": 0.0 for k in SimConfig().alight_weights() if k != "FRTD"}
    kinds: Counter[str] = Counter()
    for events in by_train(run(corridor, days=2, **{**CLEAN, "alight_at_kena": None, **only_frtd})).values():
        manifest = manifests(events)[0]
        kind = {p["ref"]: p["transit_document"]["kind"] for p in manifest["passengers"]}
        entered, left = set(checked_refs(events, "entry")), set(checked_refs(events, "exit"))
        kinds.update(kind[ref] for ref in entered - left if ref is not None)
    assert kinds
    assert set(kinds) == {"FRTD"}


def test_the_timetable_the_calibration_counts_is_the_one_simulated(corridor: Corridor) -> None:
    planned = {(s.train.number, s.service_date.isoformat()) for s in services(corridor, date(2023, 5, 1), 7)}
    assert planned == {(n, d) for n, d in by_train(run(corridor, days=7, no_show_probability=1.0))}
