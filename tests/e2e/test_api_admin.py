"""Users, tokens, signing in (lockout, throttling, CSRF), security headers, exports and the audit
trail over HTTP, as an administrator, an analyst and a supervisor use them."""

from __future__ import annotations

import csv
import io

import orjson
from test_api_support import API, PASSWORD, Api, api  # noqa: F401 - the fixture shared by the API tests

from factories import simple_train


def test_an_administrator_creates_changes_and_disables_a_user(api: Api) -> None:  # noqa: F811
    admin = api.signed_in("admin")
    new = {"username": "guard.7", "password": "a long enough password", "roles": ["border_guard"]}
    created = admin.post(f"{API}/users", json=new)
    assert created.status_code == 201, created.text
    assert admin.post(f"{API}/users", json=new).status_code == 409
    short = admin.post(f"{API}/users", json=new | {"username": "guard.8", "password": "short"})
    assert short.json()["error"]["problems"][0]["field"] == "body:password"
    listed = admin.get(f"{API}/users").json()
    assert "guard.7" in [u["username"] for u in listed]
    assert not any("hash" in key for u in listed for key in u)

    guard = api.client()
    assert (
        guard.post(f"{API}/session", json={"username": "guard.7", "password": new["password"]}).status_code
        == 200
    )
    assert guard.get(f"{API}/alerts").status_code == 200
    changed = admin.patch(f"{API}/users/guard.7", json={"roles": ["analyst"], "reason": "moved to analysis"})
    assert changed.json()["roles"] == ["analyst"]
    assert guard.get(f"{API}/alerts").status_code == 401  # a change of roles ends the user's sessions
    assert admin.patch(f"{API}/users/guard.7", json={"disabled": True}).json()["disabled"] is True
    again = api.client().post(f"{API}/session", json={"username": "guard.7", "password": new["password"]})
    assert again.status_code == 401
    assert admin.patch(f"{API}/users/admin.1", json={"disabled": True}).status_code == 422
    assert admin.patch(f"{API}/users/nobody", json={"disabled": True}).status_code == 404
    actions = [e.action for e in api.audit() if e.actor == "admin.1"]
    assert {"user.create", "user.roles", "user.disable"} <= set(actions), actions


def test_a_token_is_shown_once_holds_its_scopes_and_is_refused_once_revoked(api: Api) -> None:  # noqa: F811
    admin = api.signed_in("admin")
    created = admin.post(
        f"{API}/tokens", json={"name": "scanner at Kena", "role": "feed", "scopes": ["mrz.parse"]}
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    listed = admin.get(f"{API}/tokens").json()
    assert token not in orjson.dumps(listed).decode()
    scanner = api.client()
    scanner.headers["Authorization"] = f"Bearer {token}"
    mrz = "P<RUSIVANOV<<ANDREI<<<<<<<<<<<<<<<<<<<<<<<<<\n7512345672RUS8503127M3001019<<<<<<<<<<<<<<06"
    assert scanner.post(f"{API}/mrz/parse", json={"mrz": mrz}).status_code == 200
    assert scanner.post(f"{API}/events", json=simple_train(1)).status_code == 403  # not in its scopes
    assert admin.delete(f"{API}/tokens/{created.json()['token_id']}").status_code == 204
    refused = scanner.post(f"{API}/mrz/parse", json={"mrz": mrz})
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "the API token is unknown, revoked or expired"
    wrong = admin.post(f"{API}/tokens", json={"name": "x", "role": "feed", "scopes": ["users.manage"]})
    assert wrong.status_code == 422


def test_five_wrong_passwords_lock_the_account_with_the_same_answer_as_an_unknown_user(
    api: Api,  # noqa: F811
) -> None:
    api.user("border_guard", "guard.2")
    client = api.client()
    unknown = client.post(f"{API}/session", json={"username": "nobody", "password": "whatever it is"})
    assert unknown.status_code == 401
    for _ in range(5):
        wrong = client.post(f"{API}/session", json={"username": "guard.2", "password": "not the password"})
        assert wrong.json() == unknown.json()
    locked = client.post(f"{API}/session", json={"username": "guard.2", "password": PASSWORD})
    assert locked.status_code == 401
    assert locked.json() == unknown.json()


def test_sign_in_attempts_are_throttled_per_address(api: Api) -> None:  # noqa: F811
    client = api.client()
    answers = [
        client.post(f"{API}/session", json={"username": f"u{n}", "password": "wrong password"}).status_code
        for n in range(11)
    ]
    assert answers == [401] * 10 + [429]
    throttled = client.post(f"{API}/session", json={"username": "x", "password": "wrong password"})
    assert throttled.json()["error"]["code"] == "too_many_requests"
    assert int(throttled.headers["Retry-After"]) >= 1


def test_a_session_changes_nothing_without_its_csrf_token_and_ends_on_sign_out(api: Api) -> None:  # noqa: F811
    guard = api.signed_in("border_guard")
    csrf = guard.headers.pop("X-CSRF-Token")
    refused = guard.post(f"{API}/screening", json={"id": "1", "name": "IVANOV IVAN"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert guard.get(f"{API}/me").json()["actor"] == "border_guard.1"  # reading needs no CSRF token
    assert guard.delete(f"{API}/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert guard.get(f"{API}/me").status_code == 401


def test_every_answer_carries_the_security_headers(api: Api) -> None:  # noqa: F811
    for answer in (api.client().get(f"{API}/health"), api.client().get(f"{API}/alerts")):
        assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Cache-Control"] == "no-store"
    cookie = api.client().post(f"{API}/session", json={"username": api.user("analyst"), "password": PASSWORD})
    set_cookie = cookie.headers["set-cookie"].lower()
    assert "httponly" in set_cookie
    assert "samesite=strict" in set_cookie


def test_an_analyst_exports_alerts_and_each_export_is_audited(api: Api) -> None:  # noqa: F811
    api.with_token("feed").post(f"{API}/events", json=simple_train(2, missing=("2",)))
    analyst = api.signed_in("analyst")
    as_csv = analyst.get(f"{API}/exports/alerts")
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-disposition"] == 'attachment; filename="alerts.csv"'
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["type"] for r in rows] == ["PASSENGER_MISSING"]
    lines = analyst.get(f"{API}/exports/alerts", params={"format": "jsonl"}).text.splitlines()
    assert [orjson.loads(line)["type"] for line in lines] == ["PASSENGER_MISSING"]
    parquet = analyst.get(f"{API}/exports/journeys", params={"format": "parquet"})
    assert parquet.content[:4] == b"PAR1"
    assert analyst.get(f"{API}/exports/passwords").status_code == 422
    exports = [(e.actor, e.subject, e.detail) for e in reversed(api.audit("export"))]
    assert exports == [
        ("analyst.1", "alerts", {"format": "csv", "rows": 1}),
        ("analyst.1", "alerts", {"format": "jsonl", "rows": 1}),
        ("analyst.1", "journeys", {"format": "parquet", "rows": 2}),
    ]


def test_a_supervisor_reads_the_audit_trail_by_actor_and_page_and_verifies_the_ledger(
    api: Api,  # noqa: F811
) -> None:
    guard = api.signed_in("border_guard")
    for n in range(3):
        guard.post(f"{API}/screening", json={"id": f"q{n}", "name": "IVANOV IVAN"})
    supervisor = api.signed_in("supervisor")
    mine = supervisor.get(f"{API}/audit", params={"actor": "border_guard.1", "limit": 2}).json()
    assert [(r["action"], r["subject"]) for r in mine] == [("screening.run", "q2"), ("screening.run", "q1")]
    older = supervisor.get(
        f"{API}/audit", params={"actor": "border_guard.1", "limit": 2, "before_seq": mine[-1]["seq"]}
    ).json()
    assert [(r["action"], r["subject"]) for r in older][:1] == [("screening.run", "q0")]
    assert all(r["roles"] == ["border_guard"] and r["occurred_at"] for r in mine)
    verified = supervisor.get(f"{API}/ledger/verify").json()
    assert verified["intact"] is True
    assert verified["problems"] == []
    assert verified["rows"] >= 4
