"""A PAXLST message as the corridor sees it: the body of a `manifest.submitted` event for a rail list,
the conveyance and its persons for any other mode (docs/paxlst.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from transitguard.adapters.formats.paxlst import MODES, RAIL, PaxlstMessage, Person
from transitguard.adapters.formats.paxlst_segments import PaxlstError
from transitguard.domain.corridor import Corridor

__all__ = [
    "EU_FREE_MOVEMENT",
    "SCHENGEN_STATES",
    "passengers_without_transit_document",
    "to_manifest_body",
    "transit_document",
]

# Citizens with free movement in the EU (EU 27, the EEA states and Switzerland): EU_CITIZEN.
# fmt: off
EU_FREE_MOVEMENT = frozenset((
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA",
    "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",  # EU 27
    "ISL", "LIE", "NOR", "CHE",  # EEA and Switzerland
))
# States whose visas are valid in Lithuania (Schengen members, 2025: Bulgaria and Romania since 2025,
# Croatia since 2023; Ireland and Cyprus not). A visa of any other state says nothing about the transit.
SCHENGEN_STATES = frozenset((
    "AUT", "BEL", "BGR", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "ISL", "ITA", "LVA",
    "LIE", "LTU", "LUX", "MLT", "NLD", "NOR", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "CHE",
))
# fmt: on


# --- mapping to manifest.submitted -----------------------------------------------------------------


def _iso(moment: date | datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def transit_document(person: Person) -> dict[str, Any] | None:
    """What PAXLST can say about the passenger's right to transit: free movement by nationality, else a
    visa of a Schengen state (or of no stated state). None for an FRTD, FTD or residence permit, which
    PAXLST does not carry: the body then leaves `transit_document` out (docs/paxlst.md)."""
    if person.nationality in EU_FREE_MOVEMENT:
        return {"kind": "EU_CITIZEN"}
    for document in person.documents:
        if document.is_visa and (document.issuing_state is None or document.issuing_state in SCHENGEN_STATES):
            visa: dict[str, Any] = {"kind": "NATIONAL_VISA" if document.code == "VD" else "SCHENGEN_VISA"}
            if document.number:
                visa["number"] = document.number
            if document.expires is not None:
                visa["valid_until"] = document.expires.isoformat()
            return visa
    return None


def _rail_passenger(message: PaxlstMessage, person: Person) -> dict[str, Any]:
    travel = person.travel_document
    missing = [
        what
        for what, absent in (
            ("surname (NAD element 4)", not person.surname),
            ("date of birth (DTM+329)", person.birth_date is None),
            ("sex (ATT+2)", person.sex is None),
            ("nationality (NAT+2)", person.nationality is None),
            ("travel document (DOC)", travel is None),
            ("travel document type (DOC element 1)", travel is not None and not travel.code),
            ("travel document number (DOC element 2)", travel is not None and not travel.number),
            ("travel document expiry (DTM+36)", travel is not None and travel.expires is None),
            ("issuing state (LOC+91)", travel is not None and travel.issuing_state is None),
        )
        if absent
    ]
    if missing or travel is None or person.birth_date is None or travel.expires is None:
        raise PaxlstError(
            message.source,
            f"message {message.message_ref!r}, person {person.ref!r}: a rail manifest needs "
            + ", ".join(missing),
            segment=person.segment,
            tag="NAD",
        )
    passenger: dict[str, Any] = {
        "ref": person.ref,
        "surname": person.surname,
        "given_names": person.given_names,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "nationality": person.nationality,
        "travel_document": {
            "type": travel.code,
            "number": travel.number,
            "issuing_state": travel.issuing_state,
            "expires": travel.expires.isoformat(),
        },
    }
    transit = transit_document(person)
    if transit is not None:
        passenger["transit_document"] = transit
    if person.seat is not None:
        passenger["seat"] = person.seat
    return passenger


def _listed_person(person: Person) -> dict[str, Any]:
    return {
        "ref": person.ref,
        "role": person.role,
        "surname": person.surname,
        "given_names": person.given_names,
        "birth_date": _iso(person.birth_date),
        "sex": person.sex,
        "nationality": person.nationality,
        "documents": [
            {"type": d.code, "number": d.number, "issuing_state": d.issuing_state, "expires": _iso(d.expires)}
            for d in person.documents
        ],
        "seat": person.seat,
    }


def _known_train(message: PaxlstMessage, corridor: Corridor) -> str:
    number = (message.conveyance_id or "").strip()
    if not number:
        raise PaxlstError(message.source, f"message {message.message_ref!r}: no train number (TDT+20)")
    for candidate in (number, number.lstrip("0")):
        if corridor.train_spec(candidate) is not None:
            return candidate
    known = ", ".join(t.number for t in corridor.trains)
    raise PaxlstError(
        message.source,
        f"message {message.message_ref!r}: train {number!r} is not a train of corridor {corridor.id} "
        f"(known: {known})",
    )


def to_manifest_body(
    message: PaxlstMessage, corridor: Corridor, *, include_crew: bool = False
) -> dict[str, Any]:
    """The body of a `manifest.submitted` event (without event_id, type, occurred_at) for a rail list
    (TDT mode 2), or, for any other mode, `{"conveyance": ..., "passengers": ...}`, which is not an
    event. Crew (NAD+FM) are left out unless `include_crew`. Raises PaxlstError."""
    persons = [p for p in message.persons if include_crew or p.role == "passenger"]
    if message.transport_mode != RAIL:
        mode = message.transport_mode
        return {
            "conveyance": {
                "mode": MODES.get(mode, mode) if mode is not None else None,
                "id": message.conveyance_id,
                "carrier": message.carrier,
                "departure": message.departure,
                "arrival": message.arrival,
                "departure_at": _iso(message.departure_at),
                "arrival_at": _iso(message.arrival_at),
            },
            "passengers": [_listed_person(p) for p in persons],
        }
    number = _known_train(message, corridor)
    departure = message.departure_at
    if departure is None:
        raise PaxlstError(
            message.source, f"message {message.message_ref!r}: train {number} has no departure date (DTM+189)"
        )
    spec = corridor.train_spec(number)
    assert spec is not None  # _known_train found it
    service_date = departure.date() if isinstance(departure, datetime) else departure
    return {
        "train": {"number": number, "service_date": service_date.isoformat(), "direction": spec.direction},
        "passengers": [_rail_passenger(message, p) for p in persons],
    }


def passengers_without_transit_document(body: dict[str, Any]) -> list[str]:
    """The refs of a rail body's passengers whose transit document PAXLST could not give (left out)."""
    if "train" not in body:
        return []  # a conveyance body (air, sea) has no transit documents at all
    return [p["ref"] for p in body["passengers"] if "transit_document" not in p]
