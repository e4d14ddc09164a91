"""UN/EDIFACT PAXLST out: a D:05B interchange from manifest bodies or read messages.

Segments are serialised by pydifact, which escapes the service characters with the release
character. What a manifest body holds that PAXLST cannot carry (an FRTD, FTD or residence permit,
the validity start of a visa) is not written; docs/paxlst.md lists it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import orjson
from pydantic import ValidationError
from pydifact import Characters, Segment, Serializer

from transitguard.adapters.formats.paxlst import (
    RAIL,
    Leg,
    PaxlstDocument,
    PaxlstError,
    PaxlstMessage,
    Person,
)
from transitguard.adapters.formats.paxlst_segments import format_date, format_time
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import ManifestPassenger, TrainRef

__all__ = ["message_from_manifest", "write_paxlst"]

_SEXES = {"M": "M", "F": "F", "X": "U"}  # ATT+2 codes of the API guide: U for unspecified
_VISAS = {"SCHENGEN_VISA": "V", "NATIONAL_VISA": "VD"}
_ENVELOPE_KEYS = frozenset({"train", "passengers", "event_id", "type", "occurred_at"})
# ISO 9735 level A: capital letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < >
_UNOA = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>")


def _problem(exc: ValidationError, prefix: str) -> str:
    first = exc.errors()[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
    return f"{prefix}{where}: {first['msg']}"


def message_from_manifest(
    body: Mapping[str, Any],
    *,
    message_ref: str = "1",
    corridor: Corridor | None = None,
    carrier: str | None = None,
    reporting_party: str | None = None,
    source: str = "<manifest>",
) -> PaxlstMessage:
    """A rail PAXLST message for a `manifest.submitted` body (or the whole event). With a corridor, the
    departure and arrival places are the train's entry and exit checkpoints. Raises PaxlstError."""
    unknown = sorted(set(body) - _ENVELOPE_KEYS)
    if unknown:
        raise PaxlstError(source, f"not a manifest.submitted body: unknown field(s) {', '.join(unknown)}")
    if body.get("type", "manifest.submitted") != "manifest.submitted":
        raise PaxlstError(source, f"a {body['type']!r} event is not a passenger list")
    try:
        train = TrainRef.model_validate_json(orjson.dumps(body.get("train")))
    except ValidationError as exc:
        raise PaxlstError(source, _problem(exc, "train")) from None
    raw_passengers = body.get("passengers")
    if not isinstance(raw_passengers, list):
        raise PaxlstError(source, "passengers: a list is required")
    persons: list[Person] = []
    for index, raw in enumerate(raw_passengers):
        try:
            passenger = ManifestPassenger.model_validate_json(orjson.dumps(raw))
        except ValidationError as exc:
            raise PaxlstError(source, _problem(exc, f"passengers[{index}]")) from None
        persons.append(_person(passenger, index, source))
    route = corridor.directions[train.direction] if corridor is not None else None
    leg = Leg(
        conveyance_id=train.number,
        mode=RAIL,
        carrier=carrier,
        departure=route.entry if route else None,
        arrival=route.exit if route else None,
        departure_at=train.service_date,
        reported=True,
    )
    return PaxlstMessage(
        source=source,
        interchange_ref="",
        sender="",
        recipient="",
        prepared_at=datetime.combine(train.service_date, datetime.min.time()),
        message_ref=message_ref,
        list_kind="passengers",
        reporting_party=reporting_party,
        legs=(leg,),
        persons=tuple(persons),
    )


def _person(passenger: ManifestPassenger, index: int, source: str) -> Person:
    travel = passenger.travel_document
    if travel.type.startswith("V"):
        raise PaxlstError(
            source,
            f"passengers[{index}].travel_document.type {travel.type!r}: a DOC code starting with V is a visa",
        )
    documents = [PaxlstDocument(travel.type, travel.number, travel.expires, travel.issuing_state)]
    transit = passenger.transit_document
    if transit is not None and transit.kind in _VISAS:
        documents.append(PaxlstDocument(_VISAS[transit.kind], transit.number or "", transit.valid_until))
    return Person(
        ref=passenger.ref,
        role="passenger",
        surname=passenger.surname,
        given_names=passenger.given_names,
        birth_date=passenger.birth_date,
        sex=passenger.sex,
        nationality=passenger.nationality,
        documents=tuple(documents),
        seat=passenger.seat,
        segment=0,
    )


def _segment(tag: str, *elements: str | list[str]) -> Segment:
    trimmed = list(elements)
    while trimmed and trimmed[-1] in ("", []):
        trimmed.pop()  # trailing empty elements are left out, as ISO 9735 asks
    return Segment(tag, *trimmed)


def _stamp(moment: datetime) -> list[str]:
    day = moment.strftime("%y%m%d") if 2000 <= moment.year <= 2099 else f"{moment.year:04d}{moment:%m%d}"
    return [day, f"{moment:%H%M}"]


def _dtm(qualifier: str, value: tuple[str, str]) -> Segment:
    text, code = value
    return _segment("DTM", [qualifier, text, code] if code else [qualifier, text])


def _leg_segments(leg: Leg) -> list[Segment]:
    segments = [_segment("TDT", "20", leg.conveyance_id, leg.mode or "", "", leg.carrier or "")]
    departure, arrival = ("125", "87") if leg.reported else ("92", "92")
    if leg.departure is not None:
        segments.append(_segment("LOC", departure, leg.departure))
    if leg.departure_at is not None:
        segments.append(_dtm("189", format_time(leg.departure_at)))
    if leg.arrival is not None:
        segments.append(_segment("LOC", arrival, leg.arrival))
    if leg.arrival_at is not None:
        segments.append(_dtm("232", format_time(leg.arrival_at)))
    return segments


def _person_segments(person: Person, reference: date) -> list[Segment]:
    segments = [
        _segment(
            "NAD", "FL" if person.role == "passenger" else "FM", "", "", [person.surname, person.given_names]
        )
    ]
    if person.sex is not None:
        segments.append(_segment("ATT", "2", "", _SEXES[person.sex]))
    if person.birth_date is not None:
        segments.append(_dtm("329", format_date(person.birth_date, birth_reference=reference)))
    if person.nationality is not None:
        segments.append(_segment("NAT", "2", person.nationality))
    segments.append(_segment("RFF", ["ABO", person.ref]))
    if person.seat is not None:
        segments.append(_segment("RFF", ["SEA", person.seat]))
    for document in person.documents:
        segments.append(_segment("DOC", [document.code, "110", "111"], document.number))
        if document.expires is not None:
            segments.append(_dtm("36", format_date(document.expires)))
        if document.issuing_state is not None:
            segments.append(_segment("LOC", "91", document.issuing_state))
    return segments


def _message_segments(message: PaxlstMessage, prepared_at: datetime) -> list[Segment]:
    segments = [
        _segment("UNH", message.message_ref, ["PAXLST", "D", "05B", "UN", "IATA"]),
        _segment("BGM", "745" if message.list_kind == "passengers" else "250"),
    ]
    if message.reporting_party:
        segments.append(_segment("NAD", "MS", "", "", message.reporting_party))
    for leg in message.legs:
        segments.extend(_leg_segments(leg))
    # The reader resolves two-digit years of birth against the same date (PaxlstMessage.reference_date).
    departure = message.departure_at
    reference = (departure.date() if isinstance(departure, datetime) else departure) or prepared_at.date()
    for person in message.persons:
        segments.extend(_person_segments(person, reference))
    passengers = sum(1 for p in message.persons if p.role == "passenger")
    crew = len(message.persons) - passengers
    if message.list_kind == "passengers" or passengers:
        segments.append(_segment("CNT", ["42", str(passengers)]))
    if message.list_kind == "crew" or crew:
        segments.append(_segment("CNT", ["41", str(crew)]))
    segments.append(_segment("UNT", str(len(segments) + 1), message.message_ref))
    return segments


def _syntax_identifier(segments: list[Segment]) -> str:
    """UNOA (capitals) when every character fits, else UNOB (ASCII), else UNOW (UTF-8)."""
    text = "".join(
        part
        for segment in segments
        for element in segment.elements
        for part in (element if isinstance(element, list) else [element])
    )
    if set(text) <= _UNOA:
        return "UNOA"
    return "UNOB" if text.isascii() else "UNOW"


def write_paxlst(
    messages_or_manifest_bodies: Iterable[PaxlstMessage | Mapping[str, Any]],
    *,
    sender: str,
    recipient: str,
    prepared_at: datetime,
    interchange_ref: str = "1",
    corridor: Corridor | None = None,
    carrier: str | None = None,
    reporting_party: str | None = None,
) -> str:
    """One PAXLST D:05B interchange (UNA, UNB, UNG, one UNH..UNT per message, UNE, UNZ), a segment a
    line. Manifest bodies become rail passenger lists (see `message_from_manifest`); messages are
    written as they are, in this interchange's envelope. Raises PaxlstError for an invalid body."""
    messages = [
        item
        if isinstance(item, PaxlstMessage)
        else message_from_manifest(
            item,
            message_ref=str(number),
            corridor=corridor,
            carrier=carrier,
            reporting_party=reporting_party,
        )
        for number, item in enumerate(messages_or_manifest_bodies, start=1)
    ]
    if not messages:
        raise PaxlstError("<manifest>", "nothing to write: no message")
    body: list[Segment] = []
    for message in messages:
        body.extend(_message_segments(message, prepared_at))
    stamp = _stamp(prepared_at)
    group_ref = "1"
    segments = [
        _segment(
            "UNB", [_syntax_identifier(body), "4"], sender, recipient, stamp, interchange_ref, "", "APIS"
        ),
        _segment("UNG", "PAXLST", sender, recipient, stamp, group_ref, "UN", ["D", "05B"]),
        *body,
        _segment("UNE", str(len(messages)), group_ref),
        _segment("UNZ", "1", interchange_ref),
    ]
    characters = Characters.from_str("UNA:+.? '")
    return Serializer(characters).serialize(segments, with_una_header=True, break_lines=True)
