"""Alerts as a shift lead reads them: a PASSENGER_MISSING alert says whether that passenger would have
been entitled to enter Lithuania on that day, from what the manifest says (most who left at Kena in
2023 held EU residence permits: DOMAIN §0)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from transitguard.domain.records import Alert, Journey
from transitguard.rulepacks.people import PeopleRules
from transitguard.services.eligibility import would_have_been_entitled
from transitguard.services.ports import JourneyFilter, Store


def alert_rows(store: Store, alerts: Sequence[Alert], rules: PeopleRules) -> list[dict[str, Any]]:
    journeys: dict[str, dict[str | None, Journey]] = {}
    rows = []
    for alert in alerts:
        row = alert.as_dict()
        if alert.type == "PASSENGER_MISSING":
            key = alert.train.key
            if key not in journeys:
                journeys[key] = {j.passenger_ref: j for j in store.journeys(JourneyFilter(train_key=key))}
            journey = journeys[key].get(alert.passenger_ref)
            decision = (
                would_have_been_entitled(journey, rules, alert.raised_at.date())
                if journey is not None
                else None
            )
            row["entitled_to_enter"] = decision.as_dict() if decision is not None else None
        rows.append(row)
    return rows
