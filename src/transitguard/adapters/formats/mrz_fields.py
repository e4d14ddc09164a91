"""The parts of an ICAO Doc 9303 machine readable zone that mrz.py reads: where each field sits in the
five layouts, the check digit, and how dates, names and state codes are decoded (DOMAIN.md §6).

Everything here assumes lines that mrz.py has already checked: the right lengths, and only the
characters A–Z, 0–9 and `<`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

MrzFormat = Literal["TD1", "TD2", "TD3", "MRVA", "MRVB"]

ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"


def _weighted(weight: int) -> bytes:
    # A character's value times one of the weights, modulo 10: the check digit is then three sums of
    # bytes (positions 1, 4, 7 …; 2, 5, 8 …; 3, 6, 9 …), done in C, whatever the length of the field.
    values = bytes(weight * value % 10 for value in range(36)) + b"\x00"
    return bytes.maketrans(ALPHABET.encode("ascii"), values)


WEIGHTED: Final = (_weighted(7), _weighted(3), _weighted(1))
_IN_ALPHABET: Final = re.compile(r"[0-9A-Z<]*")

# A date of expiry is read in the 2000s; one that would then lie further ahead than any travel document
# is valid (ten years, a few states longer) can only be from the 1900s, e.g. a 1996 visa.
EXPIRY_HORIZON_YEARS: Final = 50

# (line, start, end), 0-based, end exclusive. A checked field's check digit sits at (line, end).
Span = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each field of one format sits."""

    format: MrzFormat
    name: Span
    document_number: Span
    nationality: Span
    birth_date: Span
    sex: tuple[int, int]
    expiry_date: Span
    optional: tuple[Span, ...]
    optional_checked: bool  # TD3's personal number has a check digit of its own
    composite: tuple[Span, ...]  # the spans the composite check digit covers; none on visas
    composite_digit: tuple[int, int]  # not read when there is no composite
    # Where a document number of more than 9 characters goes on (TD1, TD2): the 9 principal characters
    # stay in their field, its check digit position holds `<`, and the rest, then the check digit over
    # the whole number, then a `<`, open this optional field.
    overflow: Span | None
    # Fields of letters and fillers that no check digit covers: (what, line, start, end).
    letters_only: tuple[tuple[str, int, int, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        spans = (("issuing state", (0, 2, 5)), ("nationality", self.nationality), ("name", self.name))
        object.__setattr__(self, "letters_only", tuple((what, *span) for what, span in spans))


LAYOUTS: Final[dict[MrzFormat, Layout]] = {
    "TD1": Layout(
        "TD1",
        name=(2, 0, 30),
        document_number=(0, 5, 14),
        nationality=(1, 15, 18),
        birth_date=(1, 0, 6),
        sex=(1, 7),
        expiry_date=(1, 8, 14),
        optional=((0, 15, 30), (1, 18, 29)),
        optional_checked=False,
        composite=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
        composite_digit=(1, 29),
        overflow=(0, 15, 30),
    ),
    "TD2": Layout(
        "TD2",
        name=(0, 5, 36),
        document_number=(1, 0, 9),
        nationality=(1, 10, 13),
        birth_date=(1, 13, 19),
        sex=(1, 20),
        expiry_date=(1, 21, 27),
        optional=((1, 28, 35),),
        optional_checked=False,
        composite=((1, 0, 10), (1, 13, 20), (1, 21, 35)),
        composite_digit=(1, 35),
        overflow=(1, 28, 35),
    ),
    "TD3": Layout(
        "TD3",
        name=(0, 5, 44),
        document_number=(1, 0, 9),
        nationality=(1, 10, 13),
        birth_date=(1, 13, 19),
        sex=(1, 20),
        expiry_date=(1, 21, 27),
        optional=((1, 28, 42),),
        optional_checked=True,
        composite=((1, 0, 10), (1, 13, 20), (1, 21, 43)),
        composite_digit=(1, 43),
        overflow=None,
    ),
    "MRVA": Layout(
        "MRVA",
        name=(0, 5, 44),
        document_number=(1, 0, 9),
        nationality=(1, 10, 13),
        birth_date=(1, 13, 19),
        sex=(1, 20),
        expiry_date=(1, 21, 27),
        optional=((1, 28, 44),),
        optional_checked=False,
        composite=(),
        composite_digit=(1, 0),
        overflow=None,
    ),
    "MRVB": Layout(
        "MRVB",
        name=(0, 5, 36),
        document_number=(1, 0, 9),
        nationality=(1, 10, 13),
        birth_date=(1, 13, 19),
        sex=(1, 20),
        expiry_date=(1, 21, 27),
        optional=((1, 28, 36),),
        optional_checked=False,
        composite=(),
        composite_digit=(1, 0),
        overflow=None,
    ),
}


def digit_of(data: str) -> int:
    """The check digit of characters already known to be MRZ characters (the fast path)."""
    raw = data.encode("ascii")
    seven, three, one = WEIGHTED
    total = sum(raw[0::3].translate(seven)) + sum(raw[1::3].translate(three)) + sum(raw[2::3].translate(one))
    return total % 10


def check_digit(data: str) -> int:
    """ICAO 9303 check digit: 0–9 count as themselves, A–Z as 10–35, `<` as 0; weights 7, 3, 1
    repeating; the sum modulo 10."""
    if not _IN_ALPHABET.fullmatch(data):
        raise ValueError(f"{data!r} has characters outside the MRZ set (A–Z, 0–9, <)")
    return digit_of(data)


def birth_year(two_digits: int, today: date) -> int:
    # Nobody travels before they are born: a year after this year's two digits is from the 1900s.
    return 1900 + two_digits if two_digits > today.year % 100 else 2000 + two_digits


def expiry_year(two_digits: int, today: date) -> int:
    year = 2000 + two_digits
    return year if year <= today.year + EXPIRY_HORIZON_YEARS else year - 100


def read_date(yymmdd: str, today: date, birth: bool) -> str | None:
    """ISO date of a YYMMDD field, or None when it is not a real date (`<` for an unknown part,
    a letter where a digit belongs, a 31 April)."""
    if not yymmdd.isdigit():  # ASCII only here: the zone was checked against the MRZ set
        return None
    two_digits = int(yymmdd[:2])
    year = birth_year(two_digits, today) if birth else expiry_year(two_digits, today)
    try:
        return date(year, int(yymmdd[2:4]), int(yymmdd[4:6])).isoformat()
    except ValueError:
        return None


def read_sex(mark: str) -> str | None:
    # `<` is "unspecified"; some states print X for the same thing.
    if mark in ("M", "F"):
        return mark
    return "X" if mark in ("<", "X") else None


def read_state(code: str) -> str:
    """A state or nationality code with its fillers removed; Germany's MRZ code `D<<` becomes DEU
    (ICAO's one exception to ISO 3166 alpha-3), so one German passport never has two keys."""
    code = code.rstrip("<")
    return "DEU" if code == "D" else code


def split_name(name_field: str) -> tuple[str, str]:
    """(surname, given names) of `SURNAME<<GIVEN<NAMES<<<`, each with fillers read as spaces."""
    surname, _, given = name_field.rstrip("<").partition("<<")
    return " ".join(w for w in surname.split("<") if w), " ".join(w for w in given.split("<") if w)
