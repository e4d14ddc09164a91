"""Where an ingest's lines come from, and the whole-input check of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import check_lines
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import Event
from transitguard.errors import Problem

MAX_PROBLEMS = 100  # the problems an ingest's check reports at most (the rejects file takes all)


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


@dataclass
class Checked:
    """What the whole-input check found: the numbers of valid and invalid lines, the first problems,
    and the events of the lines it was asked to keep."""

    valid: int
    invalid: int
    problems: list[Problem]
    kept: list[Event] = field(default_factory=list)


def validate_sources(
    corridor: Corridor,
    sources: Sequence[Source],
    rejects: BinaryIO | None = None,
    *,
    skip: int = 0,
    keep: range = range(0),
    max_problems: int = MAX_PROBLEMS,
) -> Checked:
    """The whole-input check of every line of every source but the first `skip` non-blank ones (an
    ingest checks those itself), keeping the events of the non-blank lines in `keep` (counted from the
    first, as `skip` is) as long as every line checked is valid. The first `max_problems` problems are
    reported (all of them written to `rejects` if given); nothing else is kept in memory."""
    checked = Checked(0, 0, [])
    unchecked = [skip]
    for source in sources:
        for found in check_lines(_blank_first(source.lines(), unchecked), source.name, corridor):
            if not isinstance(found, Problem):
                if skip + checked.valid in keep and not checked.problems:
                    checked.kept.append(found)
                checked.valid += 1
                continue
            checked.invalid += 1
            if rejects is not None:
                _write_reject(rejects, found)
            if len(checked.problems) < max_problems:
                checked.problems.append(found)
    if checked.problems:
        checked.kept.clear()  # nothing is stored: the events are of no use
    return checked


def count_lines(sources: Sequence[Source]) -> int:
    """The number of non-blank lines of the sources: what the ingest's batches are made of."""
    return sum(1 for source in sources for raw in source.lines() if raw.strip())


def _blank_first(lines: Iterable[bytes], unchecked: list[int]) -> Iterator[bytes]:
    """The lines, with the first unchecked[0] non-blank ones (counting down) as blank ones: skipped,
    and the lines after them keep their numbers."""
    for raw in lines:
        if unchecked[0] and raw.strip():
            unchecked[0] -= 1
            yield b""
        else:
            yield raw
