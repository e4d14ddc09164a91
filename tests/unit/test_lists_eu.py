"""EU Financial Sanctions Files XML, read from the fixture in tests/fixtures/lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from transitguard.adapters.lists import ListFormatError, ListRead, read_list
from transitguard.domain.watchlists import ListedDocument, ListedEntity, PartialDate

EU_XML = Path(__file__).resolve().parents[1] / "fixtures" / "lists" / "eu_fsf.xml"


@pytest.fixture(scope="module")
def eu_list() -> ListRead:
    return read_list(EU_XML)


def entry(read: ListRead, entity_id: str) -> ListedEntity:
    return next(e for e in read.entities if e.entity_id == entity_id)


def test_the_list_is_sniffed_and_dated(eu_list: ListRead) -> None:
    assert (eu_list.format, eu_list.source_date) == ("eu", date(2024, 6, 1))
    assert [e.schema for e in eu_list.entities] == ["Person", "Person", "Person", "Organization"]
    assert eu_list.warnings == ()


def test_latin_and_cyrillic_name_aliases_are_all_names(eu_list: ListRead) -> None:
    kuzmenko = entry(eu_list, "eu-162301")
    assert [(n.full, n.kind) for n in kuzmenko.names] == [
        ("Vitaly Yurievich KUZMENKO", "primary"),
        ("Виталий Юрьевич КУЗЬМЕНКО", "alias"),
        ("Vitalij Kuzmenko", "alias"),
    ]
    cyrillic = kuzmenko.names[1]
    assert (cyrillic.first, cyrillic.middle, cyrillic.last) == ("Виталий", "Юрьевич", "КУЗЬМЕНКО")
    assert kuzmenko.birth_dates == (PartialDate(1971, 1, 22),)
    assert kuzmenko.nationalities == ("RUS",)
    assert kuzmenko.sex == "M"
    assert kuzmenko.documents == (ListedDocument("7204 563218", "passport", "RUS"),)
    assert kuzmenko.programs == ("UKR",)
    assert kuzmenko.listed_on == date(2024, 2, 23)
    assert ("eu_reference_number", "EU.11179.96") in kuzmenko.extra


def test_a_year_only_circa_birth_date_and_a_weak_alias(eu_list: ListRead) -> None:
    zhuravleva = entry(eu_list, "eu-138679")
    assert zhuravleva.birth_dates == (PartialDate(1967),)
    assert ("birth_date_circa", "1967") in zhuravleva.extra
    assert ("Tetiana Volodymyrivna ZJURAVLEVA", "weak") in [(n.full, n.kind) for n in zhuravleva.names]
    assert zhuravleva.sex == "F"


def test_an_enterprise_and_a_listing_date_from_its_regulation(eu_list: ListRead) -> None:
    company = entry(eu_list, "eu-141000")
    assert company.schema == "Organization"
    assert company.caption == "LLC “Inter Tobacco”"
    assert "Общество с ограниченной ответственностью “Интер Тобако”" in {n.full for n in company.names}
    assert company.nationalities == ("BLR",)
    assert company.listed_on == date(2022, 6, 3)
    saddam = entry(eu_list, "eu-13")
    assert (saddam.listed_on, saddam.birth_dates, saddam.nationalities) == (
        date(2003, 7, 8),
        (PartialDate(1937, 4, 28),),
        ("IRQ",),
    )


def corrupted(tmp_path: Path, old: str, new: str) -> Path:
    text = EU_XML.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "eu.xml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(text: str) -> int:
    return next(
        n for n, line in enumerate(EU_XML.read_text(encoding="utf-8").splitlines(), 1) if text in line
    )


def test_an_impossible_birthdate_fails_at_its_element(tmp_path: Path) -> None:
    path = corrupted(tmp_path, 'birthdate="1971-01-22"', 'birthdate="1971-02-30"')
    with pytest.raises(ListFormatError) as caught:
        read_list(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line) == (str(path), line_of('birthdate="1971-01-22"'))
    assert problem.field == "sanctionEntity[162301]/birthdate"
    assert "'1971-02-30' is an impossible date" in problem.reason


def test_unknown_citizenship_codes_are_warnings_not_errors(tmp_path: Path) -> None:
    path = corrupted(tmp_path, 'countryIso2Code="BY" countryDescription="BELARUS"', 'countryIso2Code="QQ"')
    read = read_list(path)
    assert entry(read, "eu-141000").nationalities == ("QQ",)
    line = line_of('euReferenceNumber="EU.8282.49"')
    assert read.warnings == (
        f"{path}:{line}: sanctionEntity 141000: unknown country 'QQ' in citizenship, kept as QQ",
    )


def test_an_entity_without_names_fails(tmp_path: Path) -> None:
    text = EU_XML.read_text(encoding="utf-8")
    start = text.index('<nameAlias firstName="" middleName="" lastName="" wholeName="LLC')
    end = text.index("<citizenship", start)
    path = tmp_path / "eu.xml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"eu.xml:\d+: sanctionEntity 141000: the entry has no name"):
        read_list(path)


def test_a_malformed_copy_fails_naming_file_and_line(tmp_path: Path) -> None:
    path = corrupted(
        tmp_path, '<subjectType code="enterprise" classificationCode="E"/>', "<subjectType code=enterprise/>"
    )
    line = line_of('code="enterprise"')
    with pytest.raises(ListFormatError, match=rf"^{path}:{line}: malformed XML"):
        read_list(path)
