"""Where an ingest's lines come from, and the whole-input check of them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import check_lines
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import Event
from transitguard.errors import Problem


@dataclass(frozen=True)
class Source:
    """A named stream of event lines: a file path, or '-' spooled from standard input."""

    name: str
    path: Path

    def lines(self) -> Iterator[bytes]:
        with self.path.open("rb") as handle:
            yield from handle


def numbered_lines_of(path: Path) -> Iterator[tuple[int, bytes]]:
    """Every non-blank line of a file, with its line number."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


def numbered_lines(sources: Sequence[Source]) -> Iterator[tuple[str, int, bytes]]:
    """Every non-blank line of the sources, with its source and line number."""
    for source in sources:
        for number, raw in numbered_lines_of(source.path):
            yield source.name, number, raw


def _write_reject(handle: BinaryIO, problem: Problem) -> None:
    handle.write(
        orjson.dumps(
            {"source": problem.source, "line": problem.line, "field": problem.field, "reason": problem.reason}
        )
        + b"\n"
    )


def validate_sources(
    corridor: Corridor,
    sources: Sequence[Source],
    rejects: BinaryIO | None = None,
    *,
    keep: int = 0,
    max_problems: int = 100,
) -> tuple[int, list[Problem], list[Event]]:
    """The whole-input check of every line of every source: the number of valid lines, the first
    `max_problems` problems (all of them written to `rejects` if given), and the events of the first
    `keep` valid lines. Nothing else is kept in memory."""
    problems: list[Problem] = []
    first: list[Event] = []
    valid = 0
    for source in sources:
        for item in check_lines(source.lines(), source.name, corridor, keep - len(first)):
            if isinstance(item, Problem):
                if rejects is not None:
                    _write_reject(rejects, item)
                if len(problems) < max_problems:
                    problems.append(item)
                continue
            valid += 1
            if item is not None:
                first.append(item)
    return valid, problems, first
