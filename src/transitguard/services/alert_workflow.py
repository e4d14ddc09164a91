"""Working an alert: open → acknowledged → resolved, by a named person, with why. The transition and
its audit record are one batch: both are in the ledger, or neither is."""

from __future__ import annotations

import uuid
from typing import Any

from transitguard.bootstrap import Application
from transitguard.domain.accounts import Principal
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import Alert
from transitguard.errors import NotFoundError


def transition(
    app: Application,
    alert_id: str,
    who: Principal,
    *,
    outcome: str | None = None,
    note: str | None = None,
    by: str | None = None,
) -> Alert:
    """Acknowledge (no outcome) or resolve (with an outcome) an alert; returns it as it now stands.
    `by` names the officer when it is not the signed-in actor (the command line names them)."""
    body: dict[str, Any] = {
        "event_id": f"wf-{uuid.uuid4()}",
        "type": "alert.resolved" if outcome else "alert.acknowledged",
        "alert_id": alert_id,
        "by": by or who.actor,
        "occurred_at": app.clock().isoformat(),
    }
    if outcome:
        body["outcome"] = outcome
    if note:
        body["note"] = note
    event = LedgerEntry.of(parse_event(body))
    action = "alert.resolve" if outcome else "alert.acknowledge"
    audit = app.audit.entry(who, action, subject=alert_id, reason=note, detail={"outcome": outcome})
    app.corridor.apply_batch([event, audit])
    with app.store.writing() as session:
        alert = session.alert(alert_id)
    if alert is None:  # pragma: no cover - apply_batch refuses an unknown alert first
        raise NotFoundError(f"no alert {alert_id!r}")
    return alert
