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

from transitguard.adapters.sim import SimConfig, write_simulation
from transitguard.rulepacks import load_rule_pack


def simulated_file(
    path: Path, days: int, seed: int = 1, start: date = date(2023, 1, 1), limit: int | None = None
) -> int:
    """Write `days` of simulated corridor traffic (at most `limit` events) as JSON Lines."""
    corridor = load_rule_pack("kaliningrad").corridor
    with path.open("wb") as handle:
        return write_simulation(handle, SimConfig(start=start, days=days, seed=seed), corridor, limit)


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
