"""The UN Security Council consolidated list, read from the real file in shared/data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from transitguard.adapters.lists import ListFormatError, ListRead, read_list
from transitguard.domain.watchlists import ListedDocument, ListedEntity, PartialDate

UN_XML = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "sanctions"
    / "un"
    / "UN_consolidated_2026-02-27.xml"
)


@pytest.fixture(scope="module")
def un_list() -> ListRead:
    return read_list(UN_XML)


def entry(read: ListRead, entity_id: str) -> ListedEntity:
    return next(e for e in read.entities if e.entity_id == entity_id)


def test_the_sample_gives_730_persons_and_273_organisations(un_list: ListRead) -> None:
    assert un_list.format == "un"
    assert sum(e.schema == "Person" for e in un_list.entities) == 730
    assert sum(e.schema == "Organization" for e in un_list.entities) == 273
    assert un_list.source_date == date(2026, 2, 27)


def test_a_listed_person_keeps_names_aliases_date_nationality_and_document(un_list: ListRead) -> None:
    person = entry(un_list, "un-QDi.012")
    names = {n.full: n for n in person.names}
    primary = names["NASHWAN ABD AL-RAZZAQ ABD AL-BAQI"]
    assert (primary.kind, primary.first, primary.middle, primary.last) == (
        "primary",
        "NASHWAN",
        "ABD AL-RAZZAQ",
        "ABD AL-BAQI",
    )
    assert names["نشوان عبد الرزاق عبد الباقي"].kind == "primary"  # NAME_ORIGINAL_SCRIPT
    assert names["Abd Al-Hadi Al-Iraqi"].kind == "alias"  # QUALITY Good
    assert names["Abu Ayub"].kind == "weak"  # QUALITY Low
    assert person.caption == "NASHWAN ABD AL-RAZZAQ ABD AL-BAQI"
    assert person.birth_dates == (PartialDate(1961),)
    assert person.nationalities == ("IRQ",)
    assert person.sex == "M"
    assert person.documents == (ListedDocument("0094195", "National Identification Number", None),)
    assert person.programs == ("Al-Qaida",)
    assert person.listed_on == date(2001, 10, 6)


def test_russian_nationals_and_their_passports_are_found_by_alpha3(un_list: ListRead) -> None:
    umarov = entry(un_list, "un-QDi.290")
    assert umarov.nationalities == ("RUS", "SUN")  # "former Soviet Union": ISO 3166-3 SUN
    assert ListedDocument("96 03 464086", "Passport", "RUS") in umarov.documents
    assert PartialDate(1964, 4, 13) in umarov.birth_dates


def test_a_between_range_gives_each_year(un_list: ListRead) -> None:
    assert [d.iso() for d in entry(un_list, "un-CDi.037").birth_dates] == ["1969", "1970", "1971"]


def test_entities_have_their_aliases(un_list: ListRead) -> None:
    adf = entry(un_list, "un-CDe.001")
    assert adf.schema == "Organization"
    assert {n.full for n in adf.names} >= {"ADF", "Allied Democratic Forces", "NALU"}


def test_unreadable_dates_of_birth_are_warnings_that_name_the_line(un_list: ListRead) -> None:
    warning = next(w for w in un_list.warnings if "30-35 years old" in w)
    assert warning.startswith(f"{UN_XML}:13391: INDIVIDUAL LYi.022:")


def corrupted(tmp_path: Path, old: str, new: str) -> Path:
    text = UN_XML.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "un.xml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_malformed_xml_fails_naming_file_and_line(tmp_path: Path) -> None:
    path = corrupted(tmp_path, "<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERIC</FIRST_NAM>")
    with pytest.raises(ListFormatError) as caught:
        read_list(path)
    assert str(caught.value).startswith(f"{path}:7: malformed XML: mismatched tag")


def test_an_impossible_date_fails_naming_the_element_and_its_line(tmp_path: Path) -> None:
    path = corrupted(tmp_path, "<DATE>1978-04-28</DATE>", "<DATE>1978-02-30</DATE>")
    with pytest.raises(ListFormatError) as caught:
        read_list(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line) == (str(path), 275)
    assert problem.field == "INDIVIDUAL[CDi.006]/INDIVIDUAL_DATE_OF_BIRTH/DATE"
    assert "impossible date" in problem.reason


def test_a_duplicate_reference_number_fails(tmp_path: Path) -> None:
    path = corrupted(
        tmp_path,
        "<REFERENCE_NUMBER>CDi.002</REFERENCE_NUMBER>",
        "<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>",
    )
    with pytest.raises(ListFormatError, match=r"duplicate id un-CDi.001 \(first at line 4\)"):
        read_list(path)


def test_a_truncated_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_bytes(UN_XML.read_bytes()[:100_000])
    with pytest.raises(ListFormatError, match="malformed XML"):
        read_list(path)


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY lol "lol">]>\n'
        "<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    with pytest.raises(ListFormatError, match=r":2: the document declares the entity 'lol'"):
        read_list(path, fmt="un")


def test_another_list_read_as_un_fails_naming_its_root(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?>\n<sdnList></sdnList>\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"other.xml:2: the root element is <sdnList>"):
        read_list(path, fmt="un")


def test_a_list_without_entries_reads_but_says_so(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-03-01T00:00:00Z">'
        "<INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    read = read_list(path)
    assert (read.entities, read.source_date) == ((), date(2026, 3, 1))
    assert read.warnings == (f"{path}: the file has no entries",)
