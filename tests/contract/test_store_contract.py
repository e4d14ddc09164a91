"""One contract, three stores: the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from factories import T0, checked, crossed, manifest, passenger, simple_train
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.engines.corridor import reconcile_document, transit_limits
from transitguard.errors import ConflictError, NotFoundError
from transitguard.rulepacks import RulePack
from transitguard.services.corridor import CorridorService
from transitguard.services.ports import AlertFilter, JourneyFilter

NOW = T0 + timedelta(days=1)


def entries(raw: list[dict[str, Any]]) -> list[LedgerEntry]:
    return [LedgerEntry.of(parse_event(e)) for e in raw]


def service(store: Any, pack: RulePack) -> CorridorService:
    return CorridorService(store, pack, lambda: NOW)


def test_the_same_event_twice_is_stored_once(store: Any, pack: RulePack) -> None:
    svc = service(store, pack)
    first = svc.apply_batch(entries(simple_train(2)))
    again = svc.apply_batch(entries(simple_train(2)))
    assert (first.stored, first.duplicates) == (7, 0)
    assert (again.stored, again.duplicates) == (0, 7)
    assert store.ledger_count() == 7
    assert store.verify_ledger().intact


def test_the_same_id_with_another_body_is_refused_and_nothing_of_the_batch_stays(
    store: Any, pack: RulePack
) -> None:
    svc = service(store, pack)
    svc.apply_batch(entries(simple_train(2)))
    changed = simple_train(2, prefix="f")
    changed[3] = checked("e-ci-1", "1", "entry", 11)  # e-ci-1 exists with minute 10
    with pytest.raises(ConflictError, match="e-ci-1"):
        svc.apply_batch(entries(changed))
    assert store.ledger_count() == 7
    assert len(store.journeys(JourneyFilter())) == 2


def test_journeys_and_alerts_follow_the_events(store: Any, pack: RulePack) -> None:
    svc = service(store, pack)
    svc.apply_batch(entries(simple_train(3, missing=("3",))))
    (train,) = store.trains()
    assert (train.status, train.manifest_count, train.missing_count) == ("exited", 3, 1)
    (alert,) = store.alerts(AlertFilter(status="open"))
    assert (alert.type, alert.passenger_ref, alert.status) == ("PASSENGER_MISSING", "3", "open")
    assert [j.passenger_ref for j in store.journeys(JourneyFilter(status="missing"))] == ["3"]


def test_a_late_check_out_clears_the_missing_passenger(store: Any, pack: RulePack) -> None:
    svc = service(store, pack)
    svc.apply_batch(entries(simple_train(2, missing=("2",))))
    assert len(store.alerts(AlertFilter())) == 1
    svc.apply_batch(entries([checked("late", "2", "exit", 175)]))
    assert store.alerts(AlertFilter()) == []
    assert store.trains()[0].missing_count == 0


def test_alert_workflow_open_acknowledged_resolved(store: Any, pack: RulePack) -> None:
    svc = service(store, pack)
    svc.apply_batch(entries(simple_train(2, missing=("2",))))
    (alert,) = store.alerts(AlertFilter())
    at = datetime(2023, 5, 1, 12, tzinfo=UTC).isoformat()
    ack = {
        "event_id": "w1",
        "type": "alert.acknowledged",
        "occurred_at": at,
        "alert_id": alert.alert_id,
        "by": "guard.kena",
    }
    done = {
        "event_id": "w2",
        "type": "alert.resolved",
        "occurred_at": at,
        "alert_id": alert.alert_id,
        "by": "guard.kena",
        "outcome": "absconded",
        "note": "left the train at Kena",
    }
    svc.apply_batch(entries([ack]))
    assert store.alerts(AlertFilter(status="acknowledged"))[0].updated_by == "guard.kena"
    with pytest.raises(ConflictError, match="acknowledged"):
        svc.apply_batch(entries([{**ack, "event_id": "w1b"}]))
    svc.apply_batch(entries([done]))
    (resolved,) = store.alerts(AlertFilter(status="resolved"))
    assert (resolved.outcome, resolved.status) == ("absconded", "resolved")
    assert store.alerts(AlertFilter(status="open")) == []
    with pytest.raises(NotFoundError):
        svc.apply_batch(entries([{**ack, "event_id": "w3", "alert_id": "A-nope"}]))


def test_a_failed_batch_leaves_nothing(store: Any, pack: RulePack) -> None:
    svc = service(store, pack)
    bad = {
        "event_id": "w9",
        "type": "alert.acknowledged",
        "occurred_at": T0.isoformat(),
        "alert_id": "A-missing",
        "by": "x",
    }
    with pytest.raises(NotFoundError):
        svc.apply_batch(entries([*simple_train(2), bad]))
    assert store.ledger_count() == 0
    assert store.trains() == []
    assert store.verify_ledger().intact


def test_rebuild_gives_what_incremental_gave(store: Any, pack: RulePack) -> None:
    svc = service(store, pack)
    raw = (
        simple_train(4, missing=("4",))
        + simple_train(3, prefix="g", number="79")
        + simple_train(2, prefix="h", number="30", direction="from_kaliningrad")
    )
    for start in range(0, len(raw), 5):  # small batches, trains split across them
        svc.apply_batch(entries(raw[start : start + 5]))
    # Three trains in the corridor at once, carrying the same passports: cross-train alerts too.
    kinds = sorted({a.type for a in store.alerts(AlertFilter())})
    assert kinds == ["DOCUMENT_IN_USE", "PASSENGER_MISSING", "TRANSIT_DOCUMENT_INVALID"]
    (alert,) = store.alerts(AlertFilter(type="PASSENGER_MISSING"))
    svc.apply_batch(
        entries(
            [
                {
                    "event_id": "w1",
                    "type": "alert.acknowledged",
                    "occurred_at": T0.isoformat(),
                    "alert_id": alert.alert_id,
                    "by": "lead",
                }
            ]
        )
    )
    before = (store.trains(), store.journeys(JourneyFilter()), store.alerts(AlertFilter()))
    report = svc.rebuild()
    after = (store.trains(), store.journeys(JourneyFilter()), store.alerts(AlertFilter()))
    assert report.trains == 3
    assert after == before
    assert [a.status for a in after[2] if a.type == "PASSENGER_MISSING"] == ["acknowledged"]


def _ride(
    prefix: str, number: str, direction: str, riders: list[dict[str, Any]], entered: int, left: int | None
) -> list[dict[str, Any]]:
    """A train whose passengers check in at minute `entered` and out at `left` (None: still inside)."""
    where = {"number": number, "direction": direction}
    refs = [r["ref"] for r in riders]
    events = [
        manifest(f"{prefix}-m", riders, minutes=entered - 60, **where),
        crossed(f"{prefix}-in", "entry", entered - 5, **where),
        *(checked(f"{prefix}-ci-{r}", r, "entry", entered, **where) for r in refs),
    ]
    if left is not None:
        events += [checked(f"{prefix}-co-{r}", r, "exit", left, **where) for r in refs]
        events.append(crossed(f"{prefix}-out", "exit", left + 5, **where))
    return events


def test_the_documents_in_conflict_are_those_the_engine_raises_cross_train_alerts_for(
    store: Any, pack: RulePack
) -> None:
    svc = service(store, pack)
    p = {ref: passenger(ref) for ref in ("1", "2", "3", "4", "5", "6")}
    svc.apply_batch(
        entries(
            _ride("a", "29", "to_kaliningrad", [p["1"], p["2"], p["3"], p["4"]], 10, 170)
            # 2 is on a second train while still on the first
            + _ride("b", "79", "to_kaliningrad", [p["2"]], 100, 260)
            # 1 and 3 board the next train the minute they left the first: no overlap
            + _ride("c", "30", "from_kaliningrad", [p["1"], p["3"]], 170, 330)
            # 3 uses the same FRTD a third time
            + _ride("d", "80", "from_kaliningrad", [p["3"]], 400, 560)
            # 5 never left the corridor on one train when the next one took the passport in
            + _ride("e", "147", "to_kaliningrad", [p["5"]], 600, None)
            + _ride("f", "148", "from_kaliningrad", [p["5"]], 700, 860)
            # 6's passport twice on one train, under two references
            + _ride("g", "359", "to_kaliningrad", [p["6"], passenger("66", passport="750000006")], 900, 1000)
        )
    )
    journeys = store.journeys(JourneyFilter())
    by_document: dict[str, list[Any]] = {}
    for journey in journeys:
        by_document.setdefault(journey.document_key, []).append(journey)
    with store.writing() as session:
        found = session.conflicting_documents(sorted(by_document), transit_limits(pack.corridor))
    assert found == ["RUS:750000002", "RUS:750000003", "RUS:750000005", "RUS:750000006"]
    assert found == sorted(k for k, js in by_document.items() if reconcile_document(k, js, pack.corridor))
    alerted = {a.document_key for a in store.alerts(AlertFilter()) if a.type == "DOCUMENT_IN_USE"}
    assert alerted == {"RUS:750000002", "RUS:750000005", "RUS:750000006"}
