"""Where an ingest's lines come from, and the whole-input check of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import check_lines
from transitguard.domain.corridor import Corridor
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


def validate_sources(
    corridor: Corridor,
    sources: Sequence[Source],
    rejects: BinaryIO | None = None,
    *,
    skip: int = 0,
    max_problems: int = MAX_PROBLEMS,
) -> tuple[int, int, list[Problem]]:
    """The whole-input check of every line of every source but the first `skip` non-blank ones (an
    ingest parses those itself): the number of valid lines, the number of lines skipped, and the first
    `max_problems` problems (all of them written to `rejects` if given). Nothing else is kept in
    memory."""
    problems: list[Problem] = []
    valid = 0
    unchecked = [skip]
    for source in sources:
        for problem in check_lines(_blank_first(source.lines(), unchecked), source.name, corridor):
            if problem is None:
                valid += 1
                continue
            if rejects is not None:
                _write_reject(rejects, problem)
            if len(problems) < max_problems:
                problems.append(problem)
    return valid, skip - unchecked[0], problems


def _blank_first(lines: Iterable[bytes], unchecked: list[int]) -> Iterator[bytes]:
    """The lines, with the first unchecked[0] non-blank ones (counting down) as blank ones: skipped,
    and the lines after them keep their numbers."""
    for raw in lines:
        if unchecked[0] and raw.strip():
            unchecked[0] -= 1
            yield b""
        else:
            yield raw
