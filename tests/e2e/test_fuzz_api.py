"""Schemathesis against the served OpenAPI document: no generated request makes the API answer 5xx.

Each operation is called with a token of a role that holds its permission (so the request reaches the
route instead of stopping at 403), on a database holding a train, an alert, a watchlist and a hit, so
lists, exports and screening have something to answer. Few examples per operation, derandomized:
the same requests on every run, in well under a minute and a half. The document fuzzed is the
checked-in one, which tests/e2e/test_openapi.py keeps equal to the served one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from test_access_matrix import routes_of

from factories import passenger, simple_train
from transitguard.adapters.formats.jsonl import ParsedLine, parse_line
from transitguard.bootstrap import bootstrap
from transitguard.domain.access import PERMISSIONS
from transitguard.entrypoints.api.app import create_app
from transitguard.entrypoints.api.auth import PUBLIC, SIGNED_IN
from transitguard.services.ports import AlertFilter, HitFilter

SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "sanctions"
    / "opensanctions_ftm"
    / "yente_t1_eu_fsf_sample.ftm.jsonl"
)


@schemathesis.serializer("application/x-ndjson", "application/edifact")
def _text_body(_context: Any, value: Any) -> bytes:
    """JSON Lines and EDIFACT bodies are text: send the generated string as it is."""
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else orjson.dumps(value)


def _seed(application: Any) -> None:
    """A watchlist, a train with a listed passenger (a hit) and a missing one (an alert)."""
    application.screening.import_list("eu-fsf", SAMPLE, None, None)
    events = simple_train(2, missing=("2",))
    listed = passenger("1", surname="ZHURAVLEVA", given="TATIANA", passport="751112233")
    listed.update(birth_date="1967-12-19", sex="F")
    events[0]["passengers"][0] = listed
    parsed = [parse_line(orjson.dumps(e), "seed", 1, application.corridor.corridor) for e in events]
    application.corridor.apply_batch([p.entry for p in parsed if isinstance(p, ParsedLine)])
    assert len(application.store.alerts(AlertFilter())) == 2  # PASSENGER_MISSING and WATCHLIST_HIT
    assert len(application.store.hits(HitFilter())) == 1


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("fuzz")
    application = bootstrap({"TRANSITGUARD_DATABASE_URL": f"sqlite:///{folder / 'fuzz.db'}"})
    _seed(application)
    app = create_app(application, console=False)
    tokens = {
        role: application.accounts.create_token(f"fuzz {role}", role)[0] for role in ("supervisor", "admin")
    }
    permission_of = {(method, path): permission for method, path, permission in routes_of(app)}
    APP_UNDER_TEST.app = app
    yield {"app": app, "tokens": tokens, "permission_of": permission_of}
    application.close()


class _AppUnderTest:
    """The ASGI app schemathesis calls: the module's fixture puts the real one in (the schema is
    loaded when the module is collected, the app is built on a fresh database when the test runs)."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


APP_UNDER_TEST = _AppUnderTest()
schema = schemathesis.openapi.from_path(str(Path(__file__).resolve().parents[2] / "docs" / "openapi.json"))
schema.app = APP_UNDER_TEST


def _token_for(fuzzed: dict[str, Any], method: str, path: str) -> str:
    # The fuzzer also tries methods a path does not have (405): any of the path's permissions will do.
    permissions = fuzzed["permission_of"]
    permission = permissions.get((method.upper(), path)) or next(
        p for (_, at), p in permissions.items() if at == path
    )
    if permission in (PUBLIC, SIGNED_IN) or "supervisor" in PERMISSIONS[permission]:
        return str(fuzzed["tokens"]["supervisor"])
    return str(fuzzed["tokens"]["admin"])


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case: Any, fuzzed: dict[str, Any]) -> None:
    token = _token_for(fuzzed, case.method, case.path)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
