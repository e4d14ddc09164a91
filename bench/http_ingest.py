"""Events in over HTTP, sustained, against `transitguard ingest` on the same events.

    python bench/http_ingest.py [--seconds 60] [--batch 1000] [--days 60]

Measured: a machine client (a feed token) posting JSON Lines batches to POST /api/v1/events of a real
uvicorn server on an embedded SQLite database, one request after the other for `--seconds`, and then
count in = count stored (the ledger holds every event sent, once). Each request is validated whole,
appended to the hash-chained ledger with its audit record, and reconciled before it is answered.
Baseline: `ingest-cli`, the same events through the CLI's service path in-process (no HTTP), the
throughput the server is built on. Requirement (issue 6): at least 2,000 events/s for 60 s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import simulated_file, table
from http_server import server
from transitguard.bootstrap import bootstrap
from transitguard.services.ingest import Source, ingest_sources


def batches(path: Path, size: int) -> list[bytes]:
    lines = path.read_bytes().splitlines(keepends=True)
    return [b"".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def post_for(port: int, token: str, bodies: list[bytes], seconds: float) -> tuple[int, float, list[float]]:
    """(events sent, elapsed, per-request latencies): sequential requests on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    sent = 0
    latencies: list[float] = []
    started = time.perf_counter()
    for body in bodies:
        if time.perf_counter() - started >= seconds:
            break
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/events", body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {answer[:500]!r}")
        latencies.append(time.perf_counter() - t0)
        sent += body.count(b"\n")
    return sent, time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--days", type=int, default=60, help="simulated days to draw events from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tg-bench-http-") as folder:
        work = Path(folder)
        events = work / "events.jsonl"
        total = simulated_file(events, args.days, seed=11)

        # Baseline: the CLI path, in-process, on the same events (a share of them: the same rate).
        cli_db = f"sqlite:///{work / 'cli.db'}"
        app = bootstrap(
            {**os.environ, "TRANSITGUARD_DATABASE_URL": cli_db},
            clock=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        )
        sample = work / "sample.jsonl"
        sample.write_bytes(b"".join(events.read_bytes().splitlines(keepends=True)[:200_000]))
        t0 = time.perf_counter()
        report = ingest_sources(app.corridor, [Source(sample.name, sample)])
        cli_rate = report.stored / (time.perf_counter() - t0)
        app.close()

        db = work / "http.db"
        url = f"sqlite:///{db}"
        admin = bootstrap({**os.environ, "TRANSITGUARD_DATABASE_URL": url})
        token, _ = admin.accounts.create_token("bench feed", "feed")
        admin.close()
        bodies = batches(events, args.batch)
        with server(url) as port:
            sent, elapsed, latencies = post_for(port, token, bodies, args.seconds)
        check = bootstrap({**os.environ, "TRANSITGUARD_DATABASE_URL": url})
        stored = sum(1 for _, e in check.store.ledger_entries() if e.type != "audit.recorded")
        intact = check.store.verify_ledger().intact
        check.close()

    rate = sent / elapsed
    latencies.sort()
    table(
        f"Events in over HTTP: {args.batch}-event JSON Lines requests for {elapsed:.0f} s "
        f"({total} simulated events available)",
        [
            (
                "http POST /api/v1/events",
                f"{rate:,.0f}",
                f"{statistics.median(latencies) * 1000:.0f}",
                f"{latencies[int(0.99 * (len(latencies) - 1))] * 1000:.0f}",
            ),
            ("baseline: ingest-cli (in-process)", f"{cli_rate:,.0f}", "", ""),
        ],
        ("path", "events/s", "median ms/request", "p99 ms/request"),
    )
    print(
        f"  sent {sent:,} events, stored {stored:,} ({'all, once' if stored == sent else 'MISMATCH'}); "
        f"ledger {'intact' if intact else 'BROKEN'}; HTTP/CLI = {rate / cli_rate:.2f}; "
        f"requirement >= 2,000 events/s: {'met' if rate >= 2000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
