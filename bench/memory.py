"""Peak memory of `transitguard ingest` against the number of events: it should stay flat.

    python bench/memory.py [--events 100000 1000000]

Each size runs the real CLI in a fresh process on a fresh SQLite file and reads its peak RSS, and that
of the ingest's planning process (a fork: its figure counts the pages it shares with the ingest).
Baseline: the same CLI running `transitguard --help` (interpreter plus imports), the floor any
command pays.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import simulated_file, table

# Runs the CLI in a fresh interpreter and reports that process's own peak RSS on its last line.
_WRAPPER = """
import resource, runpy, sys
sys.argv = ["transitguard", *sys.argv[1:]]
try:
    runpy.run_module("transitguard", run_name="__main__")
except SystemExit as exit:
    if exit.code not in (0, None):
        raise
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so a
# command started by a large benchmark process would report the benchmark's memory as its own.
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(own, workers)
"""


def peak_rss(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(peak RSS of the command's process, largest peak RSS of its worker processes), in MiB.
    A forked worker's figure counts the pages it shares with the command's process."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args], env=env, check=True, capture_output=True, text=True
    )
    own, workers = done.stdout.strip().splitlines()[-1].split()
    return int(own) / 1024, int(workers) / 1024


def peak_rss_mib(args: list[str], env: dict[str, str]) -> float:
    return peak_rss(args, env)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="tg-bench-") as folder:
        env = {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{Path(folder) / 'floor.db'}"}
        rows.append(("transitguard --help (baseline)", "-", f"{peak_rss_mib(['--help'], env):,.0f}", "-"))
        for size in sorted(args.events):
            source = Path(folder) / f"events-{size}.jsonl"
            written = simulated_file(source, days=3650, seed=5, limit=size)
            env["TRANSITGUARD_DATABASE_URL"] = f"sqlite:///{Path(folder) / f'tg-{size}.db'}"
            own, planning = peak_rss(["ingest", str(source)], env)
            rows.append((f"ingest {written:,} events", f"{written:,}", f"{own:,.0f}", f"{planning:,.0f}"))
            source.unlink()
    table(
        "Peak RSS of transitguard ingest (SQLite)",
        rows,
        ("run", "events", "peak RSS MiB", "planning process peak RSS MiB"),
    )


if __name__ == "__main__":
    main()
