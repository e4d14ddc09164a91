"""Bulk ingest of two commits, side by side, on the same data: is a change faster?

    python bench/ingest_compare.py BASE [OTHER] [--days 30] [--rounds 7]

On a shared machine whose speed drifts from minute to minute, two runs of `bench/ingest.py` minutes
apart do not compare two commits: the drift is as large as most changes. Here the rounds alternate
(BASE, OTHER, BASE, OTHER, ...), each a fresh process ingesting the same simulated file into a fresh
SQLite database with the source of its commit (`git archive`, OTHER defaults to the working tree), so
both commits see the same minutes. Baseline: BASE. Printed: the median wall time and events/s of
each, the ratio, and the median processor time of the ingest and of its planning process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from common import simulated_file, table

ROOT = Path(__file__).resolve().parent.parent

# One ingest in a fresh interpreter that imports transitguard from the PYTHONPATH it is given.
_RUN = """
import json, resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
from transitguard.adapters.store.sql import SqlStore
from transitguard.rulepacks import load_rule_pack
from transitguard.services.corridor import CorridorService
from transitguard.services.ingest import Source, ingest_sources

source, database = Path(sys.argv[1]), sys.argv[2]
store = SqlStore.open(f"sqlite:///{database}")
service = CorridorService(store, load_rule_pack("kaliningrad"), lambda: datetime(2026, 1, 1, tzinfo=UTC))
started, cpu = time.perf_counter(), time.process_time()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
ingest_sources(service, [Source(source.name, source)])
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_CHILDREN)
planning = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
store.close()
print(json.dumps({"wall": wall, "cpu": cpu, "planning": planning}))
"""


def source_of(revision: str | None, into: Path) -> Path:
    """The `src` folder of a commit (None: the working tree's)."""
    if revision is None:
        return ROOT / "src"
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def one_ingest(src: Path, events: Path, database: Path) -> dict[str, float]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(events), str(database)],
        env={**os.environ, "PYTHONPATH": str(src)},
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the commit to compare against (the baseline)")
    parser.add_argument("other", nargs="?", help="the commit to compare (default: the working tree)")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tg-compare-") as folder:
        work = Path(folder)
        events = simulated_file(work / "events.jsonl", args.days)
        sources = {
            args.base: source_of(args.base, work / "base"),
            args.other or "working tree": source_of(args.other, work / "other"),
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
        for _ in range(args.rounds):
            for name, src in sources.items():
                runs[name].append(one_ingest(src, work / "events.jsonl", work / "ingest.db"))
    base_wall = statistics.median(r["wall"] for r in runs[args.base])
    rows = []
    for name, measured in runs.items():
        wall = statistics.median(r["wall"] for r in measured)
        rows.append(
            (
                name + (" (baseline)" if name == args.base else ""),
                f"{wall:.2f}",
                f"{events / wall:,.0f}",
                f"{base_wall / wall:.2f}",
                f"{statistics.median(r['cpu'] for r in measured):.2f}",
                f"{statistics.median(r['planning'] for r in measured):.2f}",
            )
        )
    table(
        f"Bulk ingest, SQLite: {events:,} simulated events ({args.days} days), median of {args.rounds} "
        "alternating rounds",
        rows,
        ("commit", "seconds", "events/s", "x baseline speed", "cpu s", "planning cpu s"),
    )


if __name__ == "__main__":
    main()
