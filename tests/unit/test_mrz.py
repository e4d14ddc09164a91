"""The MRZ reader on the published specimens and the synthetic RUS/BLR/LTU zones in shared/data/mrz, on
damaged scans (each reported as the check that failed, never repaired), and on text that is no MRZ."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

from transitguard.adapters.formats.mrz import (
    MrzError,
    MrzResult,
    check_digit,
    parse_mrz,
    parse_mrz_blocks,
    result_as_json,
)
from transitguard.errors import InputError

MRZ_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "mrz"
DOC = Path(__file__).resolve().parents[2] / "docs" / "mrz.md"
TODAY = date(2025, 6, 1)

ICAO_TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
ICAO_TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
ICAO_TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
ICAO_MRVA = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"


def cd(data: str) -> str:
    """Check digit, written again here so that the tests do not trust the code they test."""
    values = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum((0 if c == "<" else values.index(c)) * (7, 3, 1)[i % 3] for i, c in enumerate(data))
    return str(total % 10)


def td3(name: str, number: str = "L898902C3", state: str = "UTO", personal: str = "ZE184226B") -> str:
    line1 = f"P<{state}{name}".ljust(44, "<")
    body = number.ljust(9, "<")
    body += cd(body) + "UTO7408122F1204159" + personal.ljust(14, "<") + cd(personal.ljust(14, "<"))
    assert (len(line1), len(body)) == (44, 43)
    return f"{line1}\n{body}{cd(body[0:10] + body[13:20] + body[21:43])}"


def td1(number: str, optional: str = "", name: str = "ERIKSSON<<ANNA<MARIA") -> str:
    if len(number) > 9:  # Doc 9303 Part 5: the rest of the number, its check digit and a filler
        line1 = f"I<UTO{number[:9]}<{number[9:]}{cd(number)}<{optional}".ljust(30, "<")
    else:
        line1 = f"I<UTO{number.ljust(9, '<')}{cd(number.ljust(9, '<'))}{optional}".ljust(30, "<")
    line2 = "7408122F1204159UTO<<<<<<<<<<<"
    assert len(line1) == 30
    return (
        f"{line1}\n{line2}{cd(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])}\n{name.ljust(30, '<')}"
    )


def flip(zone: str, line: int, position: int) -> str:
    """The zone with one character misread as its neighbour (value ±1, which every check sees)."""
    lines = zone.split("\n")
    old = lines[line - 1][position - 1]
    new = {"9": "8", "Z": "Y", "<": "1"}.get(old, chr(ord(old) + 1))
    lines[line - 1] = lines[line - 1][: position - 1] + new + lines[line - 1][position:]
    return "\n".join(lines)


def read_rows(name: str) -> list[dict[str, str]]:
    with (MRZ_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def zone_of(row: dict[str, str]) -> str:
    return "\n".join(line for line in (row["line1"], row["line2"], row["line3"]) if line)


# -- the shared data -------------------------------------------------------------------------------

SPECIMENS = read_rows("mrz_specimens.csv")
SYNTHETIC = read_rows("mrz_synthetic_rus_blr_ltu.csv")

# Fields read off the specimen documents by hand (where a specimen teaches something).
SPECIMEN_FIELDS: dict[str, dict[str, str | None]] = {
    "icao9303_td1_specimen": {"document_number": "D23145890", "given_names": "ANNA MARIA"},
    "icao9303_mrva_specimen": {
        "nationality": "XXX",
        "birth_date": "1940-09-07",
        "expiry_date": "1996-12-10",  # the 1900s: 2096 lies further ahead than any visa is valid
        "optional_data": "6ZE184226B",
    },
    "icao9303_mrvb_specimen": {"document_code": "V", "document_number": "L8988901C", "optional_data": ""},
    "esp_id_specimen": {"document_code": "ID", "surname": "ESPANOLA ESPANOLA", "optional_data": "99999999R"},
    "lie_id_specimen": {"surname": "OSPELT BECK", "given_names": "MARISA"},
    "lva_id_specimen": {"document_number": "PA9992921", "optional_data": "121282<88882"},
    "mco_id_specimen": {"document_number": "029067", "birth_date": "1999-01-01"},
    "swe_id_specimen": {"document_number": "59000002", "optional_data": "198703142391"},
    "srb_id_sample": {"birth_date": "1968-02-29", "optional_data": "2902968000000"},
    "usa_mrva_sample": {"document_code": "VN", "issuing_state": "USA", "nationality": "CAN"},
    "fra_mrvb_specimen": {"document_code": "VC", "birth_date": "2003-11-06", "optional_data": "<M300703"},
    "ltu_passport_specimen": {
        "surname": "BASANAVICIENE",
        "given_names": "BIRUTE",
        "birth_date": "1959-11-23",
        "expiry_date": "2016-08-28",
        "optional_data": "45911231023",
    },
    "uto_passport_arabic_translit": {"surname": "MXHMWD", "given_names": "EBDALRXHYM"},
}


@pytest.mark.parametrize("row", SPECIMENS, ids=[row["id"] for row in SPECIMENS])
def test_every_published_specimen_is_read_as_the_csv_says(row: dict[str, str]) -> None:
    result = parse_mrz(zone_of(row), today=TODAY)
    assert result.format == row["format"]
    assert result.valid == (row["checks_pass"] == "yes")
    assert result.failed_checks == ()
    assert result.problems == ()
    fields = result_as_json(result)["fields"]
    assert isinstance(fields, dict)
    for name, expected in SPECIMEN_FIELDS.get(row["id"], {}).items():
        assert fields[name] == expected, name


@pytest.mark.parametrize("row", SYNTHETIC, ids=[row["id"] for row in SYNTHETIC])
def test_every_synthetic_zone_is_read_as_the_csv_says(row: dict[str, str]) -> None:
    result = parse_mrz(zone_of(row), today=TODAY)
    assert result.format == row["format"]
    assert result.valid == (row["checks_pass"] == "yes")
    if row["defect"]:  # a changed document number or its check digit: both checks that cover it fail
        assert result.failed_checks == ("document_number", "composite")
        assert result.problems[0].startswith("line 2, position 10: check digit of the document number")
    fields = result.fields
    state = row["line1"][2:5]
    assert fields.issuing_state == fields.nationality == state
    # The name as an independent reading of the name field gives it.
    name_field = row["line3"] if row["format"] == "TD1" else row["line1"][5:]
    surname, _, given = name_field.rstrip("<").partition("<<")
    assert (fields.surname, fields.given_names) == (surname, given.replace("<", " "))
    assert result.name_for_screening == f"{surname} {given.replace('<', ' ')}"
    number_line = row["line1"][5:14] if row["format"] == "TD1" else row["line2"][:9]
    assert fields.document_number == number_line.rstrip("<")
    assert fields.sex in ("M", "F")
    assert "1900-01-01" < (fields.birth_date or "") < TODAY.isoformat()
    assert (fields.expiry_date or "") > "2025-01-01"


# -- the ICAO specimen of DOMAIN.md ----------------------------------------------------------------


def test_the_icao_passport_specimen() -> None:
    line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    assert [check_digit(line2[0:9]), check_digit(line2[13:19]), check_digit(line2[21:27])] == [6, 2, 9]
    assert check_digit(line2[28:42]) == 1
    assert check_digit(line2[0:10] + line2[13:20] + line2[21:43]) == 0
    result = parse_mrz(ICAO_TD3, today=TODAY)
    assert result == parse_mrz(f"  {ICAO_TD3.lower()}  \r\n\r\n", today=TODAY)  # tolerant of the scanner
    assert (result.format, result.valid, result.failed_checks, result.problems) == ("TD3", True, (), ())
    assert result.raw_name == "ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    assert result.name_for_screening == "ERIKSSON ANNA MARIA"
    assert result.truncated is False
    assert result.lines == tuple(ICAO_TD3.split("\n"))


# -- damaged scans: each reported as exactly the check that covers it -------------------------------


@pytest.mark.parametrize(
    ("check", "position"),
    [
        ("document_number", 3),
        ("document_number", 10),  # the check digit itself
        ("birth_date", 19),
        ("birth_date", 20),
        ("expiry_date", 27),
        ("expiry_date", 28),
        ("optional_data", 30),
        ("optional_data", 43),
    ],
)
def test_a_misread_character_fails_its_check_and_the_composite(check: str, position: int) -> None:
    result = parse_mrz(flip(ICAO_TD3, 2, position), today=TODAY)
    assert result.valid is False
    assert result.failed_checks == (check, "composite")
    assert len(result.problems) == 2


@pytest.mark.parametrize(
    ("check", "position"), [("document_number", 5), ("birth_date", 15), ("expiry_date", 27)]
)
def test_a_visa_has_no_composite_so_only_the_field_check_fails(check: str, position: int) -> None:
    assert parse_mrz(flip(ICAO_MRVA, 2, position), today=TODAY).failed_checks == (check,)


@pytest.mark.parametrize(
    ("zone", "line", "position", "checks"),
    [
        (ICAO_TD3, 2, 44, ("composite",)),
        (ICAO_TD1, 1, 8, ("document_number", "composite")),
        (ICAO_TD1, 1, 20, ("composite",)),  # TD1's optional data has no check digit of its own
        (ICAO_TD1, 2, 2, ("birth_date", "composite")),
        (ICAO_TD1, 2, 10, ("expiry_date", "composite")),
        (ICAO_TD1, 2, 30, ("composite",)),
        (ICAO_TD2, 2, 4, ("document_number", "composite")),
        (ICAO_TD2, 2, 36, ("composite",)),
        (ICAO_TD3, 2, 11, ()),  # nationality: no check digit covers it
        (ICAO_TD3, 1, 9, ()),  # the name has none either
    ],
)
def test_each_check_is_named_where_the_zone_was_misread(
    zone: str, line: int, position: int, checks: tuple[str, ...]
) -> None:
    assert parse_mrz(flip(zone, line, position), today=TODAY).failed_checks == checks


def test_a_problem_names_the_line_the_position_and_both_digits() -> None:
    damaged = parse_mrz(flip(ICAO_TD3, 2, 20), today=TODAY)
    assert damaged.problems == (
        "line 2, position 20: check digit of the birth date (740812) is 3, expected 2",
        "line 2, position 44: composite check digit is 0, expected 3",
    )
    # Nothing is repaired: the fields are read as printed.
    assert damaged.fields == parse_mrz(ICAO_TD3, today=TODAY).fields


def test_an_ocr_letter_in_a_check_digit_is_a_failed_check() -> None:
    zone = ICAO_TD3[:-1] + "O"
    result = parse_mrz(zone, today=TODAY)
    assert result.failed_checks == ("composite",)
    assert result.problems == ("line 2, position 44: composite check digit is O, expected 0",)


def test_fields_that_no_check_digit_covers_are_still_questioned() -> None:
    birth = "741312"  # no 13th month; the check digit is right for it
    line2 = f"L898902C36UTO{birth}{cd(birth)}A1204159ZE184226B<<<<<1"
    line2 += cd(line2[0:10] + line2[13:20] + line2[21:43])
    zone = f"P<UT0ERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n{line2}"
    result = parse_mrz(zone, today=TODAY)
    assert result.valid is True  # every check digit agrees
    assert (result.fields.birth_date, result.fields.sex) == (None, None)
    assert result.problems == (
        "line 1, position 5: digit 0 in the issuing state: a misread letter?",
        "line 1, position 12: digit 0 in the name: a misread letter?",
        "line 2, position 14: the birth date 741312 is not a real date",
        "line 2, position 21: sex is A, expected M, F or <",
    )


# -- documents numbers, names, codes and dates ------------------------------------------------------


def test_a_td1_document_number_over_nine_characters_continues_in_the_optional_field() -> None:
    zone = td1("D23145890734", optional="X42")
    assert zone.startswith("I<UTOD23145890<7349<X42<")  # Doc 9303 Part 5's own example
    result = parse_mrz(zone, today=TODAY)
    assert result.valid is True
    assert result.fields.document_number == "D23145890734"
    assert result.fields.optional_data == "X42"
    wrong = parse_mrz(flip(zone, 1, 19), today=TODAY)  # the check digit after the overflow
    assert wrong.failed_checks == ("document_number", "composite")
    assert wrong.problems[0] == (
        "line 1, position 19: check digit of the document number (D23145890734) is 8, expected 9"
    )


def test_a_td2_document_number_over_nine_characters_is_read_whole() -> None:
    line2 = "D23145890<UTO7408122F1204159" + f"734{cd('D23145890734')}<<<"
    zone = f"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n{line2}{cd(line2[0:10] + line2[13:20] + line2[21:35])}"
    result = parse_mrz(zone, today=TODAY)
    assert (result.valid, result.fields.document_number, result.fields.optional_data) == (
        True,
        "D23145890734",
        "",
    )


def test_a_short_number_with_a_missing_check_digit_is_not_taken_for_an_overflow() -> None:
    zone = td1("D23145890")
    zone = zone[:14] + "<" + zone[15:]
    result = parse_mrz(zone, today=TODAY)
    assert result.failed_checks[0] == "document_number"
    assert result.fields.document_number == "D23145890"


def test_several_given_names_and_a_surname_of_two_words() -> None:
    result = parse_mrz(td3("OSPELT<BECK<<ANNA<MARIA<LOUISE<<HELENE"), today=TODAY)
    assert result.valid is True
    assert (result.fields.surname, result.fields.given_names) == ("OSPELT BECK", "ANNA MARIA LOUISE HELENE")
    assert result.name_for_screening == "OSPELT BECK ANNA MARIA LOUISE HELENE"
    only_one_name = parse_mrz(td3("MXHMWD"), today=TODAY)
    assert (only_one_name.fields.surname, only_one_name.fields.given_names) == ("MXHMWD", "")


def test_a_name_that_fills_its_field_may_have_been_cut() -> None:
    name = "KONSTANTINOPOLSKAIA<<ALEKSANDRA<VLADIMIROVNA"[:39]
    result = parse_mrz(td3(name), today=TODAY)
    assert result.truncated is True
    assert result.raw_name == "KONSTANTINOPOLSKAIA<<ALEKSANDRA<VLADIMI"
    assert result.fields.given_names == "ALEKSANDRA VLADIMI"
    # On an ID card the field is 30 characters.
    card = parse_mrz(td1("D23145890", name="VASILJEVA<<JELENA<ALEKSANDROVNA"[:30]), today=TODAY)
    assert (card.truncated, card.fields.given_names) == (True, "JELENA ALEKSANDROVN")
    assert parse_mrz(td3("ERIKSSON<<ANNA"), today=TODAY).truncated is False


def test_germanys_d_becomes_deu_and_other_codes_stay() -> None:
    zone = "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nC01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4"
    result = parse_mrz(zone, today=TODAY)  # the German passport specimen
    assert result.valid is True
    assert (result.fields.issuing_state, result.fields.nationality) == ("DEU", "DEU")
    assert parse_mrz(ICAO_MRVA, today=TODAY).fields.nationality == "XXX"


def test_the_century_of_a_birth_year_follows_today() -> None:
    assert parse_mrz(ICAO_TD3, today=date(2025, 1, 1)).fields.birth_date == "1974-08-12"
    assert parse_mrz(ICAO_TD3, today=date(2074, 12, 31)).fields.birth_date == "2074-08-12"
    assert parse_mrz(ICAO_TD3, today=date(2073, 12, 31)).fields.birth_date == "1974-08-12"
    assert parse_mrz(ICAO_TD3, today=TODAY).fields.expiry_date == "2012-04-15"


def test_an_unused_personal_number_may_have_a_filler_as_its_check_digit() -> None:
    zone = td3("ERIKSSON<<ANNA", personal="")
    assert zone.endswith("<<<<<<<<<<<<<<0" + zone[-1])
    as_filler = zone[:-2] + "<" + zone[-1]  # `<` and 0 both count 0, so the composite stays right
    for variant in (zone, as_filler):
        result = parse_mrz(variant, today=TODAY)
        assert (result.valid, result.fields.optional_data) == (True, "")
    assert parse_mrz(td3("ERIKSSON<<ANNA", personal="1")[:-2] + "<0", today=TODAY).failed_checks[0] == (
        "optional_data"
    )


def test_sex_unspecified_is_x() -> None:
    line2 = ICAO_TD3.split("\n")[1]
    zone = ICAO_TD3.split("\n")[0] + "\n" + line2[:20] + "<" + line2[21:]
    assert parse_mrz(zone, today=TODAY).fields.sex == "X"


# -- not an MRZ ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: an MRZ has 2 or 3 lines, this text has 0"),
        (ICAO_TD3.split("\n")[1], "line 2: an MRZ has 2 or 3 lines, this text has 1"),
        (ICAO_TD3 + "\n" + ICAO_TD3, "line 4: an MRZ has 2 or 3 lines, this text has 4"),
        (
            ICAO_TD3[:-1],
            "line 2, position 44: the line ends after 43 characters; "
            "both lines of an MRZ have the same length",
        ),
        (
            ICAO_TD3[:61] + " " + ICAO_TD3[62:],
            "line 2, position 17: a space is not an MRZ character (A–Z, 0–9, <)",
        ),
        (
            "P<UTOÉRIKSSON<<ANNA\n" + ICAO_TD3.split("\n")[1],
            "line 1, position 6: 'É' (U+00C9) is not an MRZ character (A–Z, 0–9, <)",
        ),
        (
            ICAO_TD3.replace("P<UTO", "P<UTOX"),
            "line 1, position 45: the line has 45 characters; a 2-line MRZ has 44 characters on each line "
            "(TD3, MRV-A) or 36 (TD2, MRV-B)",
        ),
        (
            ICAO_TD1.replace("I<UTO", "I<UTOX"),
            "line 1, position 31: the line has 31 characters; "
            "a 3-line MRZ (TD1) has 30 characters on each line",
        ),
        ("straße\nstraße", "line 1, position 5: 'ß' (U+00DF) is not an MRZ character (A–Z, 0–9, <)"),
    ],
)
def test_text_that_is_not_an_mrz_is_an_error_naming_line_and_position(text: str, message: str) -> None:
    with pytest.raises(MrzError) as caught:
        parse_mrz(text, today=TODAY)
    assert caught.value.message == message
    assert isinstance(caught.value, InputError)
    assert caught.value.http_status == 422


def test_blocks_separated_by_blank_lines_give_one_outcome_each() -> None:
    text = f"\r\n{ICAO_TD3}\r\n\r\n{ICAO_TD1.lower()}\n   \nnot an mrz\nat all\n\n{flip(ICAO_TD2, 2, 4)}\n"
    outcomes = parse_mrz_blocks(text, today=TODAY)
    assert [type(o).__name__ for o in outcomes] == ["MrzResult", "MrzResult", "MrzError", "MrzResult"]
    first, second, third, fourth = outcomes
    assert isinstance(first, MrzResult)
    assert first.valid
    assert isinstance(second, MrzResult)
    assert (second.format, second.valid) == ("TD1", True)
    assert isinstance(third, MrzError)
    assert (third.line, third.position) == (1, 4)
    assert isinstance(fourth, MrzResult)
    assert fourth.failed_checks == ("document_number", "composite")
    assert parse_mrz_blocks("\n \n") == []


# -- the JSON shape and docs/mrz.md ----------------------------------------------------------------


def test_the_json_shape_is_exactly_the_documented_one() -> None:
    shown = result_as_json(parse_mrz(flip(ICAO_TD1, 2, 2), today=TODAY))
    assert list(shown) == ["format", "valid", "failed_checks", "fields"]
    assert shown["failed_checks"] == ["birth_date", "composite"]
    assert isinstance(shown["fields"], dict)
    assert list(shown["fields"]) == [
        "document_code",
        "issuing_state",
        "document_number",
        "nationality",
        "birth_date",
        "sex",
        "expiry_date",
        "surname",
        "given_names",
        "optional_data",
    ]
    assert json.loads(json.dumps(shown)) == shown


def doc_blocks(section: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8").split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:text|json)\n(.+?)\n```", text, flags=re.DOTALL)


def test_the_example_in_the_docs_is_what_the_reader_gives() -> None:
    zone, output, problems = doc_blocks("Example")
    assert result_as_json(parse_mrz(zone, today=TODAY)) == json.loads(output)
    damaged = parse_mrz(flip(zone, 2, 20), today=TODAY)
    assert damaged.failed_checks == ("birth_date", "composite")
    assert damaged.problems == tuple(problems.split("\n"))


def test_the_errors_in_the_docs_are_what_the_reader_raises() -> None:
    (shown, *_) = doc_blocks("What is checked")
    raised = []
    for text in (ICAO_TD3[:61] + " " + ICAO_TD3[62:], ICAO_TD3[:-1]):
        with pytest.raises(MrzError) as caught:
            parse_mrz(text)
        raised.append(caught.value.message)
    assert raised == shown.split("\n")
