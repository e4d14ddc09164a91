"""The console over HTTP (TestClient): signing in, each page for the roles that may open it, refusals,
CSRF on every form, the alert workflow through its forms, and an audited person page.

The browser tests (tests/browser) drive the same pages in Chromium; these run everywhere, fast, on
SQLite and on PostgreSQL when its URL is set.
"""

from __future__ import annotations

import re
from typing import get_args

import pytest
from test_console_support import PASSWORD, Console, console_fixture  # noqa: F401 - the shared fixture

from factories import simple_train
from transitguard.domain.access import PERMISSIONS, ROLES
from transitguard.domain.events import AlertOutcome
from transitguard.entrypoints.web.alert_pages import OUTCOMES
from transitguard.entrypoints.web.i18n import CATALOGUES
from transitguard.services.ports import AlertFilter, JourneyFilter


def _pages(console: Console) -> dict[str, str]:
    """Every console page, with real values, and the permission it declares."""
    store = console.application.store
    (missing,) = store.journeys(JourneyFilter(status="missing"))
    alert_id = console.open_missing_alert()
    return {
        "/": "board.read",
        "/?date=2023-05-01": "board.read",
        "/trains/29/2023-05-01/to_kaliningrad": "journeys.read",
        "/alerts": "alerts.read",
        "/alerts/rows": "alerts.read",
        f"/alerts/{alert_id}": "alerts.read",
        "/persons": "persons.read",
        f"/persons/{missing.document_key}?reason=checking+the+alert": "persons.read",
        "/frtd": "frtd.read",
        "/freight": "freight.read",
        "/watchlists": "watchlists.read",
        "/rules": "rules.read",
        "/dashboard": "dashboard.read",
        "/whatif": "dashboard.read",
        "/admin/users": "users.manage",
        "/admin/audit": "audit.read",
        "/admin/audit/chain": "ledger.verify",
    }


def test_an_anonymous_visitor_is_sent_to_sign_in_and_then_where_they_were_going(console: Console) -> None:
    client = console.client
    answer = client.get("/alerts?status=open")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Falerts%3Fstatus%3Dopen"
    console.application.accounts.create_user("guard.one", PASSWORD, ["border_guard"])
    signed = client.post(
        "/login", data={"username": "guard.one", "password": PASSWORD, "next": "/alerts?status=open"}
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/alerts?status=open"
    assert client.get("/alerts?status=open").status_code == 200


def test_a_wrong_password_shows_the_form_again_and_never_redirects_off_site(console: Console) -> None:
    console.application.accounts.create_user("guard.two", PASSWORD, ["border_guard"])
    wrong = console.client.post("/login", data={"username": "guard.two", "password": "nope", "next": "/"})
    assert wrong.status_code == 401
    assert "Wrong username or password" in wrong.text
    assert "tg_session" not in wrong.headers.get("set-cookie", "")
    away = console.client.post(
        "/login", data={"username": "guard.two", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert away.headers["location"] == "/"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "feed"])
def test_each_page_opens_for_the_roles_that_may_and_is_refused_to_the_others(
    console: Console, role: str
) -> None:
    pages = _pages(console)
    console.sign_in(role)
    for path, permission in pages.items():
        answer = console.client.get(path)
        if role in PERMISSIONS[permission]:
            assert answer.status_code == 200, f"{role} {path}: {answer.status_code} {answer.text[:300]}"
        else:
            assert answer.status_code == 403, f"{role} {path}: {answer.status_code}"
            assert "Your role does not allow this page (it needs " in answer.text


def test_the_navigation_lists_only_what_the_role_may_open(console: Console) -> None:
    console.sign_in("customs_officer")
    nav = re.findall(r'<li><a href="([^"]+)"', console.client.get("/").text)
    assert nav == ["/", "/freight", "/dashboard", "/whatif", "/watchlists", "/rules"]


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(console: Console) -> None:
    alert_id = console.open_missing_alert()
    token = console.sign_in("border_guard")
    for data in ({}, {"csrf_token": "not-the-token"}, {"csrf_token": token[:-1]}):
        answer = console.client.post(f"/alerts/{alert_id}/acknowledge", data=data)
        assert answer.status_code == 403
        assert "CSRF" in answer.text
    with console.application.store.writing() as session:
        still = session.alert(alert_id)
    assert still is not None
    assert still.status == "open"
    assert console.client.post("/logout", data={}).status_code == 403
    assert console.client.get("/alerts").status_code == 200  # still signed in


def test_working_an_alert_through_the_forms(console: Console) -> None:
    alert_id = console.open_missing_alert()
    token = console.sign_in("border_guard")
    done = console.client.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token, "note": "escort is searching"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/alerts"
    page = console.client.get(f"/alerts/{alert_id}").text
    assert "status-acknowledged" in page
    assert f'action="/alerts/{alert_id}/acknowledge"' not in page  # the next step only: resolve
    refused = console.client.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "Choose the outcome" in refused.text
    resolved = console.client.post(
        f"/alerts/{alert_id}/resolve",
        data={"csrf_token": token, "outcome": "absconded", "back": f"/alerts/{alert_id}"},
    )
    assert resolved.status_code == 303
    assert resolved.headers["location"] == f"/alerts/{alert_id}"
    (alert,) = console.application.store.alerts(AlertFilter(status="resolved"))
    assert (alert.alert_id, alert.outcome, alert.updated_by) == (
        alert_id,
        "absconded",
        "border_guard.console",
    )
    again = console.client.post(
        f"/alerts/{alert_id}/resolve", data={"csrf_token": token, "outcome": "other", "note": "x"}
    )
    assert again.status_code == 409
    assert [e.subject for e in console.audit("alert.acknowledge")] == [alert_id]
    assert [e.subject for e in console.audit("alert.resolve")] == [alert_id]


def test_an_analyst_may_not_work_alerts(console: Console) -> None:
    alert_id = console.open_missing_alert()
    token = console.sign_in("analyst")
    answer = console.client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token})
    assert answer.status_code == 403
    assert console.audit("alert.acknowledge") == []


def test_the_queue_polls_its_rows_and_a_new_missing_passenger_is_in_the_next_poll(console: Console) -> None:
    console.sign_in("border_guard")
    queue = console.client.get("/alerts").text
    assert 'hx-get="/alerts/rows"' in queue
    assert 'hx-trigger="every 5s"' in queue
    before = set(re.findall(r'id="alert-(A-[0-9a-f]+)"', console.client.get("/alerts/rows").text))
    console.ingest(simple_train(2, missing=("1",), prefix="b", number="147", service_date="2023-05-02"))
    rows = console.client.get("/alerts/rows", headers={"HX-Request": "true"}).text
    assert rows.lstrip().startswith('<tbody id="alert-rows"')  # the fragment alone, not a whole page
    after = set(re.findall(r'id="alert-(A-[0-9a-f]+)"', rows))
    (alert,) = console.application.store.alerts(
        AlertFilter(type="PASSENGER_MISSING", train_key="147/2023-05-02/to_kaliningrad")
    )
    assert alert.alert_id in after - before


def test_the_queue_shows_the_last_three_service_days_unless_asked_for_every_day(console: Console) -> None:
    console.ingest(simple_train(2, missing=("1",), prefix="old", number="147", service_date="2023-04-20"))
    (old,) = console.application.store.alerts(AlertFilter(train_key="147/2023-04-20/to_kaliningrad"))
    recent = console.open_missing_alert_of("29/2023-05-01/to_kaliningrad")
    console.sign_in("supervisor")
    shift = console.client.get("/alerts").text
    assert recent in shift
    assert old.alert_id not in shift
    assert "Trains of 2023-04-29 to 2023-05-01." in shift
    every = console.client.get("/alerts?scope=all").text
    assert 'hx-get="/alerts/rows?scope=all"' in every
    assert old.alert_id in every
    assert recent in every


def test_a_poll_after_the_session_ended_sends_htmx_to_the_sign_in_page(console: Console) -> None:
    answer = console.client.get("/alerts/rows", headers={"HX-Request": "true"})
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"].startswith("/login?next=")


def test_the_person_page_asks_why_and_records_the_read_with_the_reason(console: Console) -> None:
    (missing,) = console.application.store.journeys(JourneyFilter(status="missing"))
    console.sign_in("consular_officer")
    asked = console.client.get(f"/persons/{missing.document_key}")
    assert asked.status_code == 200
    assert 'name="reason"' in asked.text
    assert missing.surname not in asked.text
    assert console.audit("person.read") == []
    short = console.client.get(f"/persons/{missing.document_key}?reason=x")
    assert short.status_code == 422
    answer = console.client.get(f"/persons/{missing.document_key}?reason=FRTD+application+A-17")
    assert answer.status_code == 200
    assert missing.surname in answer.text
    assert "missing" in answer.text
    (read,) = console.audit("person.read")
    assert (read.actor, read.subject, read.reason) == (
        "consular_officer.console",
        missing.document_key,
        "FRTD application A-17",
    )


def test_looking_up_a_person_by_form_goes_to_their_page(console: Console) -> None:
    console.sign_in("border_guard")
    answer = console.client.get(
        "/persons", params={"document_key": "rus:7500000001", "reason": "at the exit"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/persons/RUS:7500000001?reason=at%20the%20exit"
    bad = console.client.get("/persons", params={"document_key": "no key", "reason": "at the exit"})
    assert bad.status_code == 422
    assert "ISSUING_STATE:NUMBER" in bad.text


def test_an_unknown_train_or_alert_is_a_404_page(console: Console) -> None:
    console.sign_in("supervisor")
    assert console.client.get("/trains/29/2023-05-01/from_kaliningrad").status_code == 404
    assert console.client.get("/trains/29/not-a-date/to_kaliningrad").status_code == 422
    assert console.client.get("/alerts/A-00000000000000000000").status_code == 404
    assert console.client.get("/?date=yesterday").status_code == 422


def test_the_train_page_shows_the_missing_passenger_first_and_is_audited(console: Console) -> None:
    (missing,) = console.application.store.journeys(JourneyFilter(status="missing"))
    console.sign_in("border_guard")
    page = console.client.get("/trains/29/2023-05-01/to_kaliningrad").text
    rows = re.findall(r'<tr class="journey-(\w+)">', page)
    assert rows == ["missing", "completed", "completed"]
    assert "Entered the corridor at" in page
    assert "Left the corridor at" in page
    (read,) = console.audit("journeys.read")
    assert read.subject == "train=29/2023-05-01/to_kaliningrad"
    assert missing.document_key is not None


def test_every_outcome_the_ledger_accepts_has_a_label() -> None:
    assert set(OUTCOMES) == set(get_args(AlertOutcome))


def test_pages_carry_no_inline_script_style_or_outside_address(console: Console) -> None:
    """The Content-Security-Policy allows this server only and no inline script or style: a page that
    needed one would break in the browser, so none may have one."""
    pages = _pages(console)
    console.sign_in("supervisor")
    for path in [*pages, "/login"]:
        html = console.client.get(path).text
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", html), path
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), path


def test_the_static_assets_are_served_locally(console: Console) -> None:
    htmx = console.client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200
    assert 'version:"2.' in htmx.text
    css = console.client.get("/static/console.css")
    assert css.status_code == 200
    assert "prefers-color-scheme" in css.text


def test_signing_out_ends_the_session(console: Console) -> None:
    token = console.sign_in("supervisor")
    answer = console.client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert console.client.get("/alerts").status_code == 303
    assert [e.actor for e in console.audit("logout")] == ["supervisor.console"]


def test_a_page_is_shown_in_the_browsers_language_once_it_has_a_catalogue(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CATALOGUES, "lt", {"Sign in": "Prisijungti", "Username": "Naudotojo vardas"})
    lithuanian = console.client.get("/login", headers={"Accept-Language": "lt-LT,lt;q=0.9,en;q=0.8"}).text
    assert '<html lang="lt">' in lithuanian
    assert "Prisijungti" in lithuanian
    assert "Naudotojo vardas" in lithuanian
    assert "Password" in lithuanian  # not yet translated: shown in English
    english = console.client.get("/login", headers={"Accept-Language": "de-DE,de"}).text
    assert '<html lang="en">' in english
    assert "Prisijungti" not in english


def test_an_analyst_compares_two_policies_side_by_side(console: Console) -> None:
    console.sign_in("analyst")
    answer = console.client.get(
        "/whatif",
        params={"policy": ["status-quo-2023", "door-checks-vilnius"], "start": "2023-05-01", "days": 2},
    )
    assert answer.status_code == 200, answer.text[:300]
    table = answer.text.split('id="whatif-results"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]+)</td>((?:<td[^>]*>[^<]*</td>)+)</tr>", table)
    assert [name for name, _ in rows] == ["status-quo-2023", "door-checks-vilnius"]
    delays = [re.findall(r">([^<]*)</td>", cells)[5] for _, cells in rows]
    # Door checks at Vilnius stop every train for their minutes; the status quo adds no delay.
    assert float(delays[0]) == 0.0
    assert float(delays[1]) > 0.0
    refused = console.client.get("/whatif", params={"policy": "no-such-policy"})
    assert refused.status_code == 422
    assert "policy: unknown no-such-policy" in refused.text
