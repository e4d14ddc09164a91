"""Ingest event files: validate every line first, then write in batches, each one transaction.

A file with a bad line writes nothing (unless the caller asks to skip invalid lines to a rejects
file). Standard input is spooled to a temporary file first, so it gets the same all-or-nothing check.
A kill in the middle leaves every acknowledged batch and nothing of the one in flight; running the
same file again is safe, because the ledger is idempotent by event_id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import ParsedLine, check_lines, parse_lines
from transitguard.errors import ConflictError, EventValidationError, Problem, TransitguardError
from transitguard.services.corridor import BatchReport, CorridorService

DEFAULT_BATCH_SIZE = 10_000


@dataclass(frozen=True)
class Source:
    """A named stream of event lines: a file path, or '-' spooled from standard input."""

    name: str
    path: Path

    def lines(self) -> Iterator[bytes]:
        with self.path.open("rb") as handle:
            yield from handle


@dataclass
class IngestReport:
    lines: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "batches": self.batches,
        }


def _write_reject(handle: BinaryIO, problem: Problem) -> None:
    handle.write(
        orjson.dumps(
            {"source": problem.source, "line": problem.line, "field": problem.field, "reason": problem.reason}
        )
        + b"\n"
    )


def validate_sources(
    service: CorridorService, sources: Sequence[Source], rejects: BinaryIO | None, max_problems: int = 100
) -> tuple[int, list[Problem]]:
    """First pass: every line of every source, nothing kept in memory but the problems."""
    problems: list[Problem] = []
    valid = 0
    for source in sources:
        for problem in check_lines(source.lines(), source.name, service.corridor):
            if problem is None:
                valid += 1
                continue
            if rejects is not None:
                _write_reject(rejects, problem)
            if len(problems) < max_problems:
                problems.append(problem)
    return valid, problems


def ingest_sources(
    service: CorridorService,
    sources: Sequence[Source],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    rejects: BinaryIO | None = None,
    on_batch: Callable[[BatchReport, int], None] | None = None,
) -> IngestReport:
    report = IngestReport()
    valid, problems = validate_sources(service, sources, rejects)
    report.problems = problems
    if problems and rejects is None:
        raise EventValidationError(problems)
    report.rejected = len(problems)
    batch: list[ParsedLine] = []

    def flush() -> None:
        try:
            result = service.apply_batch([p.entry for p in batch])
        except ConflictError as exc:
            where = next((p for p in batch if p.entry.event_id in exc.message), batch[0])
            raise ConflictError(f"{where.source}:{where.line}: {exc.message}") from None
        except TransitguardError as exc:
            first, last = batch[0], batch[-1]
            exc.message = f"{first.source}:{first.line}-{last.line}: {exc.message}"
            exc.args = (exc.message,)
            raise
        report.stored += result.stored
        report.duplicates += result.duplicates
        report.batches += 1
        if on_batch is not None:
            on_batch(result, len(batch))
        batch.clear()

    for source in sources:
        for item in parse_lines(source.lines(), source.name, service.corridor):
            report.lines += 1
            if isinstance(item, Problem):
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
    if batch:
        flush()
    report.lines = valid + report.rejected
    return report
