"""OFAC SDN: the legacy CSV from shared/data (with its alt.csv and comments) and the XML fixture."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from transitguard.adapters.lists import ListFormatError, ListRead, read_list
from transitguard.adapters.lists.ofac_remarks import birth_dates, read_remarks
from transitguard.domain.watchlists import ListedDocument, ListedEntity, PartialDate

OFAC = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions" / "ofac"
SDN_CSV = OFAC / "ofac_sdn.csv"
SDN_XML = Path(__file__).resolve().parents[1] / "fixtures" / "lists" / "ofac_sdn.xml"


@pytest.fixture(scope="module")
def sdn() -> ListRead:
    return read_list(SDN_CSV)


def entry(read: ListRead, entity_id: str) -> ListedEntity:
    return next(e for e in read.entities if e.entity_id == entity_id)


def test_every_row_is_an_entry_of_its_type(sdn: ListRead) -> None:
    assert sdn.format == "ofac-csv"
    schemas = [e.schema for e in sdn.entities]
    assert len(schemas) == 8976
    assert (schemas.count("Person"), schemas.count("Organization")) == (4620, 3673)
    assert (schemas.count("Vessel"), schemas.count("Airplane")) == (406, 277)


def test_dob_circa_1965_gives_the_year_1965(sdn: ListRead) -> None:
    wife = entry(sdn, "ofac-8185")  # "DOB circa 1965; POB Al-Dur, Iraq; nationality Iraq; ..."
    assert wife.birth_dates == (PartialDate(1965),)
    assert wife.nationalities == ("IRQ",)
    assert (wife.names[0].first, wife.names[0].last) == ("Nidal", "AL-RABI'I")


def test_an_individual_gets_dates_passports_nationality_sex_and_weak_aliases(sdn: ListRead) -> None:
    person = entry(sdn, "ofac-13088")
    assert person.names[0].full == "KHRISTOFOROV, Vasiliy Aleksandrovich"
    assert (person.names[0].first, person.names[0].last) == ("Vasiliy Aleksandrovich", "KHRISTOFOROV")
    assert person.birth_dates == (PartialDate(1972, 3, 12),)
    assert person.nationalities == ("RUS",)
    assert person.sex == "M"
    assert ListedDocument("637186356", "Passport", "RUS") in person.documents
    assert ListedDocument("76481815", "National ID No.", "ARE") in person.documents
    assert {(n.full, n.kind) for n in person.names} >= {("VASYA VOSKRES", "weak"), ("VOSKRES", "weak")}
    assert person.programs == ("TCO",)


def test_alt_csv_gives_aliases_and_remarks_the_weak_ones(sdn: ListRead) -> None:
    bank = entry(sdn, "ofac-306")
    assert [(n.full, n.kind) for n in bank.names] == [
        ("BANCO NACIONAL DE CUBA", "primary"),
        ("BNC", "weak"),  # remarks: a.k.a. 'BNC'
        ("NATIONAL BANK OF CUBA", "alias"),  # alt.csv
    ]


def test_multi_programme_rows_and_year_ranges(sdn: ListRead) -> None:
    naqdi = entry(
        sdn, "ofac-12057"
    )  # "DOB 1951 to 1953; alt. DOB 1960 to 1962; alt. DOB Apr 1961; alt. DOB 1953"
    assert naqdi.programs == ("SDGT", "NPWMD", "IRGC", "IFSR", "IRAN-HR", "IRAN-EO13876")
    assert [d.iso() for d in naqdi.birth_dates] == ["1951", "1952", "1953", "1960", "1961", "1962", "1961-04"]


def test_a_vessel_has_its_flag_as_nationality(sdn: ListRead) -> None:
    vessel = entry(sdn, "ofac-4234")
    assert (vessel.schema, vessel.nationalities) == ("Vessel", ("CUB",))
    assert ("call_sign", "CL2685") in vessel.extra


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 Mar 1965", ["1965-03-12"]),
        ("Mar 1965", ["1965-03"]),
        ("circa 1965", ["1965"]),
        ("1960 to 1962", ["1960", "1961", "1962"]),
        ("01 Jan 1960 to 31 Dec 1961", ["1960", "1961"]),
        ("12 Jan 1965 to 12 Jan 1965", ["1965-01-12"]),
        ("circa 1965-1966", ["1965", "1966"]),
    ],
)
def test_ofac_date_of_birth_texts(text: str, expected: list[str]) -> None:
    assert [d.iso() for d in birth_dates(text) or ()] == expected


def test_remarks_items() -> None:
    facts = read_remarks(
        "DOB 12 Mar 1965; POB Moscow, Russia; nationality Russia; citizen Belarus; Gender Female; "
        "Passport 123456 (Russia) issued 01 Jan 2010 expires 01 Jan 2020; alt. Passport AB 65432; "
        "a.k.a. 'SVETA'; Linked To: SOMETHING LLC."
    )
    assert facts.birth_dates == [PartialDate(1965, 3, 12)]
    assert facts.birth_places == ["Moscow, Russia"]
    assert facts.countries == ["Russia", "Belarus"]
    assert facts.sex == "F"
    assert facts.documents == [("Passport", "123456", "Russia"), ("Passport", "AB 65432", None)]
    assert facts.weak_aliases == ["SVETA"]


def copy_with(tmp_path: Path, line_number: int, new_line: str) -> Path:
    lines = SDN_CSV.read_bytes().split(b"\r\n")
    lines[line_number - 1] = new_line.encode("latin-1")
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"\r\n".join(lines))
    return path


def test_a_row_with_a_missing_column_fails_naming_file_and_line(tmp_path: Path) -> None:
    path = copy_with(tmp_path, 100, '4321,"SOME NAME","individual","CUBA"')
    with pytest.raises(ListFormatError) as caught:
        read_list(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line) == (str(path), 100)
    assert problem.reason.startswith("expected 12 columns (ent_num, SDN_Name, SDN_Type")


def test_an_impossible_date_of_birth_fails(tmp_path: Path) -> None:
    row = (
        '8185,"AL-RABI\'I, Nidal","individual","IRAQ2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 31 Feb 1965."'
    )
    path = copy_with(tmp_path, 955, row)
    with pytest.raises(
        ListFormatError, match=r"sdn.csv:955: Remarks: DOB 31 Feb 1965: '31 Feb 1965' is an impossible date"
    ):
        read_list(path)


def test_a_repeated_ent_num_fails(tmp_path: Path) -> None:
    path = copy_with(tmp_path, 2, '36,"ANOTHER AIRLINE",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ')
    with pytest.raises(
        ListFormatError, match=r"sdn.csv:2: ent_num 36: duplicate id ofac-36 \(first at line 1\)"
    ):
        read_list(path)


def test_a_bad_alt_file_fails_the_whole_list(tmp_path: Path) -> None:
    shutil.copy(SDN_CSV, tmp_path / "sdn.csv")
    lines = (OFAC / "ofac_alt.csv").read_bytes().split(b"\r\n")
    lines[4] = b'552,475,"aka"'
    (tmp_path / "alt.csv").write_bytes(b"\r\n".join(lines))
    with pytest.raises(ListFormatError, match=r"alt.csv:5: expected 5 columns"):
        read_list(tmp_path / "sdn.csv")


def test_the_xml_fixture_reads_like_the_csv(sdn: ListRead) -> None:
    read = read_list(SDN_XML)
    assert (read.format, read.source_date) == ("ofac-xml", date(2021, 7, 15))
    xml_person, csv_person = entry(read, "ofac-13088"), entry(sdn, "ofac-13088")
    for field in ("schema", "birth_dates", "nationalities", "sex", "documents", "programs"):
        assert getattr(xml_person, field) == getattr(csv_person, field), field
    assert set(xml_person.names) == set(csv_person.names)  # the CSV has them in two files, so another order
    assert entry(read, "ofac-7782").birth_dates == (PartialDate(1951),)  # "circa 1951"
    assert [n.kind for n in entry(read, "ofac-36").names] == ["primary", "alias"]
    assert entry(read, "ofac-4234").nationalities == ("CUB",)
    assert entry(read, "ofac-12057").sex == "M"  # idType Gender


def test_a_malformed_xml_copy_fails_naming_file_and_line(tmp_path: Path) -> None:
    text = SDN_XML.read_text(encoding="utf-8").replace("<uid>7782</uid>", "<uid>7782</id>", 1)
    path = tmp_path / "sdn.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ListFormatError, match=rf"^{path}:47: malformed XML: mismatched tag"):
        read_list(path)


def test_an_impossible_xml_date_of_birth_fails_at_its_element(tmp_path: Path) -> None:
    text = SDN_XML.read_text(encoding="utf-8").replace("12 Mar 1972", "30 Feb 1972", 1)
    path = tmp_path / "sdn.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ListFormatError) as caught:
        read_list(path)
    (problem,) = caught.value.problems
    assert problem.field == "sdnEntry[13088]/dateOfBirthList/dateOfBirthItem/dateOfBirth"
    assert (
        SDN_XML.read_text(encoding="utf-8").splitlines()[problem.line - 1].strip()
        == "<dateOfBirth>12 Mar 1972</dateOfBirth>"
    )
