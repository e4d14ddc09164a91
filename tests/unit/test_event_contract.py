"""Bad input is named: source, line, field, reason. Good input is stored in one canonical form."""

from __future__ import annotations

import orjson
import pytest

from factories import checked, crossed, manifest, passenger
from transitguard.adapters.formats.jsonl import ParsedLine, parse_line, parse_lines
from transitguard.domain.events import DocumentRef, PassengerChecked
from transitguard.errors import Problem
from transitguard.rulepacks import RulePack


def problem(pack: RulePack, raw: object) -> Problem:
    data = raw if isinstance(raw, bytes) else orjson.dumps(raw)
    found = parse_line(data, "feed.jsonl", 7, pack.corridor)
    assert isinstance(found, Problem), "expected the line to be rejected"
    return found


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            lambda e: e["passengers"][0].update(birth_date="1985-02-30"),
            "passengers[0].birth_date",
            "impossible date",
        ),
        (
            lambda e: e["passengers"][0].update(birth_date="12.03.1985"),
            "passengers[0].birth_date",
            "not a date in the form YYYY-MM-DD",
        ),
        (lambda e: e.update(occurred_at="2023-05-01T08:00:00"), "occurred_at", "has no UTC offset"),
        (lambda e: e.update(occurred_at=1682917200), "occurred_at", "RFC 3339"),
        (lambda e: e["passengers"][0].pop("surname"), "passengers[0].surname", "required field is missing"),
        (lambda e: e["passengers"][0].update(nickname="x"), "passengers[0].nickname", "unknown field"),
        (lambda e: e["train"].update(direction="north"), "train.direction", "to_kaliningrad"),
        (
            lambda e: e["passengers"][0]["transit_document"].update(kind="TOURIST"),
            "passengers[0].transit_document.kind",
            "FRTD",
        ),
        (
            lambda e: e["passengers"][0]["transit_document"].update(valid_until="2023-01-01"),
            "passengers[0].transit_document",
            "valid_until is before valid_from",
        ),
        (lambda e: e["passengers"].append(dict(e["passengers"][0])), "passengers", "appears twice"),
        (lambda e: e["passengers"][0].update(nationality="RU"), "passengers[0].nationality", "pattern"),
    ],
)
def test_a_bad_manifest_names_the_field_and_the_reason(
    pack: RulePack, change, field: str, reason: str
) -> None:  # type: ignore[no-untyped-def]
    event = manifest("m", [passenger("1")])
    change(event)
    found = problem(pack, event)
    assert (found.source, found.line, found.field) == ("feed.jsonl", 7, field)
    assert reason in found.reason


def test_malformed_json_and_unknown_types_are_named(pack: RulePack) -> None:
    assert "not valid JSON" in problem(pack, b'{"event_id": "x",').reason
    unknown = problem(
        pack, {"event_id": "x", "type": "train.teleported", "occurred_at": "2023-05-01T00:00:00Z"}
    )
    assert unknown.field == "type"
    assert unknown.reason.startswith("unknown event type 'train.teleported' (known: manifest.submitted")
    assert problem(pack, [1, 2]).reason == "expected a JSON object (one event per line)"


def test_checkpoints_must_fit_the_direction(pack: RulePack) -> None:
    wrong = crossed("x", "entry", 0, checkpoint="LT-KYBARTAI")
    found = problem(pack, wrong)
    assert found.field == "checkpoint"
    assert "makes its entry at LT-KENA" in found.reason
    assert (
        "unknown checkpoint 'LT-VILNIUS'"
        in problem(pack, crossed("x", "entry", 0, checkpoint="LT-VILNIUS")).reason
    )


def test_a_check_must_say_who(pack: RulePack) -> None:
    assert "passenger_ref, travel_document or mrz" in problem(pack, checked("c", None, "entry", 0)).reason


def test_the_same_fact_in_two_spellings_is_one_canonical_body(pack: RulePack) -> None:
    one = crossed("x", "entry", 0)
    two = {**one, "train": {**one["train"], "number": 29}}
    a = parse_line(orjson.dumps(one), "a", 1, pack.corridor)
    b = parse_line(orjson.dumps(two), "b", 1, pack.corridor)
    assert isinstance(a, ParsedLine)
    assert isinstance(b, ParsedLine)
    assert a.entry.body == b.entry.body


def test_blank_lines_are_skipped_but_counted(pack: RulePack) -> None:
    lines = [b"\n", orjson.dumps(crossed("x", "entry", 0)) + b"\n", b"   \n", b"nonsense\n"]
    found = list(parse_lines(lines, "f", pack.corridor))
    assert [type(item).__name__ for item in found] == ["ParsedLine", "Problem"]
    assert found[1].line == 4


MRZ = "P<RUSIVANOV<<ANDREI<<<<<<<<<<<<<<<<<<<<<<<<<\n7512345672RUS8503127M3001019<<<<<<<<<<<<<<06"


def _check_with_mrz(zone: str, **extra: object) -> bytes:
    return orjson.dumps(
        {
            "event_id": "c-mrz",
            "type": "passenger.checked",
            "occurred_at": "2023-05-01T08:12:30+03:00",
            "train": {"number": "29", "service_date": "2023-05-01", "direction": "to_kaliningrad"},
            "checkpoint": "LT-KENA",
            "movement": "entry",
            "mrz": zone,
            "outcome": "admitted",
            **extra,
        }
    )


def test_a_scanned_mrz_gives_the_check_its_travel_document(pack: RulePack) -> None:
    parsed = parse_line(_check_with_mrz(MRZ), "scan.jsonl", 1, pack.corridor)
    assert isinstance(parsed, ParsedLine)
    assert isinstance(parsed.entry.event, PassengerChecked)
    assert parsed.entry.event.travel_document == DocumentRef(number="751234567", issuing_state="RUS")


def test_a_damaged_mrz_is_refused_with_the_failed_check_not_guessed(pack: RulePack) -> None:
    damaged = MRZ.replace("7512345672RUS", "7512845672RUS")  # one digit of the number misread
    problem = parse_line(_check_with_mrz(damaged), "scan.jsonl", 4, pack.corridor)
    assert isinstance(problem, Problem)
    assert (problem.source, problem.line, problem.field) == ("scan.jsonl", 4, "mrz")
    assert "document" in problem.reason
    assert "scan it again" in problem.reason


def test_a_travel_document_that_differs_from_the_mrz_is_refused(pack: RulePack) -> None:
    other = {"travel_document": {"number": "750000001", "issuing_state": "RUS"}}
    problem = parse_line(_check_with_mrz(MRZ, **other), "scan.jsonl", 2, pack.corridor)
    assert isinstance(problem, Problem)
    assert problem.field == "travel_document"
