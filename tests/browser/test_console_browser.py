"""The console as people use it, in Chromium: each role's navigation and pages, a refusal, working an
alert from open to resolved, and a new missing passenger arriving in the queue without a reload."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import Console, screenshot, sign_in

from transitguard.domain.access import PERMISSIONS
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.entrypoints.web.rendering import NAV
from transitguard.services.ports import AlertFilter, JourneyFilter

# A page each role may not open, and what it sees instead.
FORBIDDEN = {
    "border_guard": "/admin/users",
    "consular_officer": "/alerts",
    "customs_officer": "/persons",
    "analyst": "/alerts",
    "supervisor": "/admin/users",
    "admin": "/alerts",
}


def nav_labels(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("header nav a").all_inner_texts()]


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_each_role_sees_its_pages_and_is_refused_the_others(page: Any, console: Console, role: str) -> None:
    sign_in(page, console, role)
    expected = [item for item in NAV if role in PERMISSIONS[item.permission]]
    assert nav_labels(page) == [item.label for item in expected]
    for item in expected:
        answer = page.goto(item.path)
        assert answer is not None
        assert answer.status == 200, item.path
        assert page.locator("h1").first.is_visible()
        assert page.get_by_text("Not allowed").count() == 0
    answer = page.goto(FORBIDDEN[role])
    assert answer is not None
    assert answer.status == 403
    assert page.locator("h1").inner_text().startswith("Not allowed")
    if role == "analyst":
        screenshot(page, "forbidden-analyst")


def test_signed_out_visitor_is_sent_to_sign_in_and_back(page: Any, console: Console) -> None:
    page.goto("/alerts?status=open")
    assert page.url.endswith("/login?next=%2Falerts%3Fstatus%3Dopen")
    screenshot(page, "login")
    page.get_by_label("Username").fill(console.username("border_guard"))
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Wrong username or password")
    page.get_by_label("Password").fill("a browser test password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/alerts\?status=open$"))
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.goto("/alerts")
    assert "/login" in page.url


def test_main_pages_for_the_shift_supervisor(page: Any, console: Console) -> None:
    """Renders and photographs the pages a supervisor uses (the artifacts a reviewer looks at)."""
    app = console.application
    busiest = max(app.store.trains(), key=lambda t: t.missing_count).train
    missing = app.store.journeys(JourneyFilter(status="missing", train_key=busiest.key))
    sign_in(page, console, "supervisor")
    page.goto(f"/?date={busiest.service_date.isoformat()}")
    assert page.locator(".train-card").count() == len(app.store.trains(busiest.service_date))
    screenshot(page, "board")
    page.locator(f"a.train-number:text-is('{busiest.number}')").first.click()
    page.wait_for_url(re.compile(r"/trains/"))
    assert page.locator("tr.journey-missing").count() == len(missing) > 0
    assert page.locator(".timeline .moment-entry").count() == 1
    screenshot(page, "train")
    page.goto("/dashboard")
    assert page.locator(".panel svg").count() >= 1
    page.locator(".panel details summary").first.click()
    assert page.locator(".panel details table").first.is_visible()
    screenshot(page, "dashboard")
    page.goto("/alerts")
    screenshot(page, "alerts")
    document = missing[0].document_key
    page.goto(f"/persons/{document}")
    page.get_by_label("Reason").fill("missing at the exit, checking earlier journeys")
    page.get_by_role("button", name="Open the record").click()
    page.wait_for_url(re.compile(r"/persons/.+\?reason="))
    assert page.locator("h1 .sub").inner_text() == document
    screenshot(page, "person")
    for path, name in (
        ("/rules", "rules"),
        ("/frtd", "frtd"),
        ("/freight", "freight"),
        ("/admin/audit", "audit"),
    ):
        page.goto(path)
        screenshot(page, name)
    page.locator("#chain.ok").wait_for()
    assert "Ledger intact" in page.locator("#chain").inner_text()
    # The same tablet held upright: nothing may be wider than the screen but the tables' own scroll box.
    page.set_viewport_size({"width": 820, "height": 1180})
    for path, name in ((f"/trains/{busiest.key}", "train-portrait"), ("/alerts", "alerts-portrait")):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 820, path
        screenshot(page, name, width=820)


def test_work_an_alert_from_open_to_resolved(page: Any, console: Console) -> None:
    app = console.application
    sign_in(page, console, "border_guard")
    page.goto("/alerts?status=open&type=PASSENGER_MISSING")
    row = page.locator("#alert-rows tr.status-open").first
    alert_id = (row.get_attribute("id") or "").removeprefix("alert-")
    assert alert_id
    row.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    with app.store.writing() as session:
        acknowledged = session.alert(alert_id)
    assert acknowledged is not None
    assert acknowledged.status == "acknowledged"
    assert acknowledged.updated_by == console.username("border_guard")
    page.goto(f"/alerts/{alert_id}")
    assert page.locator("h1 .status-acknowledged").is_visible()
    page.get_by_label("Found on the train").check()
    page.get_by_label("Note", exact=True).fill("asleep in carriage 4, checked out by the escort")
    screenshot(page, "alert-resolve")
    page.get_by_role("button", name="Resolve", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1 .status-resolved").is_visible()
    assert page.get_by_role("button", name="Resolve", exact=True).count() == 0
    (resolved,) = [a for a in app.store.alerts(AlertFilter(status="resolved")) if a.alert_id == alert_id]
    assert resolved.outcome == "found_on_train"


def _train_with_one_missing(number: str, service_date: str) -> list[dict[str, Any]]:
    from factories import simple_train

    return simple_train(2, missing=("2",), prefix=f"live-{number}", number=number, service_date=service_date)


def test_a_new_missing_passenger_appears_without_reload(page: Any, console: Console) -> None:
    app = console.application
    sign_in(page, console, "border_guard")
    page.goto("/alerts?status=open&type=PASSENGER_MISSING")
    before = page.locator("#alert-rows tr[data-type]").count()
    page.evaluate("window.stillTheSamePage = true")
    events = _train_with_one_missing("359", "2023-05-02")  # the day after the simulated one
    app.corridor.apply_batch([LedgerEntry.of(parse_event(body)) for body in events])
    (new,) = [
        a
        for a in app.store.alerts(AlertFilter(type="PASSENGER_MISSING"))
        if a.train.key.startswith("359/2023-05-02")
    ]
    page.locator(f"#alert-{new.alert_id}").wait_for(timeout=15_000)
    assert page.locator("#alert-rows tr[data-type]").count() == before + 1
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot(page, "alerts-live")
