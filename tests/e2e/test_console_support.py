"""What the console tests share: an application on a fresh database (SQLite, and PostgreSQL when
TRANSITGUARD_TEST_POSTGRES_URL is set) with one train whose passenger 2 is missing, served by the real
app, and people signed in through the console's own form.

Imported by tests/e2e/test_console_*.py (as test_api_support is by the API tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import simple_train
from transitguard.bootstrap import Application, bootstrap
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.entrypoints.api.app import create_app
from transitguard.services.ports import AlertFilter

PASSWORD = "a console test password"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    application: Application
    client: TestClient

    def sign_in(self, role: str) -> str:
        """Signs in through the console's form (a fresh client per role); returns the CSRF token."""
        name = f"{role}.console"
        if self.application.accounts.accounts.user(name) is None:
            self.application.accounts.create_user(name, PASSWORD, [role])
        self.client.cookies.clear()
        answer = self.client.post("/login", data={"username": name, "password": PASSWORD, "next": "/"})
        assert answer.status_code == 303, answer.text
        page = self.client.get("/", follow_redirects=True)
        found = CSRF_FIELD.search(page.text)
        assert found, "every signed-in page carries the sign-out form and its token"
        return found.group(1)

    def ingest(self, events: list[dict[str, Any]]) -> None:
        self.application.corridor.apply_batch([LedgerEntry.of(parse_event(body)) for body in events])

    def audit(self, action: str) -> list[Any]:
        return [r.event for r in self.application.audit.recent(limit=1000) if r.event.action == action]

    def open_missing_alert(self) -> str:
        (alert,) = self.application.store.alerts(AlertFilter(status="open", type="PASSENGER_MISSING"))
        return alert.alert_id

    def open_missing_alert_of(self, train_key: str) -> str:
        (alert,) = self.application.store.alerts(
            AlertFilter(status="open", type="PASSENGER_MISSING", train_key=train_key)
        )
        return alert.alert_id


@pytest.fixture(name="console")
def console_fixture(database_url: str) -> Iterator[Console]:
    application = bootstrap({"TRANSITGUARD_DATABASE_URL": database_url})
    made = Console(application, TestClient(create_app(application), follow_redirects=False))
    made.ingest(simple_train(3, missing=("2",), prefix="a", number="29", service_date="2023-05-01"))
    yield made
    made.client.close()
    application.close()


def frtd_decision(application_id: str, decision: str, **frtd: Any) -> dict[str, Any]:
    """A frtd.decided event as `frtd decide --record` writes it; a grant carries its FRTD."""
    body: dict[str, Any] = {
        "event_id": f"frtd-{application_id}",
        "type": "frtd.decided",
        "occurred_at": "2023-04-28T09:00:00+03:00",
        "application_id": application_id,
        "decision": decision,
        "reasons": [] if decision == "GRANT" else ["frtd-travel-ban: the applicant is banned from entry"],
    }
    if decision == "GRANT":
        body["frtd"] = {
            "number": frtd.get("number", "LTU0000001"),
            "valid_from": "2023-05-01",
            "valid_until": "2023-07-31",
            "authorised_transit_hours": 6,
            "max_transits": 2,
            "trains": [{"number": "29", "service_date": "2023-05-01"}],
            "travel_document": {"number": frtd.get("passport", "750000001"), "issuing_state": "RUS"},
        }
    return body


def freight_decision(consignment_id: str, decision: str, rule: str, cn_code: str) -> dict[str, Any]:
    """A freight.decided event as `freight check --record` writes it: one line, one rule."""
    return {
        "event_id": f"freight-{consignment_id}",
        "type": "freight.decided",
        "occurred_at": "2023-05-01T00:00:00+00:00",
        "consignment_id": consignment_id,
        "date": "2023-05-01",
        "mode": "rail",
        "direction": "to_kaliningrad",
        "decision": decision,
        "rule_pack": "kaliningrad-goods test",
        "lines": [
            {
                "cn_code": cn_code,
                "decision": decision,
                "rules": [rule] if rule else [],
                "net_mass_kg": 20000.0,
                "value_eur": 15000.0,
            }
        ],
    }
