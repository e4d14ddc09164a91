"""What the HTTP API tests share: an application on a fresh database (SQLite, and PostgreSQL when
TRANSITGUARD_TEST_POSTGRES_URL is set), people signed in with a role, and machine tokens.

Imported by the tests/e2e/test_api_*.py modules (as test_cli's `env` is by the CLI tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from transitguard.bootstrap import Application, bootstrap
from transitguard.entrypoints.api.app import console_available, create_app
from transitguard.entrypoints.api.auth import CSRF_HEADER

API = "/api/v1"
PASSWORD = "correct horse battery staple"


def make_app(application: Application) -> FastAPI:
    """The app as `transitguard serve` builds it: with the console when the console is installed."""
    return create_app(application, console=console_available())


@dataclass
class Api:
    application: Application
    app: FastAPI
    clients: list[TestClient] = field(default_factory=list)

    def client(self) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        self.clients.append(client)
        return client

    def user(self, role: str, username: str | None = None, *roles: str) -> str:
        name = username or f"{role}.1"
        if self.application.accounts.accounts.user(name) is None:
            self.application.accounts.create_user(name, PASSWORD, [role, *roles])
        return name

    def signed_in(self, role: str, username: str | None = None) -> TestClient:
        """A client with the session cookie of a user with `role`, sending the CSRF token."""
        name = self.user(role, username)
        client = self.client()
        answer = client.post(f"{API}/session", json={"username": name, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers[CSRF_HEADER] = answer.json()["csrf_token"]
        return client

    def token(self, role: str, **options: Any) -> str:
        secret, _ = self.application.accounts.create_token(f"{role} client", role, **options)
        return secret

    def with_token(self, role: str, **options: Any) -> TestClient:
        client = self.client()
        client.headers["Authorization"] = f"Bearer {self.token(role, **options)}"
        return client

    def audit(self, action: str | None = None) -> list[Any]:
        records = self.application.audit.recent(limit=1000)
        return [r.event for r in records if action is None or r.event.action == action]


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    application = bootstrap({"TRANSITGUARD_DATABASE_URL": database_url})
    made = Api(application, make_app(application))
    yield made
    for client in made.clients:
        client.close()
    application.close()


def now() -> datetime:
    return datetime.now(UTC)
