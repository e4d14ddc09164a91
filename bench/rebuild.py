"""`transitguard rebuild` of a large ledger, against reading and parsing that ledger alone.

    python bench/rebuild.py [--events 1000000]

The ledger is filled straight through the store's append (hash chain included, projections not), then
the real CLI, `transitguard rebuild`, recomputes every train, journey, alert and workflow state from it
in one transaction (stage 1 in one worker process per core), in a fresh process whose peak memory is
reported. Baseline: `scan+parse`, reading every ledger row in order and parsing its event in one
process: what any rebuild from this ledger must at least do.
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from common import table
from memory import peak_rss
from transitguard.adapters.sim.traffic import SimConfig, simulate
from transitguard.adapters.store import tables as t
from transitguard.adapters.store.sql import SqlStore
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry, load_event
from transitguard.rulepacks import load_rule_pack


def fill(store: SqlStore, events: int) -> int:
    corridor = load_rule_pack("kaliningrad").corridor
    stream = simulate(SimConfig(start=date(2023, 1, 1), days=3650, seed=3), corridor)
    written, batch = 0, []
    for event in stream:
        batch.append(LedgerEntry.of(parse_event(event)))
        if len(batch) == 50_000 or written + len(batch) >= events:
            with store.writing() as session:
                session.append(batch, datetime.now(UTC))
            written += len(batch)
            batch = []
            if written >= events:
                break
    return written


def scan_and_parse(store: SqlStore) -> int:
    count = 0
    with store.engine.connect() as conn:
        for row in conn.execution_options(yield_per=5000).execute(
            select(t.ledger.c.body).order_by(t.ledger.c.seq)
        ):
            load_event(row.body)
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 100)
    with tempfile.TemporaryDirectory(prefix="tg-bench-") as folder:
        store = SqlStore.open(f"sqlite:///{Path(folder) / 'tg.db'}")
        started = time.perf_counter()
        events = fill(store, args.events)
        print(f"filled the ledger with {events:,} events in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        scan_and_parse(store)
        base = time.perf_counter() - started
        env = {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{Path(folder) / 'tg.db'}"}
        started = time.perf_counter()
        own, workers = peak_rss(["rebuild"], env)
        seconds = time.perf_counter() - started
        verify_started = time.perf_counter()
        intact = store.verify_ledger().intact
        verify = time.perf_counter() - verify_started
        trains = len(store.trains())
        store.close()
    table(
        f"Rebuild from a ledger of {events:,} events (SQLite)",
        [
            ("scan+parse (baseline)", f"{base:.1f}", f"{events / base:,.0f}", "1.0"),
            (
                f"transitguard rebuild ({trains:,} trains)",
                f"{seconds:.1f}",
                f"{events / seconds:,.0f}",
                f"{seconds / base:.1f}",
            ),
            (
                f"ledger verify (intact={intact})",
                f"{verify:.1f}",
                f"{events / verify:,.0f}",
                f"{verify / base:.1f}",
            ),
        ],
        ("step", "seconds", "events/s", "x baseline time"),
    )
    print(f"  peak RSS of transitguard rebuild: {own:,.0f} MiB; largest worker process: {workers:,.0f} MiB")


if __name__ == "__main__":
    main()
