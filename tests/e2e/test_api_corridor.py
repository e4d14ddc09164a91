"""Events in over HTTP (JSON, JSON Lines, PAXLST, MRZ), trains, journeys and the alert workflow, as
a railway feed and a border guard use them, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from test_api_support import API, Api, api  # noqa: F401 - the fixture shared by the API tests

from factories import passenger, simple_train
from transitguard.adapters.formats.paxlst_write import write_paxlst

MRZ = "P<RUSIVANOV<<ANDREI<<<<<<<<<<<<<<<<<<<<<<<<<\n7512345672RUS8503127M3001019<<<<<<<<<<<<<<06"


def _head(served: Api) -> int:
    return int(served.client().get(f"{API}/health").json()["ledger_head_seq"])


def test_a_feed_posts_a_train_once_and_the_same_events_again_store_nothing(api: Api) -> None:  # noqa: F811
    feed = api.with_token("feed")
    events = simple_train(3, missing=("3",))
    first = feed.post(f"{API}/events", json=events)
    assert first.status_code == 200, first.text
    assert first.json() | {"head_seq": 0} == {
        "received": len(events),
        "stored": len(events),
        "duplicates": 0,
        "trains": 1,
        "head_seq": 0,
    }
    again = feed.post(
        f"{API}/events",
        content=b"".join(orjson.dumps(e) + b"\n" for e in events),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, len(events))

    guard = api.signed_in("border_guard")
    (train,) = guard.get(f"{API}/trains").json()
    assert (train["train"]["number"], train["status"], train["missing_count"]) == ("29", "exited", 1)
    missing = guard.get(f"{API}/journeys", params={"status": "missing"}).json()
    assert [j["passenger_ref"] for j in missing] == ["3"]
    alerts = guard.get(f"{API}/alerts", params={"type": "PASSENGER_MISSING"}).json()
    assert [(a["passenger_ref"], a["status"]) for a in alerts] == [("3", "open")]
    (submitted,) = api.audit("events.submit")[-1:]
    assert submitted.actor.startswith("token:")


def test_a_bad_line_refuses_the_whole_request_naming_line_and_field(api: Api) -> None:  # noqa: F811
    feed = api.with_token("feed")
    events = simple_train(2)
    del events[1]["checkpoint"]
    before = _head(api)
    answer = feed.post(
        f"{API}/events",
        content=b"".join(orjson.dumps(e) + b"\n" for e in events),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["problems"] == [
        {"source": "request", "line": 2, "field": "checkpoint", "reason": "required field is missing"}
    ]
    assert _head(api) == before
    assert api.signed_in("border_guard").get(f"{API}/trains").json() == []


def test_decisions_and_audit_records_cannot_be_posted_as_events(api: Api) -> None:  # noqa: F811
    forged = {
        "event_id": "forged-1",
        "type": "alert.resolved",
        "occurred_at": "2023-05-01T10:00:00+03:00",
        "alert_id": "A-1",
        "by": "nobody",
        "outcome": "found_on_train",
    }
    answer = api.with_token("feed").post(f"{API}/events", json=[forged])
    assert answer.status_code == 422
    assert "has its own route" in answer.json()["error"]["problems"][0]["reason"]


def test_a_paxlst_list_becomes_the_trains_manifest(api: Api) -> None:  # noqa: F811
    manifest = simple_train(2)[0]
    body = {"train": manifest["train"], "passengers": manifest["passengers"]}
    text = write_paxlst([body], sender="RZD", recipient="LTBG", prepared_at=datetime.now(UTC))
    feed = api.with_token("feed")
    first = feed.post(f"{API}/paxlst", content=text.encode(), headers={"Content-Type": "application/edifact"})
    assert first.status_code == 200, first.text
    assert (first.json()["received"], first.json()["stored"]) == (1, 1)
    again = feed.post(f"{API}/paxlst", content=text.encode(), headers={"Content-Type": "application/edifact"})
    assert again.json()["duplicates"] == 1
    journeys = api.signed_in("supervisor").get(f"{API}/journeys").json()
    assert sorted(j["passenger_ref"] for j in journeys) == ["1", "2"]

    broken = api.with_token("feed").post(f"{API}/paxlst", content=b"UNA:+.? 'UNB+nothing'")
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] == "invalid_input"


def test_a_scanner_reads_an_mrz_and_a_misread_one_names_the_failed_checks(api: Api) -> None:  # noqa: F811
    scanner = api.with_token("feed")
    good = scanner.post(f"{API}/mrz/parse", json={"mrz": MRZ}).json()
    assert (good["format"], good["valid"]) == ("TD3", True)
    assert good["fields"]["document_number"] == "751234567"
    misread = scanner.post(f"{API}/mrz/parse", json={"mrz": MRZ.replace("75123", "75128")}).json()
    assert (misread["valid"], misread["failed_checks"]) == (False, ["document_number", "composite"])
    assert scanner.post(f"{API}/mrz/parse", json={"mrz": "hello\nworld"}).status_code == 422


def test_reading_journeys_is_audited(api: Api) -> None:  # noqa: F811
    api.with_token("feed").post(f"{API}/events", json=simple_train(1))
    guard = api.signed_in("border_guard")
    assert len(guard.get(f"{API}/journeys", params={"status": "completed"}).json()) == 1
    (read,) = api.audit("journeys.read")
    assert (read.actor, read.subject, read.detail) == ("border_guard.1", "status=completed", {"rows": 1})


def test_a_guard_works_a_missing_passenger_alert_to_resolved_and_the_ledger_names_them(
    api: Api,  # noqa: F811
) -> None:
    events = simple_train(2, missing=("2",))
    events[0]["passengers"][1] = passenger("2", passport="751234567")
    api.with_token("feed").post(f"{API}/events", json=events)
    guard = api.signed_in("border_guard")
    (alert,) = guard.get(f"{API}/alerts", params={"status": "open"}).json()

    acknowledged = guard.post(
        f"{API}/alerts/{alert['alert_id']}/acknowledge", json={"note": "escort searching the cars"}
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["status"] == "acknowledged"
    resolved = guard.post(
        f"{API}/alerts/{alert['alert_id']}/resolve", json={"outcome": "absconded", "note": "left at Kena"}
    )
    assert (resolved.json()["status"], resolved.json()["outcome"]) == ("resolved", "absconded")
    assert guard.get(f"{API}/alerts", params={"status": "open"}).json() == []

    again = guard.post(f"{API}/alerts/{alert['alert_id']}/resolve", json={"outcome": "data_error"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    unknown = guard.post(f"{API}/alerts/A-nothing/acknowledge", json={})
    assert unknown.status_code == 404

    steps = [
        (e.action, e.actor, e.subject, e.reason)
        for e in reversed(api.audit())
        if e.action.startswith("alert.")
    ]
    assert steps == [
        ("alert.acknowledge", "border_guard.1", alert["alert_id"], "escort searching the cars"),
        ("alert.resolve", "border_guard.1", alert["alert_id"], "left at Kena"),
    ]
    verified = api.signed_in("supervisor").get(f"{API}/ledger/verify").json()
    assert verified["intact"] is True
