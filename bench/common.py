"""Shared helpers for the benchmarks: simulated traffic on disk, medians, a printed table.

Every benchmark prints its figure next to a named baseline measured in the same run on the same data,
because these machines are shared and noisy: the ratio means more than the absolute number.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import orjson

from transitguard.adapters.sim.traffic import SimConfig, simulate
from transitguard.rulepacks import load_rule_pack


def simulated_file(path: Path, days: int, seed: int = 1, start: date = date(2023, 1, 1)) -> int:
    """Write `days` of simulated corridor traffic as JSON Lines; return the number of events."""
    corridor = load_rule_pack("kaliningrad").corridor
    count = 0
    with path.open("wb") as handle:
        for event in simulate(SimConfig(start=start, days=days, seed=seed), corridor):
            handle.write(orjson.dumps(event) + b"\n")
            count += 1
    return count


def median_seconds(
    run: Callable[[], object], repeats: int, setup: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def postgres_url() -> str | None:
    return os.environ.get("TRANSITGUARD_BENCH_POSTGRES_URL") or os.environ.get(
        "TRANSITGUARD_TEST_POSTGRES_URL"
    )


def table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, *rows]:
        print(
            "  "
            + "  ".join(
                str(cell).rjust(w) if i else str(cell).ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
