"""FollowTheMoney JSON Lines, read from the OpenSanctions samples in shared/data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from transitguard.adapters.lists import ListFormatError, ListRead, read_list
from transitguard.adapters.lists.countries import alpha3
from transitguard.domain.watchlists import ListedDocument, ListedEntity, PartialDate

FTM = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions" / "opensanctions_ftm"
EU_SAMPLE = FTM / "yente_t1_eu_fsf_sample.ftm.jsonl"
ZALA = FTM / "yente_zala_ru_cluster.ftm.jsonl"


def entry(read: ListRead, entity_id: str) -> ListedEntity:
    return next(e for e in read.entities if e.entity_id == entity_id)


def test_screenable_entities_are_kept_and_the_rest_counted_in_a_warning() -> None:
    read = read_list(ZALA)
    assert read.format == "ftm"
    assert sorted(e.schema for e in read.entities) == ["Company"] * 11 + ["Person"] * 6
    assert any(
        "73 entities not screened (Sanction 41, Ownership 14, Address 11, Family 4, Directorship 3)" in w
        for w in read.warnings
    )


def test_cyrillic_and_latin_names_are_all_kept_with_their_parts() -> None:
    kuzmenko = entry(read_list(EU_SAMPLE), "NK-2Ka3UvopqbpZmVDFjWd4LA")
    names = {n.full: n for n in kuzmenko.names}
    assert set(names) == {"Vitalij Kuzmenko", "Виталий Юрьевич КУЗЬМЕНКО", "Vitaly Yurievich KUZMENKO"}
    cyrillic = names["Виталий Юрьевич КУЗЬМЕНКО"]
    assert (cyrillic.kind, cyrillic.first, cyrillic.last) == ("primary", "Виталий", "КУЗЬМЕНКО")
    assert kuzmenko.birth_dates == (PartialDate(1971, 1, 22),)
    assert kuzmenko.nationalities == ("RUS",)  # "ru" in the file
    assert kuzmenko.sex == "M"


def test_a_patronymic_is_the_middle_part_and_aliases_keep_their_kind() -> None:
    nikita = entry(read_list(ZALA), "NK-JseaPJctnK9o8wrmz8xmoT")
    names = {n.full: n for n in nikita.names}
    russian = names["Захаров Никита Александрович"]
    assert (russian.first, russian.middle, russian.last) == ("Никита", "Александрович", "Захаров")
    assert names["Zakharov Mykyta Oleksandrovych"].kind == "alias"
    assert nikita.birth_dates == (PartialDate(1986, 10, 27),)


def test_passport_numbers_sanctions_and_listing_dates_reach_the_person() -> None:
    read = read_list(ZALA)
    lavrentiy = entry(read, "NK-hUAjuiA3vTKXF6v2X6MYnS")
    assert ListedDocument("089132114", "passport", None) in lavrentiy.documents
    assert set(lavrentiy.programs) >= {"US-RUSHAR", "GB-RUS"}
    assert lavrentiy.listed_on == date(2025, 2, 13)
    # The file's one Passport entity has no number: it is reported, not invented.
    assert any(
        "Passport gb-fcdo-217caa5aa607244044b49706d04d8d6c5ec992bd: no number" in w for w in read.warnings
    )


def write_lines(tmp_path: Path, entities: list[dict[str, object]]) -> Path:
    path = tmp_path / "list.ftm.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in entities) + b"\n")
    return path


def test_an_identification_before_or_after_its_holder_gives_the_holder_a_document(tmp_path: Path) -> None:
    person = {"id": "p1", "schema": "Person", "properties": {"name": ["Ivan Petrov"], "nationality": ["by"]}}
    passport = {
        "id": "pp1",
        "schema": "Passport",
        "properties": {"holder": ["p1"], "number": ["MP1234567"], "country": ["by"], "type": ["passport"]},
    }
    for order in ([passport, person], [person, passport]):
        read = read_list(write_lines(tmp_path, order))
        assert read.entities[0].documents == (ListedDocument("MP1234567", "passport", "BLR"),)


def test_unknown_country_codes_are_kept_upper_cased_and_warned_about(tmp_path: Path) -> None:
    person = {
        "id": "p1",
        "schema": "Person",
        "properties": {"name": ["A B"], "nationality": ["zz", "suhh", "xk"]},
    }
    read = read_list(write_lines(tmp_path, [person]))
    assert read.entities[0].nationalities == ("ZZ", "SUN", "RKS")
    assert read.warnings == (
        f"{tmp_path / 'list.ftm.jsonl'}:1: Person p1: unknown country 'zz' in nationality, kept as ZZ",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ru", "RUS"),
        ("RUS", "RUS"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("Korea, North", "PRK"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Congo, Democratic Republic of the", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo", "COG"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("Türkiye", "TUR"),
        ("Cote d'Ivoire", "CIV"),
        ("Bahamas, The", "BHS"),
        ("Chad", "TCD"),
        ("Atlantis", None),
    ],
)
def test_countries_as_the_lists_write_them(value: str, expected: str | None) -> None:
    assert alpha3(value) == expected


def test_a_bad_json_line_fails_naming_file_and_line(tmp_path: Path) -> None:
    lines = ZALA.read_bytes().splitlines()
    lines[9] = lines[9][:40]
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(ListFormatError) as caught:
        read_list(path, fmt="ftm")
    (problem,) = caught.value.problems
    assert (problem.source, problem.line) == (str(path), 10)
    assert problem.reason.startswith("not a JSON object")
    assert str(caught.value).startswith(f"{path}:10: not a JSON object")


@pytest.mark.parametrize("birth_date", ["1965-02-30", "12.03.1965", "unknown"])
def test_a_birth_date_that_is_no_date_fails(tmp_path: Path, birth_date: str) -> None:
    good = {"id": "p0", "schema": "Person", "properties": {"name": ["C D"], "birthDate": ["1965", "1965-03"]}}
    bad = {
        "id": "p1",
        "schema": "Person",
        "properties": {"name": ["A B"], "birthDate": ["1965-03-12", birth_date]},
    }
    with pytest.raises(ListFormatError) as caught:
        read_list(write_lines(tmp_path, [good, bad]))
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (2, "properties.birthDate[1]")
    assert repr(birth_date) in problem.reason


def test_duplicate_ids_and_nameless_entities_fail_together(tmp_path: Path) -> None:
    entities: list[dict[str, object]] = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["A B"]}},
        {"id": "p2", "schema": "Person", "properties": {"name": ["  "]}},
        {"id": "p1", "schema": "Company", "properties": {"name": ["A B Ltd"]}},
    ]
    with pytest.raises(ListFormatError) as caught:
        read_list(write_lines(tmp_path, entities))
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (2, "the entry has no name"),
        (3, "duplicate id p1 (first at line 1)"),
    ]
