"""One JSON error shape for every failure, whoever produces it: our errors, FastAPI's own 404, 405
and 422, a body that is not JSON, a missing or bad credential, and an unexpected exception."""

from __future__ import annotations

from typing import Any

from test_api_support import API, Api, api  # noqa: F401 - the fixture shared by the API tests


def _shape(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "problems"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return dict(body["error"])


def test_routing_errors_have_the_shape(api: Api) -> None:  # noqa: F811
    guard = api.signed_in("border_guard")
    _shape(guard.get(f"{API}/no-such-thing"), 404, "not_found")
    _shape(guard.put(f"{API}/alerts"), 405, "method_not_allowed")


def test_credential_errors_have_the_shape(api: Api) -> None:  # noqa: F811
    anonymous = api.client()
    error = _shape(anonymous.get(f"{API}/alerts"), 401, "unauthenticated")
    assert error["message"] == "sign in, or send an API token"
    assert anonymous.get(f"{API}/alerts").headers["WWW-Authenticate"] == "Bearer"
    _shape(anonymous.get(f"{API}/alerts", headers={"Authorization": "Basic abc"}), 401, "unauthenticated")
    _shape(api.signed_in("analyst").get(f"{API}/alerts"), 403, "forbidden")


def test_validation_errors_name_the_field(api: Api) -> None:  # noqa: F811
    guard = api.signed_in("border_guard")
    error = _shape(guard.get(f"{API}/alerts", params={"limit": 0}), 422, "invalid_input")
    assert error["problems"] == [
        {"field": "query:limit", "reason": "Input should be greater than or equal to 1"}
    ]
    error = _shape(guard.get(f"{API}/alerts", params={"type": "NOT_A_TYPE"}), 422, "invalid_input")
    assert error["message"].startswith("query:type: must be one of")
    error = _shape(guard.post(f"{API}/screening", json={"id": "1"}), 422, "invalid_input")
    assert error["problems"] == [{"field": "body:name", "reason": "Field required"}]


def test_a_body_that_is_not_json_is_named_as_such(api: Api) -> None:  # noqa: F811
    guard = api.signed_in("border_guard")
    answer = guard.post(
        f"{API}/screening", content=b'{"id": "1", "name": ', headers={"Content-Type": "application/json"}
    )
    error = _shape(answer, 422, "invalid_input")
    assert error["problems"][0]["field"] == "body"
    assert error["problems"][0]["reason"].startswith("not valid JSON at character")
    not_utf8 = guard.post(
        f"{API}/screening", content=b"\xfb\xfc", headers={"Content-Type": "application/json"}
    )
    _shape(not_utf8, 400, "bad_request")
    events = api.with_token("feed").post(
        f"{API}/events", content=b"[{", headers={"Content-Type": "application/json"}
    )
    assert _shape(events, 422, "invalid_input")["problems"][0]["reason"].startswith("not JSON")


def test_an_unexpected_failure_says_nothing_of_its_cause(api: Api) -> None:  # noqa: F811
    def broken() -> None:
        raise RuntimeError("password=hunter2 in a connection string")

    api.app.add_api_route("/test-only/broken", broken)
    error = _shape(api.client().get("/test-only/broken"), 500, "internal_error")
    assert "hunter2" not in error["message"]
