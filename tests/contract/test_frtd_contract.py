"""Granted FRTDs in the corridor, one contract on the fake, SQLite and PostgreSQL: a manifest's FRTD is
checked against its record, whichever arrives first, and rebuild gives the same."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from factories import SERVICE_DATE, T0, simple_train
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.rulepacks import RulePack
from transitguard.services.corridor import CorridorService
from transitguard.services.ports import AlertFilter, JourneyFilter

NOW = T0 + timedelta(days=1)


def decided(
    number: str = "LTU1", *, passport: str = "750000001", train: str = "29", hours: float = 4.0
) -> LedgerEntry:
    return LedgerEntry.of(
        parse_event(
            {
                "event_id": f"frtd-{number}-{passport}-{train}",
                "type": "frtd.decided",
                "occurred_at": (T0 - timedelta(days=2)).isoformat(),
                "application_id": f"A-{number}",
                "decision": "GRANT",
                "frtd": {
                    "number": number,
                    "valid_from": "2023-04-20",
                    "valid_until": "2023-07-19",
                    "authorised_transit_hours": hours,
                    "trains": [{"number": train, "service_date": SERVICE_DATE}],
                    "travel_document": {"number": passport, "issuing_state": "RUS"},
                },
            }
        )
    )


def train_events() -> list[LedgerEntry]:
    events = simple_train(1)
    events[0]["passengers"][0]["transit_document"]["number"] = "LTU1"
    return [LedgerEntry.of(parse_event(e)) for e in events]


def invalid_reasons(store: Any) -> list[str]:
    return [
        r for a in store.alerts(AlertFilter(type="TRANSIT_DOCUMENT_INVALID")) for r in a.details["reasons"]
    ]


@pytest.mark.parametrize("decision_first", [True, False])
def test_the_record_is_checked_whichever_arrives_first(
    store: Any, pack: RulePack, decision_first: bool
) -> None:
    service = CorridorService(store, pack, lambda: NOW)
    record = decided(passport="750000099", train="147")  # granted for another passport and train
    batches = [[record], train_events()] if decision_first else [train_events(), [record]]
    for batch in batches:
        service.apply_batch(batch)
    assert sorted(invalid_reasons(store)) == ["frtd_other_document", "frtd_train_not_authorised"]
    before = (store.journeys(JourneyFilter()), store.alerts(AlertFilter()))
    service.rebuild(workers=1)
    assert (store.journeys(JourneyFilter()), store.alerts(AlertFilter())) == before


def test_a_matching_record_raises_nothing_and_sets_the_deadline(store: Any, pack: RulePack) -> None:
    service = CorridorService(store, pack, lambda: NOW)
    passport = simple_train(1)[0]["passengers"][0]["travel_document"]["number"]
    service.apply_batch([decided(passport=passport, hours=4.0)])
    service.apply_batch(train_events())
    assert invalid_reasons(store) == []
    (journey,) = store.journeys(JourneyFilter())
    assert journey.entered_at is not None
    assert journey.deadline == journey.entered_at + timedelta(hours=4)
