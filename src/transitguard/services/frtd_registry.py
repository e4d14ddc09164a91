"""Granted FRTDs: folded from frtd.decided events, recorded by `transitguard frtd decide --record`.

A manifest's FRTD is checked against the record of its number (engines/corridor.frtd_problems); a
decision that arrives after the manifest makes the trains that carry the number be checked again, so
the result does not depend on which came first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from transitguard.domain.events import Event, FrtdDecided, parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import IssuedFrtd
from transitguard.services.ports import WriteSession


def issued_of(event: FrtdDecided) -> IssuedFrtd | None:
    if event.decision != "GRANT" or event.frtd is None:
        return None
    frtd = event.frtd
    return IssuedFrtd(
        number=frtd.number,
        document_key=frtd.travel_document.key,
        valid_from=frtd.valid_from,
        valid_until=frtd.valid_until,
        authorised_transit_hours=frtd.authorised_transit_hours,
        trains=frozenset((t.number, t.service_date) for t in frtd.trains),
        event_id=event.event_id,
    )


def apply_frtd_decisions(session: WriteSession, events: Iterable[Event], *, recheck: bool = True) -> set[str]:
    """Record the granted FRTDs among `events`; return the train keys to check again."""
    numbers: set[str] = set()
    for event in events:
        if isinstance(event, FrtdDecided):
            record = issued_of(event)
            if record is not None:
                session.save_frtd(record)
                numbers.add(record.number)
    return session.trains_with_frtds(numbers) if numbers and recheck else set()


def decision_event(decision: dict[str, Any]) -> LedgerEntry:
    """A decision as `frtd decide` writes it (services/frtd.py) → its frtd.decided ledger entry."""
    frtd = decision.get("frtd")
    body: dict[str, Any] = {
        "event_id": f"frtd-{decision['application_id']}",
        "type": "frtd.decided",
        "occurred_at": decision["decided_at"],
        "application_id": decision["application_id"],
        "decision": decision["decision"],
        "reasons": [f"{r['rule']}: {r['message']}" for r in decision.get("reasons", [])][:50],
    }
    if frtd is not None:
        trains = [frtd["outbound"], *([frtd["return"]] if frtd.get("return") else [])]
        body["frtd"] = {
            "number": frtd["number"],
            "valid_from": frtd["valid_from"],
            "valid_until": frtd["valid_until"],
            "authorised_transit_hours": frtd.get("authorised_transit_hours"),
            "max_transits": frtd.get("max_transits"),
            "trains": [{"number": t["number"], "service_date": t["service_date"]} for t in trains],
            "travel_document": {
                "number": frtd["travel_document"]["number"],
                "issuing_state": frtd["travel_document"]["issuing_state"],
            },
        }
    return LedgerEntry.of(parse_event(body))
