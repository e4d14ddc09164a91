"""The served OpenAPI document is the checked-in docs/openapi.json, and it documents every operation:
a summary, how to authenticate, and the errors it answers in the one error shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from transitguard.adapters.store.memory import MemoryStore
from transitguard.bootstrap import bootstrap
from transitguard.entrypoints.api.app import console_available, create_app
from transitguard.entrypoints.api.openapi_doc import REGENERATE

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    application = bootstrap({}, store=MemoryStore())
    with TestClient(create_app(application, console=console_available())) as client:
        answer = client.get("/api/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in document["paths"].items() for m, op in ops.items()]


def test_the_served_document_is_the_checked_in_one(served: dict[str, Any]) -> None:
    checked_in = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    assert served == checked_in, f"docs/openapi.json is out of date: regenerate it with `{REGENERATE}`"


def test_every_operation_has_a_summary_a_description_and_an_operation_id(served: dict[str, Any]) -> None:
    operations = _operations(served)
    assert len(operations) >= 30
    for method, path, operation in operations:
        assert operation.get("summary"), (method, path)
        assert operation.get("description"), (method, path)
        assert operation.get("operationId"), (method, path)


def test_every_operation_declares_its_errors_in_the_one_shape(served: dict[str, Any]) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in _operations(served):
        responses = operation["responses"]
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == error, (method, path, status)
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, (method, path)
    assert "HTTPValidationError" not in served["components"]["schemas"]


def test_only_health_and_sign_in_are_open_without_credentials(served: dict[str, Any]) -> None:
    open_ = sorted(f"{m} {p}" for m, p, op in _operations(served) if not op.get("security"))
    assert open_ == ["GET /api/v1/health", "POST /api/v1/session"]
