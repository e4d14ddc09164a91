"""ICAO Doc 9303 machine readable zones: TD1 identity cards (3×30), TD2 (2×36), TD3 passports (2×44)
and MRV-A (2×44) / MRV-B (2×36) visas, read and verified (DOMAIN.md §6; layouts in mrz_fields.py).

Bad input comes in two kinds, kept apart on purpose:
- text that is not an MRZ at all (an MRZ is 2 or 3 lines of the right length, of A–Z, 0–9 and `<`
  only) raises MrzError naming the line, the position and the reason;
- a zone of the right shape whose check digits disagree, a damaged or misread scan, comes back with
  valid=False, the names of the failed checks and problems naming line and position. Nothing is
  corrected: a guessed document number is worse than a scan the guard repeats.

Lines and positions in messages are 1-based and count the zone's own lines, blank lines left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from transitguard.adapters.formats.mrz_fields import (
    LAYOUTS,
    Layout,
    MrzFormat,
    check_digit,
    digit_of,
    read_date,
    read_sex,
    read_state,
    split_name,
)
from transitguard.errors import InputError

__all__ = [
    "MrzError",
    "MrzFields",
    "MrzFormat",
    "MrzResult",
    "check_digit",
    "parse_mrz",
    "parse_mrz_blocks",
    "result_as_json",
]

_ZONE_LINE: Final = re.compile(r"[0-9A-Z<]+")
_OUTSIDE: Final = re.compile(r"[^0-9A-Z<]")
# ASCII only: str.upper() would turn "ß" into "SS" and "ı" into "I", moving every position after it.
_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS: Final = "0123456789"
_DIGIT: Final = re.compile(r"[0-9]")
_TWO_LINE_RULE: Final = "a 2-line MRZ has 44 characters on each line (TD3, MRV-A) or 36 (TD2, MRV-B)"


class MrzError(InputError):
    """Text that is not a machine readable zone; `line` and `position` (1-based) say where it shows."""

    def __init__(self, reason: str, line: int | None = None, position: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.position = position
        where = ", ".join(
            part
            for part in (f"line {line}" if line else "", f"position {position}" if position else "")
            if part
        )
        super().__init__(f"{where}: {reason}" if where else reason)


@dataclass(frozen=True, slots=True)
class MrzFields:
    document_code: str  # "P", "I", "ID", "VN" …: the two characters without fillers
    issuing_state: str  # ICAO code as printed, except Germany's "D" which becomes "DEU"
    document_number: str  # the whole number, an overflow into the optional field included
    nationality: str
    birth_date: str | None  # ISO date, None when the zone does not hold a real date
    sex: str | None  # "M", "F", "X" (printed `<` or X); None for anything else
    expiry_date: str | None
    surname: str
    given_names: str
    optional_data: str  # TD1: both optional fields, separated by a space when both are used


@dataclass(frozen=True, slots=True)
class MrzResult:
    """One zone as read. The fields are as printed even when a check fails: never repaired."""

    format: MrzFormat
    valid: bool  # every check digit agrees with its data
    failed_checks: tuple[str, ...]  # of: document_number, birth_date, expiry_date, optional_data, composite
    fields: MrzFields
    # Messages for a person, in zone order: failed check digits, and fields that cannot be what they
    # claim (an impossible date, a digit in a name) even where no check digit covers them.
    problems: tuple[str, ...]
    raw_name: str  # the name field as printed, fillers kept: what the screening engine reads
    truncated: bool  # the name field is full, so the name may have been cut at its length
    lines: tuple[str, ...]  # the zone as read: stripped and upper-cased

    @property
    def name_for_screening(self) -> str:
        return f"{self.fields.surname} {self.fields.given_names}".strip()


def parse_mrz(text: str, today: date | None = None) -> MrzResult:
    """Read one zone. Blank lines, surrounding whitespace and lower case are tolerated. `today` decides
    the century of two-digit years (default: the system date)."""
    lines = _zone_lines(text)
    if len(lines) == 3:
        layout = LAYOUTS["TD1"]
    elif len(lines[0]) == 44:
        layout = LAYOUTS["MRVA" if lines[0][0] == "V" else "TD3"]
    else:
        layout = LAYOUTS["MRVB" if lines[0][0] == "V" else "TD2"]
    return _read(layout, lines, date.today() if today is None else today)


def parse_mrz_blocks(text: str, today: date | None = None) -> list[MrzResult | MrzError]:
    """Zones separated by blank lines, one result or error for each, in order."""
    if not isinstance(text, str):
        return [MrzError(f"an MRZ is text, not {type(text).__name__}")]
    outcomes: list[MrzResult | MrzError] = []
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line)
        elif block:
            try:
                outcomes.append(parse_mrz("\n".join(block), today))
            except MrzError as error:
                outcomes.append(error)
            block = []
    return outcomes


_JSON_FIELDS: Final = (
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
)


def result_as_json(result: MrzResult) -> dict[str, object]:
    """The shape `transitguard mrz parse` prints (docs/mrz.md)."""
    return {
        "format": result.format,
        "valid": result.valid,
        "failed_checks": list(result.failed_checks),
        "fields": {name: getattr(result.fields, name) for name in _JSON_FIELDS},
    }


# -- the shape of a zone ---------------------------------------------------------------------------


def _zone_lines(text: str) -> tuple[str, ...]:
    if not isinstance(text, str):
        raise MrzError(f"an MRZ is text, not {type(text).__name__}")
    lines = [line for line in (raw.strip() for raw in text.splitlines()) if line]
    count = len(lines)
    if count > 3 or count < 2:
        raise MrzError(f"an MRZ has 2 or 3 lines, this text has {count}", line=min(count + 1, 4))
    for index, line in enumerate(lines):
        if not _ZONE_LINE.fullmatch(line):
            line = lines[index] = line.translate(_UPPER)
            bad = _OUTSIDE.search(line)
            if bad is not None:
                raise MrzError(
                    f"{_shown(bad.group())} is not an MRZ character (A–Z, 0–9, <)", index + 1, bad.start() + 1
                )
    first = len(lines[0])
    if count == 3:
        width, rule = 30, "a 3-line MRZ (TD1) has 30 characters on each line"
    elif first in (44, 36):
        width, rule = first, "both lines of an MRZ have the same length"
    else:
        width, rule = (44 if first > 40 else 36), _TWO_LINE_RULE
    for index, line in enumerate(lines):
        length = len(line)
        if length != width:
            if length < width:
                raise MrzError(f"the line ends after {length} characters; {rule}", index + 1, length + 1)
            raise MrzError(f"the line has {length} characters; {rule}", index + 1, width + 1)
    return tuple(lines)


def _shown(char: str) -> str:
    if char == " ":
        return "a space"
    code = f"U+{ord(char):04X}"
    return f"{char!r} ({code})" if char.isprintable() else code


# -- reading and checking the fields ---------------------------------------------------------------


def _read(layout: Layout, lines: tuple[str, ...], today: date) -> MrzResult:
    failed: list[str] = []
    problems: list[tuple[int, int, str]] = []  # (line, index, message), sorted at the end

    line, start, end = layout.document_number
    number = lines[line][start:end]
    at_line, at = line, end
    overflow_rest: str | None = None
    if lines[line][end] == "<" and layout.overflow is not None:
        o_line, o_start, o_end = layout.overflow
        tail = lines[o_line][o_start:o_end]
        if tail[0] != "<":
            run = tail.split("<", 1)[0]  # the rest of the number, then its check digit
            number += run[:-1]
            at_line, at = o_line, o_start + len(run) - 1
            overflow_rest = tail[len(run) + 1 :]
    _check("document_number", "the document number", number, lines, at_line, at, failed, problems)

    line, start, end = layout.birth_date
    raw = lines[line][start:end]
    _check("birth_date", "the birth date", raw, lines, line, end, failed, problems)
    birth_date = read_date(raw, today, birth=True)
    if birth_date is None:
        problems.append((line, start, f"the birth date {raw} is not a real date"))

    line, start, end = layout.expiry_date
    raw = lines[line][start:end]
    _check("expiry_date", "the expiry date", raw, lines, line, end, failed, problems)
    expiry_date = read_date(raw, today, birth=False)
    if expiry_date is None:
        problems.append((line, start, f"the expiry date {raw} is not a real date"))

    parts = [lines[line][start:end].rstrip("<") for line, start, end in layout.optional]
    if overflow_rest is not None:
        parts[0] = overflow_rest.rstrip("<")  # the overflow field is always the first optional one
    if layout.optional_checked:
        line, start, end = layout.optional[0]
        raw = lines[line][start:end]
        # An unused personal number may carry `<` as its check digit instead of 0.
        if lines[line][end] != "<" or parts[0]:
            _check("optional_data", "the personal number", raw, lines, line, end, failed, problems)

    if layout.composite:
        composite = "".join([lines[line][start:end] for line, start, end in layout.composite])
        _check("composite", "", composite, lines, *layout.composite_digit, failed, problems)

    line, index = layout.sex
    sex = read_sex(lines[line][index])
    if sex is None:
        problems.append((line, index, f"sex is {lines[line][index]}, expected M, F or <"))
    # Letters only, but no check digit covers them: a digit here is a misreading worth showing.
    for what, line, start, end in layout.letters_only:
        digit = _DIGIT.search(lines[line], start, end)
        if digit is not None:
            problems.append((line, digit.start(), f"digit {digit.group()} in the {what}: a misread letter?"))

    first = lines[0]
    line, start, end = layout.nationality
    nationality = read_state(lines[line][start:end])
    line, start, end = layout.name
    raw_name = lines[line][start:end]
    surname, given_names = split_name(raw_name)
    return MrzResult(
        format=layout.format,
        valid=not failed,
        failed_checks=tuple(failed),
        fields=MrzFields(
            document_code=first[:2].rstrip("<"),
            issuing_state=read_state(first[2:5]),
            document_number=number.rstrip("<"),
            nationality=nationality,
            birth_date=birth_date,
            sex=sex,
            expiry_date=expiry_date,
            surname=surname,
            given_names=given_names,
            optional_data=parts[0] if len(parts) == 1 else " ".join(filter(None, parts)),
        ),
        problems=_messages(problems) if problems else (),
        raw_name=raw_name,
        truncated=raw_name[-1] != "<",
        lines=lines,
    )


def _check(
    check: str,
    what: str,
    data: str,
    lines: tuple[str, ...],
    line: int,
    index: int,
    failed: list[str],
    problems: list[tuple[int, int, str]],
) -> None:
    expected = digit_of(data)
    printed = lines[line][index]
    if printed != _DIGITS[expected]:
        failed.append(check)
        subject = f"check digit of {what} ({data.rstrip('<') or data})" if what else "composite check digit"
        problems.append((line, index, f"{subject} is {printed}, expected {expected}"))


def _messages(problems: list[tuple[int, int, str]]) -> tuple[str, ...]:
    return tuple(f"line {line + 1}, position {index + 1}: {text}" for line, index, text in sorted(problems))
