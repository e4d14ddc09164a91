"""Property tests of the MRZ reader: any text gives a result or an MrzError and nothing else; any zone
written with correct check digits reads back as written; a misread character fails exactly the checks
whose arithmetic can see it.

Examples per run (the settings below; hypothesis reports them with --hypothesis-show-statistics):
4,000 arbitrary texts, 2,000 random lines of MRZ characters in the three shapes, 1,200 mutated zones,
1,200 generated valid zones of all five formats, 1,200 single substitutions in a passport's line 2:
9,600 in all, about 12 s on one core. Two planted bugs (a wrong expiry century window, a composite
span one character short) were each found by these properties before this suite was kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transitguard.adapters.formats.mrz import MrzError, MrzResult, parse_mrz, result_as_json

VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MRZ_CHARS = VALUES + "<"
LETTERS = VALUES[10:]


def examples(count: int) -> settings:
    # No example database: a failure prints its falsifying example, and the repository stays clean.
    return settings(
        max_examples=count, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )


def value(char: str) -> int:
    return 0 if char == "<" else VALUES.index(char)


def cd(data: str) -> str:
    """Check digit, written independently of the code under test."""
    return str(sum(value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(data)) % 10)


@dataclass(frozen=True)
class Zone:
    text: str
    format: str
    expected: dict[str, str | None]
    truncated: bool
    today: date


def words(max_words: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.text(LETTERS, min_size=1, max_size=12), min_size=1, max_size=max_words)


@st.composite
def valid_zones(
    draw: st.DrawFn,
    formats: tuple[str, ...] = ("TD1", "TD2", "TD3", "MRVA", "MRVB"),
    filler_digit: bool = True,
) -> Zone:
    """A zone of one of `formats`, written by the Doc 9303 rules from random fields."""
    fmt = draw(st.sampled_from(formats))
    width = {"TD1": 30, "TD2": 36, "TD3": 44, "MRVA": 44, "MRVB": 36}[fmt]
    today = draw(st.dates(date(2000, 1, 1), date(2049, 12, 31)))
    # Birth: the 99 years up to this one; expiry: the 100 years that end 50 years ahead (docs/mrz.md).
    birth = draw(st.dates(date(today.year - 99, 1, 1), date(today.year, 12, 31)))
    expiry = draw(st.dates(date(today.year - 49, 1, 1), date(today.year + 50, 12, 31)))
    first = {"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(fmt) or draw(st.sampled_from("IAC"))
    code = first + draw(st.sampled_from(["<", *LETTERS]))
    state, nationality = (draw(st.sampled_from(["D<<", "RUS", "LTU", "BLR", "UTO"])) for _ in range(2))
    sex = draw(st.sampled_from("MF<"))
    name_width = 30 if fmt == "TD1" else width - 5
    surname, given = draw(words(3)), draw(st.lists(st.text(LETTERS, min_size=1, max_size=12), max_size=4))
    name = "<".join(surname) + ("<<" + "<".join(given) if given else "")
    if len(name) > name_width:
        name, given = "<".join(surname)[:name_width].rstrip("<"), []
        surname = [w for w in name.split("<") if w]
    overflow = fmt in ("TD1", "TD2") and draw(st.booleans())
    max_number = {"TD1": 22, "TD2": 14}.get(fmt, 9) if overflow else 9
    number = draw(st.text(VALUES, min_size=10 if overflow else 1, max_size=max_number))
    dates = birth.strftime("%y%m%d"), expiry.strftime("%y%m%d")

    def optional_field(size: int) -> str:
        return draw(st.text(MRZ_CHARS, max_size=size)).ljust(size, "<")

    if overflow:
        principal = number[:9] + "<"
        rest = number[9:] + cd(number) + "<"
    else:
        principal = number.ljust(9, "<") + cd(number.ljust(9, "<"))
        rest = ""
    dob = dates[0] + cd(dates[0])
    doe = dates[1] + cd(dates[1])
    if fmt == "TD1":
        option1 = rest + optional_field(15 - len(rest))
        option2 = optional_field(11)
        line1 = code + state + principal + option1
        line2 = dob + sex + doe + nationality + option2
        line2 += cd(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
        lines = [line1, line2, name.ljust(30, "<")]
        parts = [option1[len(rest) :].rstrip("<"), option2.rstrip("<")]
        optional = " ".join(p for p in parts if p)
    else:
        body = principal + nationality + dob + sex + doe
        if fmt == "TD3":
            personal = optional_field(14)
            as_filler = filler_digit and personal == "<" * 14 and draw(st.booleans())
            body += personal + ("<" if as_filler else cd(personal))
            body += cd(body[0:10] + body[13:20] + body[21:43])
            optional = personal.rstrip("<")
        elif fmt == "TD2":
            option = rest + optional_field(7 - len(rest))
            body += option + cd(body[0:10] + body[13:20] + body[21:28] + option)
            optional = option[len(rest) :].rstrip("<")
        else:
            option = optional_field(width - 28)
            body += option
            optional = option.rstrip("<")
        lines = [(code + state + name).ljust(width, "<"), body]
    for line in lines:
        assert len(line) == width, (fmt, line)
    expected: dict[str, str | None] = {
        "document_code": code.rstrip("<"),
        "issuing_state": "DEU" if state == "D<<" else state,
        "document_number": number,
        "nationality": "DEU" if nationality == "D<<" else nationality,
        "birth_date": birth.isoformat(),
        "sex": "X" if sex == "<" else sex,
        "expiry_date": expiry.isoformat(),
        "surname": " ".join(surname),
        "given_names": " ".join(given),
        "optional_data": optional,
    }
    return Zone("\n".join(lines), fmt, expected, len(name) == name_width, today)


@st.composite
def scanned(draw: st.DrawFn, zone: Zone) -> str:
    """The zone as a scanner may hand it over: lower case, CR LF, padding, blank lines."""
    lines = zone.text.split("\n")
    lines = [line.lower() if draw(st.booleans()) else line for line in lines]
    pad = st.sampled_from(["", " ", "  ", "\t"])
    lines = [draw(pad) + line + draw(pad) for line in lines]
    return draw(st.sampled_from(["", "\n", "\r\n  \r\n"])) + draw(st.sampled_from(["\n", "\r\n"])).join(lines)


def outcome(text: str) -> MrzResult | MrzError:
    try:
        return parse_mrz(text, today=date(2025, 6, 1))
    except MrzError as error:
        return error  # the only exception allowed: anything else fails the test


@examples(4_000)
@given(st.text())
def test_any_text_gives_a_result_or_an_mrz_error(text: str) -> None:
    assert isinstance(outcome(text), MrzResult | MrzError)


@examples(2_000)
@given(
    st.sampled_from([(30, 30, 30), (36, 36), (44, 44)]).flatmap(
        lambda widths: st.tuples(*(st.text(MRZ_CHARS, min_size=w, max_size=w) for w in widths))
    )
)
def test_any_lines_of_mrz_characters_and_the_right_lengths_are_a_zone(lines: tuple[str, ...]) -> None:
    result = outcome("\n".join(lines))
    assert isinstance(result, MrzResult)
    assert result.valid == (result.failed_checks == ())
    assert len(result.problems) >= len(result.failed_checks)
    assert json.loads(json.dumps(result_as_json(result))) == result_as_json(result)


MUTATION_CHARS = st.sampled_from(
    [*MRZ_CHARS, "a", "z", " ", "\n", "\r", "\t", "é", "ß", "ı", "\x00", "０", "٣"]
)


@examples(1_200)
@given(valid_zones(), st.data())
def test_a_mutated_zone_gives_a_result_or_an_mrz_error(zone: Zone, data: st.DataObject) -> None:
    text = zone.text
    substitutions_only = True
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["substitute", "insert", "delete", "cut"]))
        at = data.draw(st.integers(0, len(text)))
        if kind == "substitute" and at < len(text) and text[at] != "\n":
            char = data.draw(st.sampled_from(MRZ_CHARS))
            text = text[:at] + char + text[at + 1 :]
        elif kind == "insert":
            text = text[:at] + data.draw(MUTATION_CHARS) + text[at:]
            substitutions_only = False
        elif kind == "delete":
            text = text[:at] + text[at + 1 :]
            substitutions_only = False
        else:
            text = text[:at]
            substitutions_only = False
    found = outcome(text)
    assert isinstance(found, MrzResult | MrzError)
    if substitutions_only:  # the shape is intact, so it is a zone: damaged perhaps, but read
        assert isinstance(found, MrzResult)


@examples(1_200)
@given(valid_zones().flatmap(lambda zone: st.tuples(st.just(zone), scanned(zone))))
def test_a_zone_with_correct_check_digits_reads_back_as_written(case: tuple[Zone, str]) -> None:
    zone, text = case
    result = parse_mrz(text, today=zone.today)
    assert (result.format, result.valid, result.failed_checks) == (zone.format, True, ())
    assert {name: getattr(result.fields, name) for name in zone.expected} == zone.expected
    assert result.truncated == zone.truncated
    assert result.problems == ()


TD3_LINE2 = [  # (range of positions, the field check that covers it), 0-based, end exclusive
    (range(0, 9), "document_number"),
    (range(13, 19), "birth_date"),
    (range(21, 27), "expiry_date"),
    (range(28, 42), "optional_data"),
]
TD3_DIGITS = {9: "document_number", 19: "birth_date", 27: "expiry_date", 42: "optional_data"}
TD3_COMPOSITE = [*range(0, 10), *range(13, 20), *range(21, 43)]


@examples(1_200)
@given(
    valid_zones(formats=("TD3",), filler_digit=False),
    st.integers(0, 43),
    st.sampled_from(MRZ_CHARS),
)
def test_a_single_misread_character_fails_exactly_the_checks_that_can_see_it(
    zone: Zone, position: int, char: str
) -> None:
    line1, line2 = zone.text.split("\n")
    old = line2[position]
    damaged = parse_mrz(f"{line1}\n{line2[:position]}{char}{line2[position + 1 :]}", today=zone.today)
    # A check digit sums value × weight with weights 7, 3, 1, prime to 10: it sees a change of value
    # unless the change is a multiple of 10 (0, A, K, U and < look alike to it).
    seen = (value(char) - value(old)) % 10 != 0
    expected = []
    for positions, check in TD3_LINE2:
        if position in positions and seen:
            expected.append(check)
    unused_personal_number = position == 42 and char == "<" and line2[28:42] == "<" * 14
    if position in TD3_DIGITS and char != old and not unused_personal_number:
        expected.append(TD3_DIGITS[position])  # a check digit is compared as printed
    if (position in TD3_COMPOSITE and seen) or (position == 43 and char != old):
        expected.append("composite")
    assert damaged.failed_checks == tuple(expected)
