"""Ingest event files: every line is validated before anything is committed, then the events are
written in batches, each one transaction.

A file with a bad line writes nothing (unless the caller asks to skip invalid lines to a rejects
file). Standard input is spooled to a temporary file first, so it gets the same all-or-nothing check.
A kill in the middle leaves every acknowledged batch and nothing of the one in flight; running the
same file again is safe, because the ledger is idempotent by event_id.

Where the platform can fork, the whole-file check runs in a second process while this one parses and
applies the first batch; that batch's commit waits for the verdict.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import ParsedLine, check_lines, parse_lines
from transitguard.adapters.formats.paxlst import looks_like_paxlst, read_paxlst
from transitguard.adapters.formats.paxlst_manifest import to_manifest_body
from transitguard.adapters.formats.paxlst_segments import PaxlstError
from transitguard.domain.corridor import Corridor
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


def paxlst_source(name: str, path: Path, corridor: Corridor, spool: Path) -> Source:
    """A PAXLST file as a source of `manifest.submitted` events, one per message, written to `spool`.

    Only rail lists of the corridor's trains can enter the ledger (an air or sea list is refused,
    naming the message). The event id is the sender's interchange and message references, so the same
    file ingested twice stores each list once. The UNB preparation time has no zone: it is taken as UTC.
    """
    messages = read_paxlst(path.read_bytes(), name)
    with spool.open("wb") as handle:
        for message in messages:
            if message.transport_mode != "2":
                raise PaxlstError(
                    name,
                    f"message {message.message_ref!r} is not a rail list (TDT transport mode "
                    f"{message.transport_mode or 'missing'}); only the corridor's trains can be ingested",
                    segment=message.segment,
                    tag="UNH",
                )
            body = to_manifest_body(message, corridor)
            prepared = message.prepared_at
            event = {
                "event_id": f"paxlst:{message.sender}:{message.interchange_ref}:{message.message_ref}",
                "type": "manifest.submitted",
                "occurred_at": (prepared if prepared.tzinfo else prepared.replace(tzinfo=UTC)).isoformat(),
                **body,
            }
            handle.write(orjson.dumps(event) + b"\n")
    return Source(name, spool)


def is_paxlst(path: Path) -> bool:
    with path.open("rb") as handle:
        return looks_like_paxlst(handle.read(64))


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
    corridor: Corridor, sources: Sequence[Source], rejects: BinaryIO | None, max_problems: int = 100
) -> tuple[int, list[Problem]]:
    """The whole-file check: every line of every source, nothing kept in memory but the problems."""
    problems: list[Problem] = []
    valid = 0
    for source in sources:
        for problem in check_lines(source.lines(), source.name, corridor):
            if problem is None:
                valid += 1
                continue
            if rejects is not None:
                _write_reject(rejects, problem)
            if len(problems) < max_problems:
                problems.append(problem)
    return valid, problems


class Verdict:
    """The whole-file check, run in a forked process when that is possible, else here at once.

    `wait()` blocks until the check is done and raises EventValidationError if it found a problem;
    the first batch calls it just before committing, so the check runs while that batch is prepared.
    """

    def __init__(self, corridor: Corridor, sources: Sequence[Source]) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[tuple[int, list[Problem]]] | None = None
        self._result: tuple[int, list[Problem]] | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            # fork, not spawn: the child needs nothing re-imported and starts in milliseconds. It only
            # reads the files; it never touches this process's database connections.
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._future = self._pool.submit(validate_sources, corridor, sources, None)
        else:
            self._result = validate_sources(corridor, sources, None)

    def wait(self) -> int:
        if self._result is None:
            assert self._future is not None  # set in __init__ whenever _result is not
            self._result = self._future.result()
            self.close()
        valid, problems = self._result
        if problems:
            raise EventValidationError(problems)
        return valid

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _batches(
    sources: Sequence[Source], corridor: Corridor, batch_size: int
) -> Iterator[tuple[list[ParsedLine], list[Problem]]]:
    """Parsed lines in batches of `batch_size`, with the problems found among them."""
    batch: list[ParsedLine] = []
    problems: list[Problem] = []
    for source in sources:
        for item in parse_lines(source.lines(), source.name, corridor):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                yield batch, problems
                batch, problems = [], []
    if batch or problems:
        yield batch, problems


COLLECT_EVERY = 20  # batches between two collections of cyclic garbage while the collector is paused


@contextmanager
def _collector_paused() -> Iterator[Callable[[int], None]]:
    """The cyclic garbage collector off for the ingest; the caller collects every COLLECT_EVERY
    batches (through the function yielded, given the batch count) and once at the end.

    An ingest allocates millions of objects and keeps a batch and a window of trains alive at a time:
    every automatic collection walks all of them, for about a seventh of the run, and finds almost
    nothing (events, rows and tuples hold no cycles; a 60,000-event ingest leaves under 10,000 cyclic
    objects). Reference counting still frees everything else at once.
    """

    def collect_now_and_then(batches: int) -> None:
        if batches % COLLECT_EVERY == 0:
            gc.collect()

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield collect_now_and_then
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def ingest_sources(
    service: CorridorService,
    sources: Sequence[Source],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    rejects: BinaryIO | None = None,
    on_batch: Callable[[BatchReport, int], None] | None = None,
) -> IngestReport:
    report = IngestReport()
    verdict: Verdict | None = None
    if rejects is None:
        verdict = Verdict(service.corridor, sources)
        checked = False
    else:
        # Skipping invalid lines: the rejects are written first, in line order, and the good lines
        # are stored; there is no verdict to wait for.
        valid, problems = validate_sources(service.corridor, sources, rejects)
        report.problems = problems
        report.rejected = len(problems)
        report.lines = valid + len(problems)
        checked = True

    def before_commit() -> None:
        nonlocal checked
        if not checked and verdict is not None:
            report.lines = verdict.wait()
            checked = True

    def flush(batch: list[ParsedLine]) -> None:
        try:
            result = service.apply_batch([p.entry for p in batch], before_commit=before_commit)
        except ConflictError as exc:
            where = next((p for p in batch if p.entry.event_id in exc.message), batch[0])
            raise ConflictError(f"{where.source}:{where.line}: {exc.message}") from None
        except EventValidationError:
            raise
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

    try:
        with _collector_paused() as collect_now_and_then:
            for batch, problems in _batches(sources, service.corridor, batch_size):
                if problems and rejects is None:
                    before_commit()  # raises: the whole-file check found these lines too
                    raise EventValidationError(problems)  # pragma: no cover - the check is the same code
                if batch:
                    flush(batch)
                    # Let the batch go now, not when the next one is parsed: one batch in memory at a
                    # time instead of two, and the collections below have half as much to walk.
                    batch.clear()
                    collect_now_and_then(report.batches)
            before_commit()  # a file of blank lines still gets its verdict
    finally:
        if verdict is not None:
            verdict.close()
    return report
