"""Write a simulated stream as JSON Lines, the form `transitguard ingest` reads."""

from __future__ import annotations

import itertools
from typing import BinaryIO

import orjson

from transitguard.adapters.sim.config import SimConfig
from transitguard.adapters.sim.traffic import simulate
from transitguard.domain.corridor import Corridor


def write_simulation(
    handle: BinaryIO, config: SimConfig, corridor: Corridor, limit: int | None = None
) -> int:
    """Write the events (at most `limit`) one per line; return how many were written."""
    count = 0
    for event in itertools.islice(simulate(config, corridor), limit):
        handle.write(orjson.dumps(event) + b"\n")
        count += 1
    return count
