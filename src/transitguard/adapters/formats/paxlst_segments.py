"""The UN/EDIFACT syntax layer under the PAXLST reader and writer: decoding, UNA, segments, dates.

The splitter here does what pydifact's Tokenizer does (UNA service string advice, custom separators,
the release character) with one regular expression per segment instead of one Python call per
character: pydifact's tokeniser alone reads 5,000-9,000 persons a second here, no more than the
reader's whole budget (bench/paxlst.py measures both). pydifact stays the reference: `una_characters`
reads the UNA with it, the writer serialises with it, and tests check that this splitter and pydifact's
tokeniser see the same segments in every sample (test_paxlst.py) and in whatever the writer writes
(test_paxlst_roundtrip.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from pydifact import Characters
from pydifact.exceptions import ValidationError as PydifactValidationError

from transitguard.errors import InputError

__all__ = [
    "DEFAULT_CHARACTERS",
    "Decoded",
    "PaxlstError",
    "Segment",
    "Split",
    "Syntax",
    "byte_offset",
    "decode",
    "format_date",
    "format_time",
    "parse_date",
    "resolve_birth_date",
    "split_segments",
    "una_characters",
]


class PaxlstError(InputError):
    """A PAXLST input that cannot be read: names the source, the segment (number and tag) or the byte
    offset where reading stopped, and why."""

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        segment: int | None = None,
        tag: str | None = None,
        byte: int | None = None,
    ) -> None:
        where = source
        if segment is not None:
            where += f": segment {segment}" + (f" ({tag})" if tag else "")
        if byte is not None:
            where += f" at byte {byte}"
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.reason = reason
        self.segment = segment
        self.tag = tag
        self.byte = byte

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["location"] = {  # type: ignore[index]
            "source": self.source,
            "segment": self.segment,
            "tag": self.tag,
            "byte": self.byte,
        }
        return body


@dataclass(frozen=True, slots=True)
class Syntax:
    """The service characters of one interchange (from its UNA, or the defaults)."""

    component: str = ":"
    element: str = "+"
    release: str | None = "?"
    terminator: str = "'"

    def __post_init__(self) -> None:
        used = [self.component, self.element, self.terminator]
        if self.release is not None:
            used.append(self.release)
        if len(set(used)) != len(used):
            raise ValueError(f"the separators {''.join(used)!r} are not all different")
        if any(c.isalnum() or c == " " for c in used):
            raise ValueError(f"the separators {''.join(used)!r} include a letter, digit or space")


DEFAULT_CHARACTERS = Syntax()


class Segment(NamedTuple):
    """One segment: its tag and data elements, each a tuple of components (a simple element is a
    one-component tuple). `number` counts segments from the start of the input (a UNA counts too).
    A NamedTuple, not a dataclass: it is built once per segment, and builds in half the time."""

    tag: str
    elements: tuple[tuple[str, ...], ...]
    number: int
    offset: int  # character offset in the decoded text, for error messages

    def value(self, element: int, component: int = 1) -> str:
        """Element `element`, component `component`, both 1-based as in the EDIFACT directories;
        "" where the segment leaves them out."""
        if element <= len(self.elements):
            components = self.elements[element - 1]
            if component <= len(components):
                return components[component - 1]
        return ""


@dataclass(frozen=True)
class Decoded:
    text: str
    codec: str
    start: int  # where the first segment may start (after a byte order mark)
    note: str | None  # a decoding fallback the reader should report


# Character repertoires of ISO 9735 (UNB syntax identifier) that are not ASCII-compatible UTF-8.
_CODECS = {
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
}
_SYNTAX_ID = re.compile(rb"UNB[^A-Za-z0-9]\s*(UNO[A-Z])")


def decode(data: bytes | str) -> Decoded:
    """Text from the input bytes: the 8-bit repertoire the UNB names (UNOC..UNOK), else UTF-8, and
    ISO 8859-1 when the bytes are not UTF-8 (UNOA files with stray 8-bit letters exist), noted."""
    if isinstance(data, str):
        return Decoded(data, "utf-8", 1 if data.startswith("\ufeff") else 0, None)
    declared = _SYNTAX_ID.search(data[:4096])
    codec = _CODECS.get(declared.group(1).decode("ascii")) if declared else None
    if codec is not None:
        text = data.decode(codec, errors="replace")
        note = None if "\ufffd" not in text else f"bytes not in {codec} were replaced by U+FFFD"
        return Decoded(text, codec, 0, note)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        note = f"not UTF-8 (byte {exc.start} is {data[exc.start]:#04x}); read as ISO 8859-1"
        return Decoded(data.decode("latin-1"), "latin-1", 0, note)
    return Decoded(text, "utf-8", 1 if text.startswith("\ufeff") else 0, None)


def una_characters(advice: str) -> Syntax:
    """The service characters of a UNA (`UNA:+.? '`), read with pydifact. A space in the release
    position means the interchange has no release character."""
    try:
        characters = Characters.from_str(advice)
    except PydifactValidationError as exc:
        raise ValueError(str(exc)) from None
    release = characters.escape_character
    return Syntax(
        component=characters.component_separator,
        element=characters.data_separator,
        release=None if release == " " else release,
        terminator=characters.segment_terminator,
    )


@lru_cache(maxsize=64)
def _patterns(syntax: Syntax) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """A segment up to its unreleased terminator, and the tokens of a segment that holds releases.
    Possessive quantifiers: an unterminated tail fails in linear time, never backtracks."""
    term = re.escape(syntax.terminator)
    if syntax.release is None:
        return re.compile(f"[^{term}]*+{term}"), None
    rel = re.escape(syntax.release)
    segment = re.compile(f"[^{term}{rel}]*+(?:{rel}.[^{term}{rel}]*+)*+{term}", re.DOTALL)
    tokens = re.compile(f"({rel}.|{re.escape(syntax.component)}|{re.escape(syntax.element)})", re.DOTALL)
    return segment, tokens


def _released(raw: str, syntax: Syntax, tokens: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """Split a segment that contains release characters (the slow path, rare in real lists)."""
    elements: list[tuple[str, ...]] = []
    components: list[str] = []
    current: list[str] = []
    for index, part in enumerate(tokens.split(raw)):
        if index % 2 == 0:
            current.append(part)
        elif part == syntax.component:
            components.append("".join(current))
            current = []
        elif part == syntax.element:
            components.append("".join(current))
            elements.append(tuple(components))
            components, current = [], []
        else:
            current.append(part[1])
    components.append("".join(current))
    elements.append(tuple(components))
    return tuple(elements)


_TAG = re.compile(r"[A-Z0-9]{3}")
_SPACE = " \t\r\n"


@dataclass(frozen=True)
class Split:
    segments: list[Segment]
    trailing: tuple[int, str] | None  # unterminated text after the last UNZ: (offset, text)


def split_segments(decoded: Decoded, source: str) -> Split:
    """Every segment of the input, across interchanges; a UNA at the start of an interchange sets the
    service characters until its UNZ. Raises PaxlstError for text that is not EDIFACT."""
    text = decoded.text
    end = len(text)
    position = decoded.start
    number = 0
    segments: list[Segment] = []
    at_interchange_start = True
    last_tag = ""
    syntax = DEFAULT_CHARACTERS
    segment_pattern, tokens = _patterns(syntax)
    release, element, component = syntax.release, syntax.element, syntax.component
    while True:
        while position < end and text[position] in _SPACE:
            position += 1
        if position >= end:
            return Split(segments, None)
        if at_interchange_start:
            at_interchange_start = False
            syntax = DEFAULT_CHARACTERS
            if text.startswith("UNA", position):
                number += 1
                advice = text[position : position + 9]
                try:
                    syntax = una_characters(advice)
                except ValueError as exc:
                    raise PaxlstError(
                        source,
                        f"UNA {advice!r} is not a usable service string advice: {exc}",
                        segment=number,
                        tag="UNA",
                        byte=_byte(decoded, position),
                    ) from None
                position += 9
            segment_pattern, tokens = _patterns(syntax)
            release, element, component = syntax.release, syntax.element, syntax.component
            continue
        found = segment_pattern.match(text, position)
        if found is None:
            if last_tag == "UNZ":
                return Split(segments, (position, text[position:]))
            raise PaxlstError(
                source,
                f"the text from here on has no segment terminator {syntax.terminator!r}"
                " (a truncated file, or not EDIFACT)",
                segment=number + 1,
                byte=_byte(decoded, position),
            )
        number += 1
        after = found.end()
        raw = text[position : after - 1]
        if tokens is not None and release is not None and release in raw:
            elements = _released(raw, syntax, tokens)
        else:
            elements = tuple([tuple(e.split(component)) for e in raw.split(element)])
        tag = elements[0][0].strip(_SPACE) if len(elements[0]) == 1 else ""
        if not _TAG.fullmatch(tag):
            shown = raw[:20] + ("..." if len(raw) > 20 else "")
            raise PaxlstError(
                source,
                f"{shown!r} does not start with a segment tag (three capital letters or digits)",
                segment=number,
                byte=_byte(decoded, position),
            )
        segments.append(Segment(tag, elements[1:], number, position))
        last_tag = tag
        at_interchange_start = tag == "UNZ"
        position = after


def _byte(decoded: Decoded, offset: int) -> int:
    return len(decoded.text[:offset].encode(decoded.codec, errors="replace"))


def byte_offset(decoded: Decoded, offset: int) -> int:
    """The byte offset of a character offset, for error messages."""
    return _byte(decoded, offset)


# EDIFACT date/time format codes (UNTDID 2379) that API lists use, by their digit count; a value
# without a code is read by its length.
_LENGTHS = {"101": 6, "102": 8, "201": 10, "203": 12, "204": 14}
_BY_LENGTH = {length: code for code, length in _LENGTHS.items()}
_DIGITS = re.compile(r"[0-9]+")


def parse_date(value: str, format_code: str) -> date | datetime:
    """A DTM value: a date (101, 102) or a local time without zone (201, 203, 204). Two-digit years
    are 20xx here; dates of birth go through `resolve_birth_date`. Raises ValueError."""
    value = value.strip()  # padded values occur ("DTM+329: 670603") and are not ambiguous
    code = format_code or _BY_LENGTH.get(len(value), "")
    expected = _LENGTHS.get(code)
    if expected is None:
        shown = f"code {format_code!r}" if format_code else f"{len(value)} digits"
        raise ValueError(f"date/time format ({shown}) is not read here (101, 102, 201, 203, 204)")
    if len(value) != expected or not _DIGITS.fullmatch(value):
        raise ValueError(f"{value!r} is not a format-{code} date/time ({expected} digits)")
    # API lists are all this century; two-digit years of birth are resolved by resolve_birth_date.
    digits = "20" + value if code in ("101", "201") else value
    year, month, day = int(digits[0:4]), int(digits[4:6]), int(digits[6:8])
    try:
        if code in ("101", "102"):
            return date(year, month, day)
        second = int(digits[12:14]) if code == "204" else 0
        return datetime(year, month, day, int(digits[8:10]), int(digits[10:12]), second)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date/time (format {code})") from None


def resolve_birth_date(value: str, format_code: str, reference: date) -> date:
    """A date of birth: a two-digit year that would put the birth after `reference` (the message's
    date) is 19xx. Raises ValueError."""
    parsed = parse_date(value, format_code)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    two_digit = (format_code or _BY_LENGTH.get(len(value.strip()), "")) in ("101", "201")
    if two_digit and day > reference:
        try:
            return day.replace(year=day.year - 100)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date (19{value[:2]})") from None
    return day


def format_date(day: date, *, birth_reference: date | None = None) -> tuple[str, str]:
    """(value, format code) for a date: YYMMDD (101, the API guide's form) when it reads back as the
    same day, else CCYYMMDD (102)."""
    short = day.strftime("%y%m%d")
    if birth_reference is not None:
        try:
            if resolve_birth_date(short, "101", birth_reference) == day:
                return short, ""
        except ValueError:  # 29 February of a year whose other century has none
            pass
    elif 2000 <= day.year <= 2099:
        return short, ""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}", "102"


def format_time(moment: date | datetime) -> tuple[str, str]:
    """(value, format code) for a departure or arrival: 201 (YYMMDDHHMM), 203 outside 2000-2099, and
    102 for a date without time."""
    if not isinstance(moment, datetime):
        return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}", "102"
    if 2000 <= moment.year <= 2099:
        return moment.strftime("%y%m%d%H%M"), "201"
    return f"{moment.year:04d}" + moment.strftime("%m%d%H%M"), "203"
