"""The OpenAPI document: every operation with a summary, how to authenticate, and the errors it may
answer in the one error shape (errors.py). Checked in as docs/openapi.json; regenerate it with

    python -m transitguard.entrypoints.api.openapi_doc > docs/openapi.json

(tests/e2e/test_openapi.py fails, naming this command, when the served document differs.)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from transitguard.entrypoints.api.auth import PERMISSION_ATTRIBUTE, PUBLIC

REGENERATE = "python -m transitguard.entrypoints.api.openapi_doc > docs/openapi.json"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "e.g. invalid_input, not_found, forbidden"},
                "message": {"type": "string", "description": "for a person: what went wrong and where"},
                "problems": {
                    "type": "array",
                    "description": "where the input went wrong: field and reason (and line, for files)",
                    "items": {"type": "object"},
                },
            },
        }
    },
}
SECURITY_SCHEMES = {
    "token": {"type": "http", "scheme": "bearer", "description": "an API token: tg_<id>_<secret>"},
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "tg_session",
        "description": "a console session (POST /api/v1/session); send X-CSRF-Token on changes",
    },
}
_WHY = {
    400: "the body could not be read at all (e.g. bytes that are not UTF-8 where JSON is expected)",
    401: "not signed in, or the token is unknown, revoked or expired",
    403: "the role (or the token's scopes) does not allow it, or the CSRF token is missing",
    404: "what the path names does not exist",
    409: "the step conflicts with the current state (e.g. an alert already resolved)",
    422: "the request is not valid: the problems name the field (and line) and the reason",
    429: "too many sign-in attempts from this address: wait Retry-After seconds",
}


def _permission(route: APIRoute) -> str | None:
    def walk(dependant: Any) -> str | None:
        for sub in dependant.dependencies:
            if sub.call is not None and hasattr(sub.call, PERMISSION_ATTRIBUTE):
                return str(getattr(sub.call, PERMISSION_ATTRIBUTE))
            found = walk(sub)
            if found is not None:
                return found
        return None

    return walk(route.dependant)


def _statuses(method: str, path: str, permission: str | None, operation: dict[str, Any]) -> list[int]:
    statuses = [400] if operation.get("requestBody") else []
    statuses += [] if permission in (None, PUBLIC) else [401, 403]
    if "{" in path:
        statuses.append(404)
    if operation.get("parameters") or operation.get("requestBody") or method in ("POST", "PATCH"):
        statuses.append(422)
    if path.endswith("/session") and method == "POST":
        statuses.append(429)
    return statuses


def _document(schema: dict[str, Any], routes: dict[tuple[str, str], str | None]) -> None:
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if (method.upper(), path) not in routes:
                continue
            permission = routes[(method.upper(), path)]
            responses = operation.setdefault("responses", {})
            for status, declared in responses.items():
                # A route declares its own 4xx (e.g. 409) with a description; the body is the one shape.
                if status.startswith("4") and "content" not in declared:
                    declared["content"] = {"application/json": {"schema": ERROR_REF}}
            for status in _statuses(method.upper(), path, permission, operation):
                responses[str(status)] = {
                    "description": _WHY[status],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
            if permission not in (None, PUBLIC):
                operation["security"] = [{"token": []}, {"session": []}]
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    # FastAPI's own 422 body is replaced by ours on every operation; its schemas would be orphans.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES


def document_operations(app: FastAPI, api_prefix: str) -> None:
    """Give every API operation its error responses and its security when the document is generated.
    The routes themselves are not changed: routers are shared by every app built in a process."""
    routes: dict[tuple[str, str], str | None] = {}
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, APIRoute) and path and path.startswith(api_prefix):
            for method in context.methods or route.methods or ():
                routes[(method, path)] = _permission(route)
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            _document(schema, routes)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_json(app: FastAPI) -> str:
    """The document as checked in: sorted keys, two-space indent, one newline at the end."""
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    from transitguard.adapters.store.memory import MemoryStore
    from transitguard.bootstrap import bootstrap
    from transitguard.entrypoints.api.app import console_available, create_app

    # The document does not depend on the data: an in-memory store, so no database is needed.
    app = create_app(bootstrap({}, store=MemoryStore()), console=console_available())
    sys.stdout.write(document_json(app))


if __name__ == "__main__":
    main()
