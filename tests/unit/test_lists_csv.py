"""transitguard's CSV for national lists: the documented example imports, bad files fail whole.
Also the registry: read_list tells every format from the file's content."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from transitguard.adapters.lists import FORMATS, ListFormatError, read_list
from transitguard.adapters.lists.national_csv import COLUMNS
from transitguard.domain.watchlists import ListedDocument, PartialDate

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "watchlists.md"
SANCTIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lists"
HEADER = ",".join(COLUMNS)


def documented_example() -> str:
    found = re.search(r"```csv national-list\n(.+?)\n```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert found, "docs/watchlists.md has no ```csv national-list block"
    return found.group(1) + "\n"


def write(tmp_path: Path, text: str, name: str = "national.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_imports(tmp_path: Path) -> None:
    read = read_list(write(tmp_path, documented_example()))
    assert (read.format, read.warnings) == ("csv", ())
    sidorov, kovaleva, company = read.entities
    assert [(n.full, n.kind) for n in sidorov.names] == [
        ("Иван Петрович Сидоров", "primary"),
        ("Ivan Petrovich SIDOROV", "alias"),
        ("Ivan SIDOROV", "alias"),
    ]
    assert (sidorov.names[0].first, sidorov.names[0].middle, sidorov.names[0].last) == (
        "Иван",
        "Петрович",
        "Сидоров",
    )
    assert sidorov.birth_dates == (PartialDate(1971, 3, 12), PartialDate(1972))
    assert sidorov.documents == (
        ListedDocument("752345678", "passport", "RUS"),
        ListedDocument("4510 123456", "internal passport", "RUS"),
    )
    assert (sidorov.sex, sidorov.listed_on, sidorov.programs) == ("M", date(2024, 5, 14), ("LT-ENTRY-BAN",))
    assert kovaleva.caption == "Anna Sergeyevna Kovaleva"  # made of the parts: the name cell is empty
    assert kovaleva.nationalities == ("BLR", "RUS")
    assert kovaleva.documents == (ListedDocument("MP1234567", None, "BLR"),)
    assert (company.schema, company.caption) == ("Company", 'UAB "Baltic Transit Services"')
    assert company.programs == ("LT-ASSET-FREEZE", "EU-RUS")


def test_the_documented_columns_are_the_columns_read() -> None:
    table = DOC.read_text(encoding="utf-8").split("## transitguard's CSV for national lists")[1]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)
    assert documented == list(COLUMNS)
    assert documented_example().splitlines()[0] == HEADER


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("p1,Person,A B,,,,,1965-02-30,,,,,,", "birth_dates", "'1965-02-30' is an impossible date"),
        ("p1,Person,A B,,,,,12.03.1965,,,,,,", "birth_dates", "is not a date in the form YYYY"),
        ("p1,Person,A B,,,,,,,X,,,,", "sex", "'X' is not M, F or empty"),
        ("p1,Person,A B,,,,,,,,passport-123,,,", "documents", "'passport-123' is not TYPE:NUMBER:COUNTRY"),
        ("p1,Person,A B,,,,,,,,,,14.05.2024,", "listed_on", "is not a date in the form YYYY-MM-DD"),
        ("p1,Human,A B,,,,,,,,,,,", "schema", "'Human' is not one of Person"),
        (",Person,A B,,,,,,,,,,,", "entity_id", "required"),
        ("p1,Person,,,,,,,,,,,,", "entity_id p1", "the entry has no name"),
        ("p1,Person,A B,,,,,,,", "", "expected 14 cells as in the header, found 10"),
    ],
)
def test_a_bad_row_fails_naming_line_field_and_reason(
    tmp_path: Path, row: str, field: str, reason: str
) -> None:
    path = write(tmp_path, f"{HEADER}\np0,Person,C D,,,,,,,,,,,\n{row}\n")
    with pytest.raises(ListFormatError) as caught:
        read_list(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.field) == (str(path), 3, field)
    assert reason in problem.reason


def test_all_problems_of_a_file_are_named_together(tmp_path: Path) -> None:
    text = f"{HEADER}\np1,Person,A B,,,,,,,,,,,\np2,Person,C D,,,,,,,Q,,,,\np1,Company,E,,,,,,,,,,,\n"
    with pytest.raises(ListFormatError) as caught:
        read_list(write(tmp_path, text))
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (3, "'Q' is not M, F or empty"),
        (4, "duplicate id p1 (first at line 2)"),
    ]


def test_a_quoted_cell_across_lines_keeps_the_next_row_numbered_right(tmp_path: Path) -> None:
    text = f'{HEADER}\np1,Person,A B,,,,,,,,,,,"two\nlines"\np2,Person,C D,,,,,,,Q,,,,\n'
    with pytest.raises(ListFormatError, match=r"national.csv:4: sex: 'Q'"):
        read_list(write(tmp_path, text))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (HEADER.replace(",remarks", ""), "missing column(s): remarks"),
        (HEADER + ",notes", "unknown column(s): notes"),
        (HEADER + ",sex", "repeated column(s): sex"),
    ],
)
def test_the_header_must_name_the_columns(tmp_path: Path, header: str, reason: str) -> None:
    with pytest.raises(ListFormatError, match=rf"national.csv:1: header: {re.escape(reason)}"):
        read_list(write(tmp_path, header + "\n"), fmt="csv")


def test_columns_may_come_in_any_order_and_countries_as_names(tmp_path: Path) -> None:
    header = ",".join(reversed(COLUMNS))
    row = ",".join(reversed(["p1", "Person", "A B", "", "", "", "", "", "Belarus;ru", "", "", "", "", ""]))
    read = read_list(write(tmp_path, f"{header}\n{row}\n"), fmt="csv")
    assert read.entities[0].nationalities == ("BLR", "RUS")


def test_a_file_that_is_not_utf8_fails_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_bytes(
        f"{HEADER}\np1,Person,A B,,,,,,,,,,,\n".encode() + "p2,Person,Öl,,,,,,,,,,,\n".encode("latin-1")
    )
    with pytest.raises(ListFormatError, match=r"national.csv:3: not UTF-8"):
        read_list(path)


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (SANCTIONS / "opensanctions_ftm" / "yente_t1_eu_fsf_sample.ftm.jsonl", "ftm"),
        (SANCTIONS / "un" / "UN_consolidated_2026-02-27.xml", "un"),
        (SANCTIONS / "ofac" / "ofac_sdn.csv", "ofac-csv"),
        (FIXTURES / "ofac_sdn.xml", "ofac-xml"),
        (FIXTURES / "eu_fsf.xml", "eu"),
    ],
)
def test_every_format_is_told_from_the_content(path: Path, fmt: str, tmp_path: Path) -> None:
    # Under a name that says nothing, so only the content can tell.
    copy = tmp_path / "download.bin"
    copy.write_bytes(path.read_bytes())
    assert read_list(copy).format == fmt
    assert fmt in FORMATS


def test_a_file_of_no_known_format_or_an_unknown_format_name_fails(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="cannot tell the list format"):
        read_list(write(tmp_path, "name;birth\nA B;1965\n", "list.txt"))
    with pytest.raises(ListFormatError, match=r"XML whose root is <html>"):
        read_list(write(tmp_path, "<html><body/></html>\n", "list.xml"))
    with pytest.raises(ListFormatError, match="unknown list format 'xlsx'"):
        read_list(write(tmp_path, HEADER + "\n"), fmt="xlsx")
    with pytest.raises(ListFormatError, match="no such file"):
        read_list(tmp_path / "missing.csv")
    with pytest.raises(ListFormatError, match="the file is empty"):
        read_list(write(tmp_path, "", "empty.csv"))
