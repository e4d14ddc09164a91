"""Run every benchmark with settings that finish in a few minutes (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

RUNS = [
    ["ingest.py", "--days", "30", "--repeats", "3"],
    ["rebuild.py", "--events", "1000000"],
    ["memory.py", "--events", "100000", "1000000"],
    ["screening.py", "--repeats", "3"],
    ["mrz.py"],
    ["paxlst.py"],
    ["freight.py"],
    ["eligibility.py"],
    ["http_ingest.py", "--seconds", "60"],
    ["http_screening.py", "--names", "1000000", "--requests", "100"],
    ["console_pages.py", "--days", "365", "--requests", "40"],
    ["analytics_stats.py", "--journeys", "10000000", "--repeats", "3"],
    ["report.py", "--days", "365"],
]

if __name__ == "__main__":
    for run in RUNS:
        print(f"\n$ python bench/{' '.join(run)}", flush=True)
        subprocess.run([sys.executable, str(HERE / run[0]), *run[1:]], check=True, cwd=HERE)
