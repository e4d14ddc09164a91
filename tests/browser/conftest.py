"""The console in a real browser: Debian's Chromium driven by Playwright, against the real app served by
uvicorn (in a thread of this process, so a test can ingest events while a page is open) over a temporary
SQLite database seeded with a day of simulated traffic and one user per role.

Without /usr/bin/chromium these tests skip, unless TRANSITGUARD_REQUIRE_BROWSER=1 (CI sets it): then
they fail, so CI cannot go green without them. Screenshots go to tests/browser/artifacts/.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORD, TABLET, Console

from transitguard.adapters.sim import SimConfig, write_simulation
from transitguard.bootstrap import bootstrap
from transitguard.domain.access import ROLES
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.entrypoints.api.app import create_app
from transitguard.entrypoints.api.security import SignInThrottle
from transitguard.services.ingest import Source, ingest_sources

CHROMIUM = Path(os.environ.get("TRANSITGUARD_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_ENV = "TRANSITGUARD_REQUIRE_BROWSER"
PEOPLE = tuple(role for role in ROLES if role != "feed")  # a feed is a machine: it has no console
# The browser logs a page answered 401 (a wrong password) or 403 (a refused page) as an error; the tests
# provoke both on purpose. Any other failed resource (a 404 asset, a 500) fails the test.
EXPECTED_REFUSAL = re.compile(r"status of 40[13] ")


# The simulator makes no FRTD or freight decisions: a few recorded ones, so their pages show something.
DECISIONS: list[dict[str, Any]] = [
    {
        "event_id": "frtd-A-1",
        "type": "frtd.decided",
        "occurred_at": "2023-04-28T09:00:00+03:00",
        "application_id": "A-1",
        "decision": "GRANT",
        "frtd": {
            "number": "LTU7700001",
            "valid_from": "2023-05-01",
            "valid_until": "2023-07-31",
            "authorised_transit_hours": 6,
            "max_transits": 2,
            "trains": [{"number": "29", "service_date": "2023-05-01"}],
            "travel_document": {"number": "750000001", "issuing_state": "RUS"},
        },
    },
    {
        "event_id": "frtd-A-2",
        "type": "frtd.decided",
        "occurred_at": "2023-04-28T09:05:00+03:00",
        "application_id": "A-2",
        "decision": "REFUSE",
        "reasons": ["frtd-travel-ban: the applicant is banned from entry"],
    },
    *(
        {
            "event_id": f"freight-{consignment}",
            "type": "freight.decided",
            "occurred_at": "2023-05-01T00:00:00+00:00",
            "consignment_id": consignment,
            "date": "2023-05-01",
            "mode": "rail",
            "direction": "to_kaliningrad",
            "decision": decision,
            "rule_pack": "kaliningrad-goods test",
            "lines": [
                {
                    "cn_code": code,
                    "decision": decision,
                    "rules": rules,
                    "net_mass_kg": 2e4,
                    "value_eur": 1.5e4,
                }
            ],
        }
        for consignment, decision, code, rules in (
            ("C-STEEL", "DENY", "72081000", ["xvii-a"]),
            ("C-BREAD", "ALLOW", "19059080", []),
        )
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{message}, and {REQUIRE_ENV}=1 requires the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def console(browser: Any) -> Iterator[Console]:
    """Depends on `browser` so that nothing is seeded or served when the browser tests skip."""
    import uvicorn

    del browser
    with tempfile.TemporaryDirectory(prefix="tg-browser-") as folder:
        application = bootstrap({"TRANSITGUARD_DATABASE_URL": f"sqlite:///{Path(folder) / 'console.db'}"})
        stream = Path(folder) / "events.jsonl"
        with stream.open("wb") as handle:
            write_simulation(
                handle, SimConfig(start=date(2023, 5, 1), days=1, seed=7), application.pack.corridor
            )
        ingest_sources(application.corridor, [Source(stream.name, stream)])
        application.corridor.apply_batch([LedgerEntry.of(parse_event(body)) for body in DECISIONS])
        for role in PEOPLE:
            application.accounts.create_user(f"{role}.browser", PASSWORD, [role], display_name=f"Test {role}")
        app = create_app(application)
        # Every test signs in from 127.0.0.1, more often than the per-address throttle allows a real
        # client (the throttle has its own tests in tests/e2e).
        app.state.throttle = SignInThrottle(limit=10_000)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        )
        thread = threading.Thread(target=server.run, name="console-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the console did not start")
            time.sleep(0.05)
        try:
            yield Console(f"http://127.0.0.1:{port}", application)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            application.close()


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    """A fresh tablet-sized browser context in the dark scheme (night shift), failing the test on any
    script error or Content-Security-Policy violation the page reports."""
    context = browser.new_context(viewport=TABLET, color_scheme="dark", base_url=console.url)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" and not EXPECTED_REFUSAL.search(message.text)
            else None
        ),
    )
    yield opened
    context.close()
    assert not problems, "\n".join(problems)
