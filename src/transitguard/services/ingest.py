"""Ingest event files: every line is validated before anything is committed, then the events are
written in batches, each one transaction.

A file with a bad line writes nothing (unless the caller asks to skip invalid lines to a rejects
file). Standard input is spooled to a temporary file first, so it gets the same all-or-nothing check.
A kill in the middle leaves every acknowledged batch and nothing of the one in flight; running the
same file again is safe, because the ledger is idempotent by event_id.

Where the platform can fork, a planning process (services/planning.py) checks the lines after the
first batches while this one parses (so checks) and applies those, and the first commit waits for
both verdicts; then the two share the batches: the planning process parses and reconciles most of
them ahead, and this one stores them.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import ParsedLine, parse_line
from transitguard.adapters.formats.paxlst import looks_like_paxlst, read_paxlst
from transitguard.adapters.formats.paxlst_manifest import to_manifest_body
from transitguard.adapters.formats.paxlst_segments import PaxlstError
from transitguard.domain.corridor import Corridor
from transitguard.domain.ledger import LedgerEntry
from transitguard.errors import ConflictError, EventValidationError, Problem, TransitguardError
from transitguard.services.corridor import BatchReport, CorridorService
from transitguard.services.planning import BatchReader, PlanningProcess
from transitguard.services.sources import MAX_PROBLEMS, Source, numbered_lines, validate_sources
from transitguard.services.train_plans import TrainPlan

__all__ = ["DEFAULT_BATCH_SIZE", "IngestReport", "Source", "ingest_sources", "is_paxlst", "paxlst_source"]

DEFAULT_BATCH_SIZE = 10_000
COLLECT_EVERY = 20  # batches between two collections of cyclic garbage while the collector is paused


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
    planned_trains: int = 0  # train recomputations taken from the planning process
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "batches": self.batches,
        }


def _batches(
    sources: Sequence[Source], corridor: Corridor, batch_size: int
) -> Iterator[tuple[list[ParsedLine], list[Problem]]]:
    """Parsed lines in batches of `batch_size` valid lines, with the problems found among them."""
    batch: list[ParsedLine] = []
    problems: list[Problem] = []
    for source, number, raw in numbered_lines(sources):
        item = parse_line(raw, source, number, corridor)
        if isinstance(item, Problem):
            problems.append(item)
            continue
        batch.append(item)
        if len(batch) == batch_size:
            yield batch, problems
            batch, problems = [], []
    if batch or problems:
        yield batch, problems


@contextmanager
def _collector_paused() -> Iterator[Callable[[int], None]]:
    """The cyclic garbage collector off for the ingest; the caller collects every COLLECT_EVERY
    batches (through the function yielded, given the batch count).

    An ingest allocates millions of objects and keeps a batch and a window of trains alive at a time:
    every automatic collection walks all of them, for about a seventh of the run, and finds almost
    nothing (events, rows and tuples hold no cycles; a 60,000-event ingest leaves under 10,000 cyclic
    objects). Reference counting still frees everything else at once. What was alive before the
    ingest is frozen for its length: the collections then walk only what the ingest made, not every
    module, schema and connection of the process too.
    """

    def collect_now_and_then(batches: int) -> None:
        if batches % COLLECT_EVERY == 0:
            gc.collect()

    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield collect_now_and_then
    finally:
        # No collection here: what the ingest leaves is the automatic collector's once it is on again
        # (a command line ingest exits first). Walking it now cost a twentieth of a 60,000-event ingest.
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def ingest_sources(
    service: CorridorService,
    sources: Sequence[Source],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    rejects: BinaryIO | None = None,
    on_batch: Callable[[BatchReport, int], None] | None = None,
) -> IngestReport:
    """Store every event of `sources` through the ledger, batch by batch.

    Every batch reconciles its trains as of one moment, the time the ingest started: an ingest gives
    the same projections however long it runs, and deadlines that pass later are the clock's to catch
    (`transitguard reconcile`), as for any other quiet moment.
    """
    report = IngestReport()
    now = service.clock()
    own: _OwnBatches | None = None
    if rejects is not None:
        # Skipping invalid lines: the rejects are written first, in line order, and the good lines
        # are stored; there is no verdict to wait for.
        result = validate_sources(service.corridor, sources, rejects)
        report.problems = result.problems
        report.rejected = result.invalid
        report.lines = result.valid + result.invalid
    elif "fork" in multiprocessing.get_all_start_methods():
        planning = PlanningProcess(service, sources, batch_size, now, claimed=_OwnBatches.FIRST_OWN)
        own = _OwnBatches(planning, sources, service.corridor, batch_size)
    else:
        whole = validate_sources(service.corridor, sources)
        if whole.problems:
            raise EventValidationError(whole.problems)
        report.lines = whole.valid
    checked = own is None

    def before_commit() -> None:
        nonlocal checked
        if not checked and own is not None:
            report.lines = own.verdict()
            checked = True

    def flush(
        entries: list[LedgerEntry], lines: Sequence[tuple[str, int]], plans: Mapping[str, TrainPlan]
    ) -> None:
        try:
            result = service.apply_batch(entries, before_commit=before_commit, now=now, plans=plans)
        except ConflictError as exc:
            source, line = next(
                (where for where, e in zip(lines, entries, strict=True) if e.event_id in exc.message),
                lines[0],
            )
            raise ConflictError(f"{source}:{line}: {exc.message}") from None
        except EventValidationError:
            raise
        except TransitguardError as exc:
            (source, first), (_, last) = lines[0], lines[-1]
            exc.message = f"{source}:{first}-{last}: {exc.message}"
            exc.args = (exc.message,)
            raise
        report.stored += result.stored
        report.duplicates += result.duplicates
        report.batches += 1
        report.planned_trains += result.planned
        if on_batch is not None:
            on_batch(result, len(entries))

    try:
        with _collector_paused() as collect_now_and_then:
            if own is None:
                for batch, problems in _batches(sources, service.corridor, batch_size):
                    if problems and rejects is None:
                        raise EventValidationError(problems)  # pragma: no cover - checked above
                    if batch:
                        flush([p.entry for p in batch], [(p.source, p.line) for p in batch], {})
                        collect_now_and_then(report.batches)
                    batch.clear()  # one batch in memory at a time, not two
            else:
                for entries, lines, plans in own.in_order(before_commit):
                    flush(entries, lines, plans)
                    collect_now_and_then(report.batches)
            before_commit()  # a file of blank lines still gets its verdict
    finally:
        if own is not None:
            own.planning.close()
    return report


class _OwnBatches:
    """The batches in order for an ingest with a planning process (services/planning.py): planned
    ones as they come, this process's own parsed here.

    This process has the first FIRST_OWN batches: it parses them, which checks their lines, while the
    planning process checks all the lines after them. While it waits for the verdict it claims and
    parses more (at most AHEAD held at once). The verdict leaves it the first INGEST_SHARE of all
    batches (services/planning.py), which keeps the two processes about equally busy. After those it
    takes a batch only if the planning process has not got to it.
    """

    FIRST_OWN = 2
    AHEAD = 3

    def __init__(
        self, planning: PlanningProcess, sources: Sequence[Source], corridor: Corridor, batch_size: int
    ) -> None:
        self.planning = planning
        self._reader = BatchReader(sources, corridor, batch_size)
        self._claimed = set(range(planning.first_own))  # this process's, not parsed yet
        self._parsed: dict[int, tuple[list[ParsedLine], list[Problem]]] = {}
        self._total: int | None = None  # the number of batches, once known
        self._first_valid = 0  # valid lines in the first batches (the planning process does not check them)
        self._first_problems: list[Problem] = []

    def verdict(self) -> int:
        """The number of valid lines once the whole input is checked, or EventValidationError with
        the first problems in line order: those of the first batches, which this process checks by
        parsing them, then the planning process's. While the check runs, the batches to come are read
        ahead."""
        for index in range(self.planning.first_own):
            if index in self._claimed:
                self._parse(index)
        try:
            valid = self.planning.verdict(while_waiting=self.read_ahead)
        except EventValidationError as exc:
            raise EventValidationError([*self._first_problems, *exc.problems][:MAX_PROBLEMS]) from None
        if self._first_problems:
            raise EventValidationError(self._first_problems[:MAX_PROBLEMS])
        return valid + self._first_valid

    def _parse(self, index: int) -> None:
        self._claimed.discard(index)
        parsed, problems, last = self._reader.read(index)
        if index < self.planning.first_own:
            self._first_valid += len(parsed)
            self._first_problems.extend(problems)
        if parsed or problems:
            self._parsed[index] = (parsed, problems)
            if last:
                self._learn_total(index + 1)
        else:
            self._learn_total(index)

    def _learn_total(self, total: int) -> None:
        self._total = total if self._total is None else min(self._total, total)

    def read_ahead(self) -> bool:
        """Parse a batch of this process's while waiting for the verdict; False when there is none."""
        if self._claimed:
            self._parse(min(self._claimed))
            return True
        if len(self._parsed) >= self.AHEAD or self._total is not None:
            return False
        claims = self.planning.claims
        index = claims.next_free()
        # The verdict may be on its way with the first batches left to this process (Claims.leave_first):
        # then the claim lands past them, and they are this process's too, to be read in order. Any
        # between those and the claim the planning process took once it had sent the verdict.
        self._claimed.update(range(self._reader.next_index, min(index, claims.left)))
        self._claimed.add(index)
        self._parse(min(self._claimed))
        return True

    def in_order(
        self, before_commit: Callable[[], None]
    ) -> Iterator[tuple[list[LedgerEntry], list[tuple[str, int]], Mapping[str, TrainPlan]]]:
        stored = 0
        while self._total is None or stored < self._total:
            if stored in self._parsed:
                parsed, problems = self._parsed.pop(stored)
                if problems:
                    before_commit()  # raises: one of the two checks found these lines too
                    raise EventValidationError(problems)  # pragma: no cover - the check is the same code
                yield [p.entry for p in parsed], [(p.source, p.line) for p in parsed], {}
                stored += 1
            elif stored in self._claimed or stored < self.planning.ingest_batches:
                self._parse(stored)
            elif stored >= self.planning.claims.taken:
                self._parse(self.planning.claims.next_free())  # nobody has it yet: take it
            else:
                message = self.planning.next_message()  # the planning process has it
                if isinstance(message, int):
                    self._learn_total(message)
                    continue
                if message.index != stored:
                    raise TransitguardError(
                        f"the ingest's planning process sent batch {message.index} where batch "
                        f"{stored} was due"
                    )
                yield message.entries(), message.lines, message.trains
                stored += 1
