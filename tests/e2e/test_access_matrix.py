"""Every route × every role, signed in with a password and with an API token, against PERMISSIONS.

Each route declares one permission (require / signed_in / public in entrypoints/api/auth.py, page in
entrypoints/web/rendering.py); this test reads it from the route's dependencies, so a new route or
console page is walked without being listed here, and a route that declares none fails. Denied → 403
(401 when anonymous, or for a console page a redirect to /login); allowed → anything but 401/403.
The console's pages are walked whenever the console is installed (the app is built as `serve` does).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route
from test_api_support import Api, api  # noqa: F401 - the fixture shared by the API tests

from transitguard.domain.access import PERMISSIONS, ROLES
from transitguard.entrypoints.api.app import console_available
from transitguard.entrypoints.api.auth import PERMISSION_ATTRIBUTE, PUBLIC, SIGNED_IN

# Plausible values for path parameters, by name; anything else gets "x".
PATH_VALUES = {
    "alert_id": "A-00000000000000000000",
    "hit_id": "H-00000000000000000000",
    "document_key": "RUS:751234567",
    "name": "eu-fsf",
    "rule_id": "xvii-a",
    "kind": "alerts",
    "username": "nobody.here",
    "token_id": "0000000000000000",
}
QUERY_VALUES = {"/api/v1/persons/{document_key}": {"reason": "access matrix test"}}
SERVED_WITHOUT_DEPENDENCY = {"/api/openapi.json"}  # the API's description: public by design


def _permissions(dependant: Dependant) -> list[str]:
    found = []
    for sub in dependant.dependencies:
        if sub.call is not None and hasattr(sub.call, PERMISSION_ATTRIBUTE):
            found.append(getattr(sub.call, PERMISSION_ATTRIBUTE))
        found += _permissions(sub)
    return found


def routes_of(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, permission) of every route; fails on a route without exactly one permission."""
    walked: list[tuple[str, str, str]] = []
    undeclared: list[str] = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, APIRoute):
            declared = _permissions(route.dependant)
            if len(declared) != 1:
                undeclared.append(f"{sorted(route.methods)} {path}: declares {declared or 'nothing'}")
                continue
            walked += [(m, path, declared[0]) for m in sorted(context.methods or route.methods)]
        elif isinstance(route, Route) and path not in SERVED_WITHOUT_DEPENDENCY:
            undeclared.append(f"{path}: a plain route, declares no permission")
        elif not isinstance(route, Route | Mount):
            undeclared.append(f"{route!r}: unknown kind of route")
    assert not undeclared, "routes without one declared permission:\n" + "\n".join(undeclared)
    return walked


def _url(path: str) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)


def _call(client: Any, method: str, path: str) -> Any:
    # Not following redirects: the console answers an anonymous visitor with one to /login.
    options: dict[str, Any] = {"params": QUERY_VALUES.get(path, {}), "follow_redirects": False}
    if method in ("POST", "PUT", "PATCH"):
        options["json"] = {}
    return client.request(method, _url(path), **options)


def _expected(permission: str, roles: tuple[str, ...]) -> bool:
    if permission in (PUBLIC, SIGNED_IN):
        return True
    return any(role in PERMISSIONS[permission] for role in roles)


def _is_refusal(status: int, anonymous: bool, path: str) -> bool:
    if status == 403:
        return True
    if anonymous and status == 401:
        return True
    # The console sends an anonymous visitor to its sign-in page instead.
    return anonymous and not path.startswith("/api/") and status in (302, 303)


def test_every_permission_is_held_by_a_known_role() -> None:
    for permission, holders in PERMISSIONS.items():
        assert holders, permission
        assert set(holders) <= set(ROLES), permission


def test_every_route_declares_a_known_permission(api: Api) -> None:  # noqa: F811
    walked = routes_of(api.app)
    assert walked
    for method, path, permission in walked:
        assert permission in PERMISSIONS or permission in (PUBLIC, SIGNED_IN), (method, path, permission)


def test_the_console_pages_are_walked_when_the_console_is_installed(api: Api) -> None:  # noqa: F811
    pages = [path for _, path, _ in routes_of(api.app) if not path.startswith("/api/")]
    assert bool(pages) == console_available(), pages


def test_every_route_with_every_role(api: Api) -> None:  # noqa: F811
    walked = routes_of(api.app)
    # Signing out ends the session it is sent with: walk it last.
    walked.sort(key=lambda r: (r[1] == "/api/v1/session" and r[0] == "DELETE", r[1], r[0]))
    wrong: list[str] = []
    anonymous = api.client()
    for method, path, permission in walked:
        answer = _call(anonymous, method, path)
        status = answer.status_code
        if status in (302, 303) and permission != PUBLIC:
            assert answer.headers["location"].startswith("/login"), (method, path, answer.headers["location"])
        if permission == PUBLIC:
            if status in (401, 403):
                wrong.append(f"anonymous {method} {path}: {status}, but the route is public")
        elif not _is_refusal(status, True, path):
            wrong.append(f"anonymous {method} {path}: {status}, expected a refusal")
    for role in ROLES:
        for via, client in (("session", api.signed_in(role)), ("token", api.with_token(role))):
            for method, path, permission in walked:
                if via == "token" and path == "/api/v1/session" and method == "POST":
                    continue  # signing in takes a password, not a token
                status = _call(client, method, path).status_code
                allowed = _expected(permission, (role,))
                if allowed and status in (401, 403):
                    wrong.append(f"{role} via {via}: {method} {path} ({permission}): {status}, should pass")
                elif not allowed and status != 403:
                    wrong.append(f"{role} via {via}: {method} {path} ({permission}): {status}, expected 403")
                if status >= 500:
                    wrong.append(f"{role} via {via}: {method} {path}: {status}")
    assert not wrong, "\n".join(wrong)


def test_a_token_narrowed_to_one_scope_holds_only_that(api: Api) -> None:  # noqa: F811
    client = api.with_token("supervisor", scopes=["alerts.read"])
    assert client.get("/api/v1/alerts").status_code == 200
    assert client.get("/api/v1/journeys").status_code == 403
    assert client.get("/api/v1/trains").status_code == 403


def test_a_denied_request_is_in_the_audit_trail(api: Api) -> None:  # noqa: F811
    client = api.signed_in("analyst")
    assert client.get("/api/v1/journeys").status_code == 403
    (denied,) = [e for e in api.audit("access") if e.outcome == "denied"]
    assert denied.actor == "analyst.1"
    assert denied.subject == "GET /api/v1/journeys"
    assert denied.reason == "needs journeys.read"
