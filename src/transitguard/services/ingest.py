"""Ingest event files: every line is validated before anything is committed, then the events are
written in batches, each one transaction.

A file with a bad line writes nothing (unless the caller asks to skip invalid lines to a rejects
file). Standard input is spooled to a temporary file first, so it gets the same all-or-nothing check.
A kill in the middle leaves every acknowledged batch and nothing of the one in flight; running the
same file again is safe, because the ledger is idempotent by event_id.

Where the platform can fork, a planning process (services/planning.py) checks the lines after this
one's share of the batches while this one parses (so checks) and applies its first batches and checks
the rest of its share, and the first commit waits for both checks; then the two share the batches: the
planning process parses and reconciles most of them ahead, and this one stores them.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import ParsedLine, check_line, parse_line
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
        planning = PlanningProcess(service, sources, batch_size, now, first_own=_OwnBatches.FIRST_OWN)
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

    This process has its share of the batches (the first INGEST_SHARE of them, services/planning.py),
    which keeps the two processes about equally busy. It parses the first FIRST_OWN at once, which
    checks their lines, and while it waits for the planning process's verdict on the lines after its
    share it checks the lines of the rest of its share, then parses its batches ahead (at most AHEAD
    held at once). After its share it takes a batch only if the planning process has not got to it.
    """

    FIRST_OWN = 2
    AHEAD = 3

    def __init__(
        self, planning: PlanningProcess, sources: Sequence[Source], corridor: Corridor, batch_size: int
    ) -> None:
        self.planning = planning
        self._reader = BatchReader(sources, corridor, batch_size)
        self._corridor = corridor
        self._size = batch_size
        self._claimed = set(range(planning.first_own))  # this process's, not parsed yet
        self._parsed: dict[int, tuple[list[ParsedLine], list[Problem]]] = {}
        self._total: int | None = None  # the number of batches, once known
        # The lines of the share after the first batches, checked here without keeping them.
        self._unchecked = itertools.islice(numbered_lines(sources), planning.first_own * batch_size, None)
        self._checked = planning.first_own  # batches of the share checked (or parsed) so far
        self._share_valid = 0  # valid lines of the share: the planning process does not check them
        self._share_problems: list[Problem] = []

    def verdict(self) -> int:
        """The number of valid lines once the whole input is checked, or EventValidationError with
        the first problems in line order: those of this process's share, which it checks, then the
        planning process's. While the check runs, the batches to come are read ahead."""
        for index in range(self.planning.first_own):
            if index in self._claimed:
                self._parse(index)
        try:
            valid = self.planning.verdict(while_waiting=self.read_ahead)
        except EventValidationError as exc:
            while self._check_next():
                pass
            raise EventValidationError([*self._share_problems, *exc.problems][:MAX_PROBLEMS]) from None
        while self._check_next():
            pass
        if self._share_problems:
            raise EventValidationError(self._share_problems[:MAX_PROBLEMS])
        return valid + self._share_valid

    def _check_next(self) -> bool:
        """Check the lines of the next batch of this process's share; False once all are checked."""
        if self._checked >= self.planning.share():
            return False
        self._checked += 1
        count = 0
        for source, number, raw in itertools.islice(self._unchecked, self._size):
            count += 1
            found = check_line(raw, source, number, self._corridor)
            if not isinstance(found, Problem):
                self._share_valid += 1
            elif len(self._share_problems) < MAX_PROBLEMS:
                self._share_problems.append(found)
        if count < self._size:
            self._checked = self.planning.share()  # the input ends here
        return True

    def _parse(self, index: int) -> None:
        self._claimed.discard(index)
        parsed, problems, last = self._reader.read(index)
        if index < self.planning.first_own:
            self._share_valid += len(parsed)
            self._share_problems.extend(problems)
        if parsed or problems:
            self._parsed[index] = (parsed, problems)
            if last:
                self._learn_total(index + 1)
        else:
            self._learn_total(index)

    def _learn_total(self, total: int) -> None:
        self._total = total if self._total is None else min(self._total, total)

    def read_ahead(self) -> bool:
        """One step of work while waiting for the verdict, in this order: parse a first batch, check
        the lines of a batch of the share, parse a batch of the share ahead; False when there is none."""
        if self._claimed:
            self._parse(min(self._claimed))
            return True
        if self._check_next():
            return True
        if len(self._parsed) >= self.AHEAD or self._total is not None:
            return False
        index = self._reader.next_index
        if index >= self.planning.share():
            return False  # the planning process's, unless it has not got to it when it is due
        self._parse(index)
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
