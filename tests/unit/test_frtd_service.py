"""`decide_file`: the railway's applications in, the consulate's decisions out, nothing half-written."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from transitguard.domain.watchlists import ListedEntity, ListedName, PartialDate
from transitguard.engines.screening import ScreeningIndex
from transitguard.errors import EventValidationError
from transitguard.rulepacks import RulePack
from transitguard.services.frtd import decide_file

DOCS = Path(__file__).resolve().parents[2] / "docs" / "eligibility.md"
NOW = datetime.fromisoformat("2025-07-01T10:00:00+03:00")


def application(application_id: str = "A-1", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application_id": application_id,
        "received_at": "2025-07-01T09:00:00+03:00",
        "person": {
            "surname": "IVANOV",
            "given_names": "ANDREI SERGEEVICH",
            "birth_date": "1985-03-12",
            "sex": "M",
            "nationality": "RUS",
        },
        "travel_document": {
            "type": "PASSPORT",
            "number": "751234567",
            "issuing_state": "RUS",
            "expires": "2030-05-31",
        },
        "trains": {
            "outbound": {
                "number": 29,
                "service_date": "2025-07-03",
                "departure_at": "2025-07-03T15:30:00+03:00",
            },
            "return": {
                "number": "30",
                "service_date": "2025-07-20",
                "departure_at": "2025-07-20T13:10:00+02:00",
            },
        },
    }
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = data
        for key in parents:
            target = target[key]
        target[leaf] = value
    return data


def write(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_decisions_for_every_application_in_order(tmp_path: Path, pack: RulePack) -> None:
    source = write(
        tmp_path / "applications.jsonl",
        application("A-1"),
        application("A-2", travel_document__expires="2025-07-10"),
        application("A-3", received_at="2025-06-29T09:00:00+03:00"),
    )
    seen: list[int] = []
    summary = decide_file(source, tmp_path / "decisions.jsonl", pack=pack, now=NOW, on_line=seen.append)
    assert summary == {"applications": 3, "granted": 2, "refused": 1, "referred": 0, "late": 1}
    assert sum(seen) == 3
    decisions = read(tmp_path / "decisions.jsonl")
    assert [(d["application_id"], d["decision"], d["late"]) for d in decisions] == [
        ("A-1", "GRANT", False),
        ("A-2", "REFUSE", False),
        ("A-3", "GRANT", True),
    ]
    assert list(decisions[0]) == [
        "application_id", "decision", "decided_at", "deadline", "late", "reasons", "frtd", "screening",
    ]  # fmt: skip
    assert decisions[0]["frtd"]["outbound"]["number"] == "29"
    assert decisions[1]["frtd"] is None


def test_earlier_violations_are_found_by_document_or_by_person(tmp_path: Path, pack: RulePack) -> None:
    source = write(
        tmp_path / "applications.jsonl",
        application("A-1"),
        application("A-2", travel_document__number="759999999"),
        application("A-3", person__surname="PETROV", travel_document__number="750000001"),
    )
    violations = {
        "RUS:751234567": ["absconded"],  # the passport of A-1
        "person:IVANOV|ANDREI SERGEEVICH|1985-03-12": ["absconded"],  # the same man, A-2 on a new passport
    }
    decide_file(source, tmp_path / "out.jsonl", pack=pack, now=NOW, violations=violations)
    decisions = read(tmp_path / "out.jsonl")
    assert [d["decision"] for d in decisions] == ["REFUSE", "REFUSE", "GRANT"]
    # Recorded under both keys, the absconding counts once.
    assert decisions[0]["reasons"][0]["message"].endswith("(absconded)")


def test_the_applicants_name_is_screened_when_an_index_is_given(tmp_path: Path, pack: RulePack) -> None:
    listed = ListedEntity(
        "eu-fsf-42",
        "Person",
        (ListedName("Иванов Андрей Сергеевич"), ListedName("IVANOV Andrei Sergeevich", "alias")),
        birth_dates=(PartialDate.parse("1985-03-12"),),
        nationalities=("RUS",),
        sex="M",
    )
    index = ScreeningIndex.build([listed])
    source = write(
        tmp_path / "applications.jsonl", application("A-1"), application("A-2", person__surname="SIDOROV")
    )
    summary = decide_file(source, tmp_path / "out.jsonl", pack=pack, now=NOW, screening_index=index)
    assert summary["refused"] == 1
    first, second = read(tmp_path / "out.jsonl")
    assert first["decision"] == "REFUSE"
    assert first["reasons"][0]["rule"] == "frtd-watchlist-hit"
    assert first["screening"][0]["entity_id"] == "eu-fsf-42"
    assert second["decision"] == "GRANT"
    assert second["screening"] == []


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (application(priority="high"), "priority", "unknown field"),
        (application(received_at="2025-07-01T09:00:00"), "received_at", "has no UTC offset"),
        (application(received_at="yesterday"), "received_at", "RFC 3339"),
        (application(person__birth_date="12.03.1985"), "person.birth_date", "YYYY-MM-DD"),
        (application(person__sex="male"), "person.sex", "'M', 'F' or 'X'"),
        (application(travel_document__type="P"), "travel_document.type", "'P' is not a travel document kind"),
        (application(travel_document__type="FRTD"), "travel_document.type", "not a travel document kind"),
        (application(trains__return__departure_at=1751360400), "trains.return.departure_at", "RFC 3339"),
        (application(trains__outbound__seat="12"), "trains.outbound.seat", "unknown field"),
        (application("A-0"), "application_id", "already used on line 1"),
        ({"person": {}}, "application_id", "required field is missing"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_written(
    tmp_path: Path, pack: RulePack, line: dict[str, Any], field: str, reason: str
) -> None:
    source = write(tmp_path / "applications.jsonl", application("A-0"), line)
    output = tmp_path / "out.jsonl"
    with pytest.raises(EventValidationError) as caught:
        decide_file(source, output, pack=pack, now=NOW)
    problem = caught.value.problems[0]
    assert (problem.source, problem.line, problem.field) == (str(source), 2, field)
    assert reason in problem.reason
    assert list(tmp_path.iterdir()) == [source]


def test_a_missing_value_is_an_incomplete_application_not_a_broken_line(
    tmp_path: Path, pack: RulePack
) -> None:
    line = application()
    del line["person"]["birth_date"]
    source = write(tmp_path / "applications.jsonl", line)
    decide_file(source, tmp_path / "out.jsonl", pack=pack, now=NOW)
    (decision,) = read(tmp_path / "out.jsonl")
    assert decision["decision"] == "REFUSE"
    assert decision["reasons"][0]["rule"] == "frtd-complete-application"


def test_now_must_say_its_offset(tmp_path: Path, pack: RulePack) -> None:
    source = write(tmp_path / "applications.jsonl", application())
    with pytest.raises(ValueError, match="UTC offset"):
        decide_file(source, tmp_path / "out.jsonl", pack=pack, now=datetime(2025, 7, 1, 10))


def _example(part: str) -> str:
    found = re.search(
        rf"<!-- example frtd {part} -->\s*```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S
    )
    assert found, f"docs/eligibility.md has no frtd {part} example"
    return found.group(1)


def test_the_documented_example_is_what_the_engine_says(tmp_path: Path, pack: RulePack) -> None:
    source = tmp_path / "applications.jsonl"
    source.write_text(_example("input"), encoding="utf-8")
    decide_file(source, tmp_path / "decisions.jsonl", pack=pack, now=NOW)
    expected = [json.loads(line) for line in _example("output").splitlines() if line.strip()]
    assert read(tmp_path / "decisions.jsonl") == expected
