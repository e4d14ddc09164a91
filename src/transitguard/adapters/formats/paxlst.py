"""UN/EDIFACT PAXLST (advance passenger and crew lists) in: read interchanges into typed messages, and
map a rail message to the body of a `manifest.submitted` event. docs/paxlst.md is the user's guide.

Bad syntax or impossible values raise PaxlstError naming the source, segment and byte. Counts that
do not add up (CNT, UNT, UNE, UNZ) do not stop the read: they are the sender's bookkeeping, and a list
with a wrong count still names real people, so they become `PaxlstMessage.warnings` for the CLI and
the operator to see.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from transitguard.adapters.formats.paxlst_segments import (
    Decoded,
    PaxlstError,
    Segment,
    byte_offset,
    decode,
    parse_date,
    resolve_birth_date,
    split_segments,
)

__all__ = [
    "Leg",
    "ListKind",
    "PaxlstDocument",
    "PaxlstError",
    "PaxlstMessage",
    "Person",
    "looks_like_paxlst",
    "read_paxlst",
    "warning_lines",
]

ListKind = Literal["passengers", "crew"]
Role = Literal["passenger", "crew"]
Sex = Literal["M", "F", "X"]

LIST_KINDS: dict[str, ListKind] = {"745": "passengers", "250": "crew"}  # BGM document name code
ROLES: dict[str, Role] = {"FL": "passenger", "FM": "crew"}  # NAD party function code
SEXES: dict[str, Sex] = {"M": "M", "F": "F", "U": "X", "X": "X"}  # ATT+2; U (unspecified) is ICAO's X
# UN/ECE Recommendation 19, mode of transport.
MODES = {
    "0": "unknown",
    "1": "sea",
    "2": "rail",
    "3": "road",
    "4": "air",
    "5": "mail",
    "6": "multimodal",
    "7": "fixed installation",
    "8": "inland water",
    "9": "not applicable",
}
RAIL = "2"


@dataclass(frozen=True)
class PaxlstDocument:
    """One DOC group: code (P passport, V visa, I identity card, ...; "" when left blank), number,
    expiry (DTM+36) and issuing state (LOC+91)."""

    code: str
    number: str
    expires: date | None = None
    issuing_state: str | None = None

    @property
    def is_visa(self) -> bool:
        return self.code.startswith("V")


@dataclass(frozen=True)
class Person:
    ref: str  # RFF+ABO, else "<message ref>-<n>" (n counts the message's persons from 1)
    role: Role
    surname: str
    given_names: str
    birth_date: date | None
    sex: Sex | None
    nationality: str | None
    documents: tuple[PaxlstDocument, ...]
    seat: str | None
    segment: int  # the NAD that names the person

    @property
    def travel_document(self) -> PaxlstDocument | None:
        return next((d for d in self.documents if not d.is_visa), None)


@dataclass(frozen=True)
class Leg:
    """One TDT group: the conveyance (flight or train number), its mode and carrier, and where and
    when (local time, no zone) it departs and arrives."""

    conveyance_id: str
    mode: str | None = None  # UN/ECE Rec 19 code: 1 sea, 2 rail, 3 road, 4 air
    carrier: str | None = None
    departure: str | None = None
    arrival: str | None = None
    departure_at: date | datetime | None = None
    arrival_at: date | datetime | None = None
    reported: bool = False  # LOC+125/87: the leg into the reporting state (LOC+92: another leg)


@dataclass(frozen=True)
class PaxlstMessage:
    source: str
    interchange_ref: str
    sender: str
    recipient: str
    prepared_at: datetime
    message_ref: str
    list_kind: ListKind
    reporting_party: str | None
    legs: tuple[Leg, ...]
    persons: tuple[Person, ...]
    warnings: tuple[str, ...] = ()
    segment: int = 0  # the UNH

    @property
    def leg(self) -> Leg | None:
        """The reported leg: the one with LOC+125/87, else the last."""
        return next((leg for leg in self.legs if leg.reported), self.legs[-1] if self.legs else None)

    @property
    def transport_mode(self) -> str | None:
        return self.leg.mode if self.leg else None

    @property
    def conveyance_id(self) -> str | None:
        return self.leg.conveyance_id if self.leg else None

    @property
    def carrier(self) -> str | None:
        return self.leg.carrier if self.leg else None

    @property
    def departure(self) -> str | None:
        return self.leg.departure if self.leg else None

    @property
    def arrival(self) -> str | None:
        return self.leg.arrival if self.leg else None

    @property
    def departure_at(self) -> date | datetime | None:
        return self.leg.departure_at if self.leg else None

    @property
    def arrival_at(self) -> date | datetime | None:
        return self.leg.arrival_at if self.leg else None

    @property
    def reference_date(self) -> date:
        """The message's date for two-digit years of birth: the departure, else the interchange's."""
        moment = self.departure_at or self.prepared_at
        return moment.date() if isinstance(moment, datetime) else moment

    @property
    def passengers(self) -> tuple[Person, ...]:
        return tuple(p for p in self.persons if p.role == "passenger")

    @property
    def crew(self) -> tuple[Person, ...]:
        return tuple(p for p in self.persons if p.role == "crew")


def looks_like_paxlst(first_bytes: bytes) -> bool:
    """Cheap sniff: UNA or UNB first, after an optional byte order mark and white space."""
    return first_bytes.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith((b"UNA", b"UNB"))


def read_paxlst(data: bytes | str, source: str = "-") -> list[PaxlstMessage]:
    """Every PAXLST message in `data` (one or more interchanges). Raises PaxlstError."""
    decoded = decode(data)
    split = split_segments(decoded, source)
    messages = _Reader(decoded, source).run(split.segments)
    if not messages:
        raise PaxlstError(source, "no PAXLST message (UNH ... UNT) in the input")
    notes: list[str] = []
    if decoded.note:
        notes.append(decoded.note)
    if split.trailing is not None:
        offset, text = split.trailing
        shown = text.strip()[:20]
        notes.append(f"text after the last UNZ was ignored (byte {byte_offset(decoded, offset)}: {shown!r})")
    if notes:
        messages = [replace(m, warnings=(*m.warnings, *notes)) for m in messages]
    return messages


def warning_lines(messages: list[PaxlstMessage]) -> list[str]:
    """One line per warning, saying where: `source: message REF: warning`."""
    return [f"{m.source}: message {m.message_ref}: {w}" for m in messages for w in m.warnings]


# --- reading ---------------------------------------------------------------------------------------


def _number(text: str) -> bool:
    return text.isascii() and text.isdigit()  # str.isdigit alone takes "²", which int() refuses


@dataclass
class _PersonDraft:
    role: Role
    segment: int
    surname: str
    given_names: str
    ref: str | None = None
    birth: Segment | None = None
    sex: Sex | None = None
    nationality: str | None = None
    documents: list[PaxlstDocument] = field(default_factory=list)
    seat: str | None = None


@dataclass
class _MessageDraft:
    ref: str
    unh: Segment
    segments: int = 1
    list_kind: ListKind | None = None
    reporting_party: str | None = None
    legs: list[Leg] = field(default_factory=list)
    persons: list[_PersonDraft] = field(default_factory=list)
    person: _PersonDraft | None = None  # None inside a party that is not a person (NAD+MS, ...)
    counts: list[tuple[str, int, Segment]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Interchange:
    ref: str
    sender: str
    recipient: str
    prepared_at: datetime
    messages: list[PaxlstMessage] = field(default_factory=list)
    groups: int = 0
    group: tuple[str, int] | None = None  # open UNG: its reference and messages so far
    warnings: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, decoded: Decoded, source: str) -> None:
        self.decoded = decoded
        self.source = source
        self.interchange: _Interchange | None = None
        self.message: _MessageDraft | None = None
        self.done: list[PaxlstMessage] = []

    def fail(self, segment: Segment, reason: str) -> PaxlstError:
        return PaxlstError(
            self.source,
            reason,
            segment=segment.number,
            tag=segment.tag,
            byte=byte_offset(self.decoded, segment.offset),
        )

    def run(self, segments: list[Segment]) -> list[PaxlstMessage]:
        content = self.content
        for segment in segments:
            message = self.message
            if message is not None:
                message.segments += 1
                if segment.tag == "UNT":
                    self.close_message(segment, message)
                elif segment.tag.startswith("UN"):
                    raise self.fail(
                        segment, f"{segment.tag} inside message {message.ref!r} (no UNT before it)"
                    )
                else:
                    content(segment, message)
            else:
                self.service(segment)
        if self.message is not None:
            raise self.fail(self.message.unh, f"the input ends inside message {self.message.ref!r} (no UNT)")
        if self.interchange is not None:
            raise PaxlstError(
                self.source, f"the input ends inside interchange {self.interchange.ref!r} (no UNZ)"
            )
        return self.done

    def service(self, segment: Segment) -> None:
        tag = segment.tag
        interchange = self.interchange
        if tag == "UNB":
            if interchange is not None:
                raise self.fail(segment, f"UNB inside interchange {interchange.ref!r} (no UNZ before it)")
            self.interchange = _Interchange(
                ref=segment.value(5),
                sender=segment.value(2),
                recipient=segment.value(3),
                prepared_at=self.unb_time(segment),
            )
            return
        if interchange is None:
            raise self.fail(segment, f"{tag} outside an interchange (expected UNA or UNB)")
        if tag == "UNH":
            self.open_message(segment, interchange)
        elif tag == "UNG":
            if interchange.group is not None:
                raise self.fail(segment, f"UNG inside group {interchange.group[0]!r} (no UNE before it)")
            interchange.group = (segment.value(5), 0)
            interchange.groups += 1
        elif tag == "UNE":
            if interchange.group is None:
                raise self.fail(segment, "UNE without a UNG")
            ref, count = interchange.group
            self.check_count(interchange.warnings, segment, "UNE", count, "messages in group " + repr(ref))
            if segment.value(2) != ref:
                interchange.warnings.append(f"UNE closes group {segment.value(2)!r}, but UNG opened {ref!r}")
            interchange.group = None
        elif tag == "UNZ":
            self.close_interchange(segment, interchange)
        else:
            raise self.fail(segment, f"{tag} outside a message (between UNT and the next UNH)")

    def unb_time(self, segment: Segment) -> datetime:
        day, clock = segment.value(4, 1), segment.value(4, 2)
        if not day:
            raise self.fail(segment, "UNB has no date of preparation (element 4)")
        try:
            parsed = parse_date(day, "101" if len(day) == 6 else "102")
            hours = clock or "0000"
            if len(hours) != 4 or not _number(hours):
                raise ValueError(f"time {clock!r} is not HHMM")
            return datetime.combine(parsed, datetime.min.time()).replace(
                hour=int(hours[:2]), minute=int(hours[2:])
            )
        except ValueError as exc:
            shown = f"{day}:{clock}" if clock else day
            raise self.fail(segment, f"UNB date/time of preparation {shown!r}: {exc}") from None

    def open_message(self, segment: Segment, interchange: _Interchange) -> None:
        kind = segment.value(2)
        if kind != "PAXLST":
            raise self.fail(segment, f"message type {kind!r} is not PAXLST")
        if interchange.group is not None:
            interchange.group = (interchange.group[0], interchange.group[1] + 1)
        self.message = _MessageDraft(ref=segment.value(1), unh=segment)

    def check_count(self, warnings: list[str], segment: Segment, tag: str, counted: int, what: str) -> None:
        declared = segment.value(1)
        if not _number(declared):
            warnings.append(f"{tag} count {declared!r} is not a number ({counted} {what})")
        elif int(declared) != counted:
            warnings.append(f"{tag} says {int(declared)} {what}, there are {counted}")

    def close_interchange(self, segment: Segment, interchange: _Interchange) -> None:
        if interchange.group is not None:
            raise self.fail(segment, f"UNZ inside group {interchange.group[0]!r} (no UNE before it)")
        what, counted = (
            ("groups", interchange.groups) if interchange.groups else ("messages", len(interchange.messages))
        )
        self.check_count(interchange.warnings, segment, "UNZ", counted, f"{what} in the interchange")
        if segment.value(2) != interchange.ref:
            interchange.warnings.append(
                f"UNZ closes interchange {segment.value(2)!r}, but UNB opened {interchange.ref!r}"
            )
        extra = tuple(interchange.warnings)
        self.done.extend(
            replace(m, warnings=m.warnings + extra) if extra else m for m in interchange.messages
        )
        self.interchange = None

    # The message body: one method, one branch per tag, because this loop is the reader's hot path.
    def content(self, segment: Segment, message: _MessageDraft) -> None:
        tag = segment.tag
        person = message.person
        if tag == "NAD":
            self.party(segment, message)
        elif tag == "CNT":
            self.count(segment, message)
        elif tag == "TDT":
            if message.persons:
                raise self.fail(
                    segment, "TDT after the first person: transport details come before NAD+FL/FM"
                )
            message.legs.append(Leg(segment.value(2), segment.value(3) or None, segment.value(5) or None))
        elif person is not None:
            if tag == "DTM":
                qualifier = segment.value(1)
                if qualifier == "329":
                    person.birth = segment
                elif qualifier == "36" and person.documents:
                    expires = self.moment(segment)
                    if isinstance(expires, datetime):
                        expires = expires.date()
                    person.documents[-1] = replace(person.documents[-1], expires=expires)
            elif tag == "DOC":
                person.documents.append(PaxlstDocument(segment.value(1), segment.value(2)))
            elif tag == "LOC":
                if segment.value(1) == "91" and person.documents:
                    state = segment.value(2) or None
                    person.documents[-1] = replace(person.documents[-1], issuing_state=state)
            elif tag == "ATT":
                if segment.value(1) == "2":
                    sex = SEXES.get(segment.value(3))
                    if sex is None:
                        raise self.fail(segment, f"sex {segment.value(3)!r} is not M, F, U or X")
                    person.sex = sex
            elif tag == "NAT":
                if segment.value(1) == "2":
                    person.nationality = segment.value(2) or None
            elif tag == "RFF":
                qualifier = segment.value(1)
                if qualifier == "ABO":
                    person.ref = segment.value(1, 2) or None
                elif qualifier == "SEA":
                    person.seat = segment.value(1, 2) or None
        elif message.persons:
            return  # inside a party that is not read, or after the counts
        elif tag == "LOC" and message.legs:
            self.place(segment, message)
        elif tag == "DTM" and message.legs:
            qualifier = segment.value(1)
            if qualifier in ("189", "232"):
                moment = self.moment(segment)
                leg = message.legs[-1]
                if qualifier == "189":
                    message.legs[-1] = replace(leg, departure_at=moment)
                else:
                    message.legs[-1] = replace(leg, arrival_at=moment)
        elif tag == "BGM":
            code = segment.value(1)
            kind = LIST_KINDS.get(code)
            if kind is None:
                raise self.fail(segment, f"document code {code!r} is neither 745 (passengers) nor 250 (crew)")
            message.list_kind = kind

    def party(self, segment: Segment, message: _MessageDraft) -> None:
        function = segment.value(1)
        role = ROLES.get(function)
        if role is None:
            if function == "MS":
                message.reporting_party = segment.value(4) or segment.value(2) or None
            elif message.persons:
                message.warnings.append(
                    f"NAD+{function} (segment {segment.number}) is not read: not FL or FM"
                )
            message.person = None
            return
        name = segment.elements[3] if len(segment.elements) >= 4 else ("",)
        message.person = _PersonDraft(
            role, segment.number, name[0], " ".join(part for part in name[1:] if part)
        )
        message.persons.append(message.person)

    def place(self, segment: Segment, message: _MessageDraft) -> None:
        leg = message.legs[-1]
        qualifier, place = segment.value(1), segment.value(2) or None
        if qualifier == "125":
            message.legs[-1] = replace(leg, departure=place, reported=True)
        elif qualifier == "87":
            message.legs[-1] = replace(leg, arrival=place, reported=True)
        elif qualifier == "92" and leg.departure is None:
            message.legs[-1] = replace(leg, departure=place)
        elif qualifier == "92":
            message.legs[-1] = replace(leg, arrival=place)

    def moment(self, segment: Segment) -> date | datetime:
        try:
            return parse_date(segment.value(1, 2), segment.value(1, 3))
        except ValueError as exc:
            raise self.fail(segment, f"DTM+{segment.value(1)}: {exc}") from None

    def count(self, segment: Segment, message: _MessageDraft) -> None:
        message.person = None
        qualifier, value = segment.value(1), segment.value(1, 2)
        if not value and _number(segment.value(2)):
            message.warnings.append(
                f"CNT+{qualifier}+{segment.value(2)} should be CNT+{qualifier}:{segment.value(2)}"
            )
            value = segment.value(2)
        if not _number(value):
            raise self.fail(segment, f"count {value!r} is not a number")
        message.counts.append((qualifier, int(value), segment))

    def close_message(self, segment: Segment, message: _MessageDraft) -> None:
        interchange = self.interchange
        assert interchange is not None  # a message only opens inside an interchange
        self.message = None
        warnings = message.warnings
        self.check_count(warnings, segment, "UNT", message.segments, "segments in the message")
        if segment.value(2) != message.ref:
            warnings.append(f"UNT closes message {segment.value(2)!r}, but UNH opened {message.ref!r}")
        if message.list_kind is None:
            raise self.fail(segment, f"message {message.ref!r} has no BGM (745 passengers or 250 crew)")
        legs = tuple(message.legs)
        draft = PaxlstMessage(
            source=self.source,
            interchange_ref=interchange.ref,
            sender=interchange.sender,
            recipient=interchange.recipient,
            prepared_at=interchange.prepared_at,
            message_ref=message.ref,
            list_kind=message.list_kind,
            reporting_party=message.reporting_party,
            legs=legs,
            persons=(),
            segment=message.unh.number,
        )
        persons = tuple(self.persons(message, draft.reference_date))
        self.check_persons(message, persons)
        interchange.messages.append(replace(draft, persons=persons, warnings=tuple(warnings)))

    def persons(self, message: _MessageDraft, reference: date) -> Iterator[Person]:
        for index, person in enumerate(message.persons, start=1):
            birth_date = None
            if person.birth is not None:
                value, code = person.birth.value(1, 2), person.birth.value(1, 3)
                try:
                    birth_date = resolve_birth_date(value, code, reference)
                except ValueError as exc:
                    raise self.fail(person.birth, f"date of birth: {exc}") from None
            yield Person(
                ref=person.ref or f"{message.ref}-{index}",
                role=person.role,
                surname=person.surname,
                given_names=person.given_names,
                birth_date=birth_date,
                sex=person.sex,
                nationality=person.nationality,
                documents=tuple(person.documents),
                seat=person.seat,
                segment=person.segment,
            )

    def check_persons(self, message: _MessageDraft, persons: tuple[Person, ...]) -> None:
        warnings = message.warnings
        seen: dict[str, int] = {}
        for person in persons:
            if person.ref in seen:
                warnings.append(
                    f"reference {person.ref!r} names two persons "
                    f"(segments {seen[person.ref]} and {person.segment})"
                )
            seen.setdefault(person.ref, person.segment)
        found = {"42": ("passengers", "NAD+FL"), "41": ("crew", "NAD+FM")}
        for qualifier, declared, _segment in message.counts:
            if qualifier in found:
                role = "passenger" if qualifier == "42" else "crew"
                counted = sum(1 for p in persons if p.role == role)
                if declared != counted:
                    what, nad = found[qualifier]
                    warnings.append(
                        f"CNT+{qualifier} says {declared} {what}, the list names {counted} ({nad})"
                    )
        own = "42" if message.list_kind == "passengers" else "41"
        if not any(q == own for q, _, _ in message.counts):
            what, nad = found[own]
            warnings.append(f"no CNT+{own} count of {what} ({len(persons)} persons named)")
