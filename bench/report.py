"""The analyst's briefing for a year: `transitguard report` end to end, seconds.

    python bench/report.py [--days 365] [--keep DIR]

Set-up (not timed): `--days` of simulated corridor traffic (2023) ingested into an embedded SQLite
database, as `transitguard ingest` does. Measured, each as the command an analyst runs (a new process):
`report --format html` and `report --format pdf` for the whole period, and `stats export --format
parquet`. Baseline: `transitguard journeys --status missing --format jsonl`, an existing command that
reads the same store once (the missing passengers only), measured in the same run.
Requirement (issue 7): a report for a year < 30 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import simulated_file, table
from transitguard.analytics.report import find_chromium
from transitguard.bootstrap import bootstrap
from transitguard.services.ingest import Source, ingest_sources

START = date(2023, 1, 1)


def timed(env: dict[str, str], cwd: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "transitguard", *args], env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", type=Path, default=None, help="keep the database and reports here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="tg-bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "year.db"
    env = {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{database}"}
    if not database.exists():
        started = time.perf_counter()
        stream = folder / "year.jsonl"
        events = simulated_file(stream, args.days, start=START)
        application = bootstrap(env)
        try:
            ingest_sources(application.corridor, [Source(stream.name, stream)])
        finally:
            application.close()
        took = time.perf_counter() - started
        print(f"set-up: {events:,} events of {args.days} days ingested in {took:.0f} s", flush=True)
    last = START + timedelta(days=args.days - 1)
    period = ("--from", START.isoformat(), "--to", last.isoformat())
    missing = ("journeys", "--status", "missing", "--format", "jsonl")
    rows = [
        ("journeys --status missing (baseline)", timed(env, folder, *missing)),
        (
            "report --format html",
            timed(env, folder, "report", *period, "--format", "html", "-o", "year.html"),
        ),
    ]
    if find_chromium():
        pdf = ("report", *period, "--format", "pdf", "-o", "year.pdf")
        rows.append(("report --format pdf", timed(env, folder, *pdf)))
    else:
        print("no Chromium on the PATH: the PDF report is not measured")
    export = ("stats", "export", "--format", "parquet", "-o", "stats")
    rows.append(("stats export --format parquet", timed(env, folder, *export)))
    table(
        f"A year's report ({START} to {last}), one run each, seconds (target: report < 30 s)",
        [(name, f"{seconds:.1f}", "yes" if seconds < 30 else "NO") for name, seconds in rows],
        ("command", "seconds", "< 30 s"),
    )


if __name__ == "__main__":
    main()
