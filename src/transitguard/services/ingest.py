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
import itertools
import multiprocessing
import pickle
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from transitguard.adapters.formats.jsonl import (
    ParsedLine,
    check_lines,
    check_lines_keeping,
    events_of,
    parse_line,
)
from transitguard.adapters.formats.paxlst import looks_like_paxlst, read_paxlst
from transitguard.adapters.formats.paxlst_manifest import to_manifest_body
from transitguard.adapters.formats.paxlst_segments import PaxlstError
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import Event, train_of
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import IssuedFrtd
from transitguard.engines.corridor import TrainResult
from transitguard.errors import ConflictError, EventValidationError, Problem, TransitguardError
from transitguard.services.corridor import BatchReport, CorridorService
from transitguard.services.train_plans import BatchPlan, Planner, TrainPlan

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


def _check_keeping_first(
    corridor: Corridor, sources: Sequence[Source], keep: int, max_problems: int = 100
) -> tuple[int, list[Problem], list[Event]]:
    """The whole-file check, keeping the events of the first `keep` lines (see `_plan_batches`)."""
    problems: list[Problem] = []
    first: list[Event] = []
    valid = 0
    for source in sources:
        for item in check_lines_keeping(source.lines(), source.name, corridor, keep - len(first)):
            if isinstance(item, Problem):
                if len(problems) < max_problems:
                    problems.append(item)
                continue
            valid += 1
            if item is not None:
                first.append(item)
    return valid, problems, first


def _numbered_lines(sources: Sequence[Source]) -> Iterator[tuple[str, int, bytes]]:
    """Every non-blank line of the sources with where it is."""
    for source in sources:
        for number, raw in enumerate(source.lines(), start=1):
            if raw.strip():
                yield source.name, number, raw


def _batches(
    sources: Sequence[Source], corridor: Corridor, batch_size: int, mine: Callable[[int], bool] | None = None
) -> Iterator[tuple[int, list[ParsedLine], list[Problem]]]:
    """Parsed lines in batches of `batch_size` valid lines, each with its index and the problems found
    among its lines. With `mine`, only the batches it accepts are parsed and given; the others' lines
    are counted and passed over (another process has them; they are all valid by then: the caller
    reaches them only after the whole-file check)."""
    index = 0
    batch: list[ParsedLine] = []
    problems: list[Problem] = []
    taken = 0
    parsing = mine is None or mine(0)
    for source in sources:
        for number, raw in enumerate(source.lines(), start=1):
            if not raw.strip():
                continue
            if parsing:
                item = parse_line(raw, source.name, number, corridor)
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                batch.append(item)
            taken += 1
            if taken == batch_size:
                if parsing or problems:
                    yield index, batch, problems
                index, batch, problems, taken = index + 1, [], [], 0
                parsing = mine is None or mine(index)
    if (taken and parsing) or problems:
        yield index, batch, problems


COLLECT_EVERY = 20  # batches between two collections of cyclic garbage while the collector is paused


@contextmanager
def _collector_paused() -> Iterator[Callable[[int], None]]:
    """The cyclic garbage collector off for the ingest; the caller collects every COLLECT_EVERY
    batches (through the function yielded, given the batch count) and once at the end.

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
        gc.collect()
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
    planning: PlanningProcess | None = None
    if rejects is not None:
        # Skipping invalid lines: the rejects are written first, in line order, and the good lines
        # are stored; there is no verdict to wait for.
        valid, problems = validate_sources(service.corridor, sources, rejects)
        report.problems = problems
        report.rejected = len(problems)
        report.lines = valid + len(problems)
    elif "fork" in multiprocessing.get_all_start_methods():
        planning = PlanningProcess(service, sources, batch_size, now)
    else:
        valid, problems = validate_sources(service.corridor, sources, None)
        if problems:
            raise EventValidationError(problems)
        report.lines = valid
    checked = planning is None

    def before_commit() -> None:
        nonlocal checked
        if not checked and planning is not None:
            report.lines = planning.verdict()
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
            if planning is None:
                for _, batch, problems in _batches(sources, service.corridor, batch_size):
                    if problems and rejects is None:
                        raise EventValidationError(problems)  # pragma: no cover - checked above
                    if batch:
                        flush([p.entry for p in batch], [(p.source, p.line) for p in batch], {})
                        collect_now_and_then(report.batches)
                    batch.clear()  # one batch in memory at a time, not two
            else:
                stored = 0  # batches stored so far: the index of the next one

                def store_planned(until: int | None) -> None:
                    nonlocal stored
                    while until is None or stored < until:
                        plan = planning.next_batch()
                        if plan is None:
                            return
                        if plan.index != stored:
                            raise TransitguardError(
                                f"the ingest's planning process sent batch {plan.index} where batch "
                                f"{stored} was due"
                            )
                        flush(plan.entries(), plan.lines, plan.trains)
                        stored += 1
                        collect_now_and_then(report.batches)

                for index, batch, problems in _batches(sources, service.corridor, batch_size, parent_batch):
                    if problems:
                        before_commit()  # raises: the whole-file check found these lines too
                        raise EventValidationError(problems)  # pragma: no cover - the check is the same code
                    store_planned(index)  # the planning process's batches before this one, in order
                    flush([p.entry for p in batch], [(p.source, p.line) for p in batch], {})
                    stored += 1
                    collect_now_and_then(report.batches)
                    batch.clear()
                store_planned(None)
            before_commit()  # a file of blank lines still gets its verdict
    finally:
        if planning is not None:
            planning.close()
    return report


PARENT_FIRST = 2
PARENT_EVERY = 4


def parent_batch(index: int) -> bool:
    """Whether the ingest process parses and reconciles batch `index` itself.

    The first PARENT_FIRST: they are done while the planning process checks the whole input and then
    catches up. After that one in PARENT_EVERY: storing a planned batch costs about half of doing it
    whole, and planning one costs the planning process more than storing it costs here, so one batch
    in three done here keeps both processes busy instead of this one waiting for plans.
    """
    return index < PARENT_FIRST or index % PARENT_EVERY == 0


class PlanningProcess:
    """The whole-file check, then the batches after the first, parsed and planned in a forked process.

    While this process parses and stores the first batch, the planning process checks every line of
    every source and sends the verdict (the first commit waits for it); then it parses the rest and
    sends each batch as ledger rows with its trains' projections prepared (services/train_plans.py),
    ahead of this process storing them. Two cores, two halves of the work. The pipe holds about one
    batch, so memory stays flat. The child only reads the files; it never touches this process's
    database connections (fork, not spawn: nothing to re-import, and it starts in milliseconds).
    """

    def __init__(
        self, service: CorridorService, sources: Sequence[Source], batch_size: int, now: datetime
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        arguments = (
            send,
            service.corridor,
            list(sources),
            batch_size,
            now,
            service.store.train_encoder(),
            service.store.frtds(),
        )
        self._process = context.Process(target=_plan_batches, args=arguments, daemon=True)
        self._process.start()
        send.close()  # the child's end: once the child exits, a read here ends instead of waiting
        self._verdict: int | None = None

    def _next(self) -> tuple[Any, ...]:
        try:
            message: tuple[Any, ...] = self._receive.recv()
        except EOFError:
            self._process.join(timeout=5)
            raise TransitguardError(
                f"the ingest's planning process stopped (exit code {self._process.exitcode}); every batch "
                "reported stored is stored, the rest is not: run the same ingest again to finish it"
            ) from None
        if message[0] == "error":
            raise TransitguardError(f"the ingest's planning process failed: {message[1]}")
        return message

    def verdict(self) -> int:
        """The number of valid lines, once the whole input is checked; EventValidationError if not."""
        if self._verdict is None:
            _, valid, problems = self._next()
            if problems:
                raise EventValidationError(problems)
            self._verdict = valid
        return self._verdict

    def next_batch(self) -> BatchPlan | None:
        self.verdict()
        message = self._next()
        return message[1] if message[0] == "plan" else None

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _keyed(events: Iterable[Event]) -> Iterator[tuple[str | None, Event]]:
    for event in events:
        train = train_of(event)
        yield (train.key if train else None), event


class _Sender:
    """Sends the planning process's messages from a thread: planning goes on while the ingest is busy
    with a batch of its own, up to `ahead` messages in advance (memory: that many batches)."""

    def __init__(self, connection: Connection, ahead: int = 3) -> None:
        self._connection = connection
        self._queue: queue.Queue[bytes | None] = queue.Queue(ahead)
        self._failed = False
        self._thread = threading.Thread(target=self._run, name="plan-sender", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (payload := self._queue.get()) is not None:
            try:
                self._connection.send_bytes(payload)
            except BaseException:
                self._failed = True  # the ingest is gone; the planning loop sees it at its next send
                return

    def send(self, message: tuple[Any, ...]) -> None:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            if self._failed:
                raise BrokenPipeError("the ingest stopped listening")
            with suppress(queue.Full):
                self._queue.put(payload, timeout=0.5)
                return

    def close(self) -> None:
        if not self._failed:
            self._queue.put(None)
            self._thread.join()


def _plan_batches(
    connection: Connection,
    corridor: Corridor,
    sources: Sequence[Source],
    batch_size: int,
    now: datetime,
    encode: Callable[[TrainResult], Any],
    frtds: Mapping[str, IssuedFrtd],
) -> None:
    """The planning process: the verdict, then ("plan", BatchPlan) for every batch the ingest does not
    do itself (`parent_batch`), then ("done",). The ingest's batches are parsed too, for the trains
    that go on into the next."""
    gc.freeze()  # what the parent had is not this process's garbage
    gc.disable()
    send = _Sender(connection)
    try:
        first_lines = PARENT_FIRST * batch_size
        valid, problems, first = _check_keeping_first(corridor, sources, first_lines)
        send.send(("verdict", valid, problems))
        if problems:
            return
        planner = Planner(corridor, now, encode, frtds)
        for start in range(0, len(first), batch_size):
            planner.follow(_keyed(first[start : start + batch_size]), plan=False)
        del first
        lines = _numbered_lines(sources)
        for _ in itertools.islice(lines, first_lines):
            pass  # their events came with the check
        for index in itertools.count(PARENT_FIRST):
            batch = list(itertools.islice(lines, batch_size))
            if not batch:
                break
            if parent_batch(index):
                # The ingest stores it; its trains go on. Events only: no canonical bodies to make.
                planner.follow(_keyed(events_of(batch, corridor)), plan=False)
                continue
            parsed = [parse_line(raw, source, number, corridor) for source, number, raw in batch]
            entries = [p.entry for p in parsed if isinstance(p, ParsedLine)]
            plans = planner.follow(((e.train_key, e.event) for e in entries), plan=True)
            # Times in UTC: the same instants, and far cheaper to send than parsed offsets.
            rows = [
                (e.event_id, e.type, e.occurred_at.astimezone(UTC), e.train_key, e.body, e.body_hash)
                for e in entries
            ]
            send.send(
                ("plan", BatchPlan(index, rows, [(source, number) for source, number, _ in batch], plans))
            )
            del batch, parsed, entries, rows
            if index % COLLECT_EVERY == 0:
                gc.collect()
        send.send(("done",))
    except BrokenPipeError:
        return  # the ingest stopped (an error, an interrupt, a kill): nobody is listening
    except BaseException as exc:
        with suppress(BrokenPipeError):
            send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()
        connection.close()
