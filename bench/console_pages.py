"""Console pages with a year of simulated traffic in the database: p95 per page.

    python bench/console_pages.py [--days 365] [--requests 40] [--keep DIR]

Set-up (not timed): `--days` of simulated corridor traffic (2023) ingested into an embedded SQLite
database, a supervisor and an administrator, a real uvicorn server. Measured: each main console page,
fetched `--requests` times one after another by a signed-in user, as a browser would (full HTML; the
htmx fragments the pages poll are measured too). Baseline: `health`, GET /api/v1/health through the
same server, middleware and database (one row read): the floor every page stands on.
Requirement (issue 6): p95 < 200 ms on every page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from common import simulated_file, table
from http_server import server
from transitguard.bootstrap import bootstrap
from transitguard.services.ingest import Source, ingest_sources
from transitguard.services.ports import AlertFilter, JourneyFilter


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def sign_in(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"username": username, "password": password})
    conn.request("POST", "/api/v1/session", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"sign-in failed: HTTP {response.status}")
    cookie = response.getheader("set-cookie") or ""
    return cookie.split(";", 1)[0]


def timed(port: int, path: str, cookie: str, repeats: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status}")
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--keep", type=Path, default=None, help="reuse (or keep) the database in DIR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tg-bench-console-") as folder:
        work = args.keep or Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        db = work / f"console-{args.days}.db"
        url = f"sqlite:///{db}"
        env = {**os.environ, "TRANSITGUARD_DATABASE_URL": url}
        app = bootstrap(env)
        if app.store.ledger_count() == 0:
            events = work / "events.jsonl"
            count = simulated_file(events, args.days, seed=5)
            t0 = time.perf_counter()
            ingest_sources(app.corridor, [Source(events.name, events)])
            print(
                f"ingested {count:,} events ({args.days} days) in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
            events.unlink()
        for name, role in (("bench.supervisor", "supervisor"), ("bench.admin", "admin")):
            if app.accounts.accounts.user(name) is None:
                app.accounts.create_user(name, "a long bench password", [role])
        trains = app.store.trains()
        busiest = max(trains, key=lambda t: t.manifest_count)
        missing = app.store.journeys(JourneyFilter(status="missing", limit=1))
        person = missing[0].document_key if missing and missing[0].document_key else None
        open_alerts = len(app.store.alerts(AlertFilter(status="open")))
        journeys = app.store.ledger_count()
        app.close()

        train = busiest.train
        pages = [
            ("board /", f"/?date={train.service_date.isoformat()}", "supervisor"),
            (
                "train page",
                f"/trains/{train.number}/{train.service_date.isoformat()}/{train.direction}",
                "supervisor",
            ),
            ("alert queue /alerts", "/alerts", "supervisor"),
            ("alert rows (polled)", "/alerts/rows", "supervisor"),
            ("dashboard", "/dashboard", "supervisor"),
            ("freight", "/freight", "supervisor"),
            ("frtd", "/frtd", "supervisor"),
            ("watchlists", "/watchlists", "supervisor"),
            ("rules", "/rules", "supervisor"),
            ("audit", "/admin/audit", "admin"),
            ("users", "/admin/users", "admin"),
        ]
        if person:
            pages.insert(2, ("person page", f"/persons/{person}?reason=bench", "supervisor"))
        rows = []
        with server(url) as port:
            cookies = {
                "supervisor": sign_in(port, "bench.supervisor", "a long bench password"),
                "admin": sign_in(port, "bench.admin", "a long bench password"),
            }
            floor = timed(port, "/api/v1/health", "", args.requests)
            rows.append(
                ("baseline: health", f"{statistics.median(floor) * 1000:.1f}", f"{p95(floor) * 1000:.1f}")
            )
            worst = 0.0
            for label, path, role in pages:
                times = timed(port, path, cookies[role], args.requests)
                worst = max(worst, p95(times))
                rows.append((label, f"{statistics.median(times) * 1000:.1f}", f"{p95(times) * 1000:.1f}"))
    table(
        f"Console pages, {args.days} days of traffic ({journeys:,} ledger events, {len(trains):,} trains, "
        f"{open_alerts:,} open alerts), {args.requests} requests each",
        rows,
        ("page", "median ms", "p95 ms"),
    )
    verdict = "met" if worst < 0.2 else "NOT met"
    print(f"  worst p95 {worst * 1000:.0f} ms; requirement p95 < 200 ms on every page: {verdict}")


if __name__ == "__main__":
    main()
