"""`check_file` and `would_have_been_entitled`: the contract a CLI user and an alert see."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from transitguard.domain.events import TrainRef
from transitguard.domain.records import Journey
from transitguard.errors import EventValidationError
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services.eligibility import check_file, would_have_been_entitled

DOCS = Path(__file__).resolve().parents[2] / "docs" / "eligibility.md"


@pytest.fixture(scope="module")
def rules() -> PeopleRules:
    return load_people_rules("kaliningrad")


def person(person_id: str = "P-1", **fields: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": person_id,
        "date": "2023-06-01",
        "nationality": "RUS",
        "purpose": "tourism",
        "documents": [{"kind": "PASSPORT", "valid_until": "2030-01-01"}, {"kind": "SCHENGEN_VISA"}],
    }
    line.update(fields)
    return line


def write(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_decisions_follow_the_input_in_the_contract_shape(tmp_path: Path, rules: PeopleRules) -> None:
    source = write(
        tmp_path / "persons.jsonl",
        person("P-1", date="2022-09-18"),
        person("P-2", date="2022-09-20"),
        "",
        person(7, categories=["diplomat"], purpose="business"),
    )
    lines: list[int] = []
    summary = check_file(source, tmp_path / "out.jsonl", rules=rules, on_line=lines.append)
    assert summary == {"persons": 3, "allowed": 2, "refused": 1, "refusal_codes": {"E": 1}}
    assert sum(lines) == 3
    decisions = read(tmp_path / "out.jsonl")
    assert [d["id"] for d in decisions] == ["P-1", "P-2", "7"]
    assert decisions[0].keys() == {"id", "decision", "reasons"}
    assert decisions[1].keys() == {"id", "decision", "refusal_code", "reasons"}
    assert (decisions[1]["decision"], decisions[1]["refusal_code"]) == ("REFUSE", "E")
    assert decisions[1]["reasons"][0].keys() == {"rule", "legal_basis", "message"}
    assert decisions[2]["decision"] == "ALLOW"


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (person(nickname="Vanya"), "nickname", "unknown field"),
        (person(date="20.09.2022"), "date", "is not a date in the form YYYY-MM-DD"),
        (person(date="2023-02-30"), "date", "is not a date in the form YYYY-MM-DD"),
        (person(nationality="RU"), "nationality", "should match pattern"),
        (person(purpose="shopping"), "purpose", "unknown purpose 'shopping'"),
        (person(categories=["oligarch"]), "categories[0]", "unknown category 'oligarch'"),
        (
            person(documents=[{"kind": "PASSPORT"}, {"kind": "VISA"}]),
            "documents[1].kind",
            "unknown kind 'VISA'",
        ),
        (
            person(documents=[{"kind": "PASSPORT", "valid_until": 20300101}]),
            "documents[0].valid_until",
            "not a date",
        ),
        (person(documents=[{"kind": "PASSPORT", "chip": True}]), "documents[0].chip", "unknown field"),
        (person(listed="yes"), "listed", "boolean"),
        (person(date="1999-01-01"), "date", "before 2003-07-01"),
        ({"id": "P-1", "date": "2023-06-01", "nationality": "RUS"}, "documents", "required field is missing"),
    ],
)
def test_a_bad_line_is_named_by_file_line_and_field_and_nothing_is_written(
    tmp_path: Path, rules: PeopleRules, line: dict[str, Any], field: str, reason: str
) -> None:
    source = write(tmp_path / "persons.jsonl", person("P-0"), line)
    output = tmp_path / "out.jsonl"
    with pytest.raises(EventValidationError) as caught:
        check_file(source, output, rules=rules)
    problem = caught.value.problems[0]
    assert (problem.source, problem.line, problem.field) == (str(source), 2, field)
    assert reason in problem.reason
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left behind


def test_every_bad_line_is_reported_and_an_old_output_survives(tmp_path: Path, rules: PeopleRules) -> None:
    source = write(tmp_path / "persons.jsonl", "{not json", person("P-1"), person("P-1"), "[1, 2]")
    output = tmp_path / "out.jsonl"
    output.write_text("earlier decisions\n", encoding="utf-8")
    with pytest.raises(EventValidationError) as caught:
        check_file(source, output, rules=rules)
    found = [(p.line, p.field) for p in caught.value.problems]
    assert found == [(1, ""), (3, "id"), (4, "")]
    assert "not valid JSON" in caught.value.problems[0].reason
    assert "already used on line 2" in caught.value.problems[1].reason
    assert output.read_text(encoding="utf-8") == "earlier decisions\n"


def journey(**fields: Any) -> Journey:
    base: dict[str, Any] = {
        "journey_id": "J-1",
        "train": TrainRef(number="29", service_date=date(2024, 5, 10), direction="to_kaliningrad"),
        "passenger_ref": "17",
        "on_manifest": True,
        "status": "missing",
        "nationality": "RUS",
        "document_key": "RUS:751234567",
        "travel_document_expires": date(2030, 1, 1),
        "transit_kind": "FRTD",
        "transit_number": "LTU000000017",
        "transit_valid_from": date(2024, 5, 1),
        "transit_valid_until": date(2024, 7, 31),
    }
    base.update(fields)
    return Journey(**base)


def test_a_missing_frtd_passenger_was_not_entitled_to_enter(rules: PeopleRules) -> None:
    decision = would_have_been_entitled(journey(), rules, date(2024, 5, 10))
    assert decision is not None
    assert (decision.decision, decision.refusal_code) == ("REFUSE", "C")
    assert [r.rule for r in decision.reasons][:2] == ["visa-or-permit-required", "ground-frtd"]


def test_a_missing_residence_permit_holder_was(rules: PeopleRules) -> None:
    permit = journey(
        transit_kind="RESIDENCE_PERMIT", transit_number=None, transit_valid_until=date(2026, 1, 1)
    )
    decision = would_have_been_entitled(permit, rules, date(2024, 5, 10))
    assert decision is not None
    assert decision.allowed
    # An EU citizen always was; a Schengen visa holder, with no purpose on the manifest, not after Sep 2022.
    assert would_have_been_entitled(
        journey(transit_kind="EU_CITIZEN", nationality="LVA"), rules, date(2024, 5, 10)
    )
    visa = journey(
        transit_kind="SCHENGEN_VISA",
        transit_valid_from=date(2022, 1, 1),
        transit_valid_until=date(2024, 12, 31),
    )
    before = would_have_been_entitled(visa, rules, date(2022, 9, 1))
    after = would_have_been_entitled(visa, rules, date(2024, 5, 10))
    assert before is not None
    assert before.allowed
    assert after is not None
    assert after.refusal_code == "E"


def test_nothing_is_said_when_the_manifest_does_not_say_enough(rules: PeopleRules) -> None:
    assert would_have_been_entitled(journey(transit_kind=None), rules, date(2024, 5, 10)) is None
    assert would_have_been_entitled(journey(nationality=None), rules, date(2024, 5, 10)) is None


def _example(kind: str, part: str) -> str:
    found = re.search(
        rf"<!-- example {kind} {part} -->\s*```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S
    )
    assert found, f"docs/eligibility.md has no {kind} {part} example"
    return found.group(1)


def test_the_documented_example_is_what_the_engine_says(tmp_path: Path, rules: PeopleRules) -> None:
    source = tmp_path / "persons.jsonl"
    source.write_text(_example("eligibility", "input"), encoding="utf-8")
    check_file(source, tmp_path / "decisions.jsonl", rules=rules)
    expected = [json.loads(line) for line in _example("eligibility", "output").splitlines() if line.strip()]
    assert read(tmp_path / "decisions.jsonl") == expected
