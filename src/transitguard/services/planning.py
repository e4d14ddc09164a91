"""The planning process of a bulk ingest: the check of the input (all but the ingest's share of it),
then batches parsed and planned ahead of the ingest that stores them.

Two processes share the batches of the input. The planning process (forked) counts the input's lines
first and sends the ingest its share: the first INGEST_SHARE of the batches. The ingest (this process)
parses the first batches at once, which checks their lines, and checks the lines of the rest of its
share; the planning process checks every line after the share meanwhile and sends the verdict. The first
commit waits for both checks. After the share each batch goes to whichever process is free to take it,
through one shared counter of claimed batches:

- the planning process goes through the batches after the share in order, claims each one nobody has,
  parses it and sends it as ledger rows with its trains' projections prepared
  (services/train_plans.py); a batch the ingest claimed it only follows (events, for the trains that
  go on), or passes over;
- the ingest stores the batches in order, the planned ones as they come; its own (its share, and any
  it reaches that nobody has claimed) it parses and reconciles itself (services/ingest.py,
  _OwnBatches).

The child only reads
the files; it never touches this process's database connections (fork, not spawn: nothing to
re-import, and it starts in milliseconds).
"""

from __future__ import annotations

import gc
import itertools
import math
import multiprocessing
import pickle
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from fractions import Fraction
from multiprocessing.connection import Connection
from typing import Any, Protocol

from transitguard.adapters.formats.jsonl import ParsedLine, events_of, parse_line
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import Event, train_of
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import IssuedFrtd
from transitguard.engines.corridor import TrainResult
from transitguard.errors import EventValidationError, Problem, TransitguardError
from transitguard.services.corridor import CorridorService
from transitguard.services.sources import Source, count_lines, numbered_lines, validate_sources
from transitguard.services.train_plans import BatchPlan, Planner

COLLECT_EVERY = 50  # batches between two collections of cyclic garbage in the planning process (few)
# The share of an input's batches the ingest does whole, from the first: it checks their lines itself while
# this process checks the rest, and batches in a row cost it least (its trains go on in its own cache),
# and so do the trains that go on from them into this process's first batch (not followed here). A batch of
# 10,000 events costs the ingest about 0.55 s done whole and 0.25 s stored from a plan, and this
# process 0.45 s to plan (0.35 s from events its check kept, KEEP_EVENTS) and 0.08 s to check
# (bench/ingest.py, timed batch by batch). A quarter, rounded up, as a fraction: with the kept events
# a third left the ingest the busier process on 120 days of traffic (processor time 9.9 s against
# 8.4 s; a quarter 9.2 s against 9.8 s, and 5 % faster, in alternating runs as bench/ingest_compare.py
# makes them), and a month's 6 batches still give it 2.
INGEST_SHARE = Fraction(1, 4)
# Planned batches sent ahead of the ingest, at most: while the ingest does its share this process plans
# on, and with fewer it waited, on 120 days of traffic, for a sixth of the run. Each one held costs
# about 10 MiB here (bench/memory.py), whatever the length of the input.
PLANS_AHEAD = 8
# Events the check keeps for planning, at most: those of the first lines this process plans (after
# the ingest's share), which it then plans without validating them a second time. On a month of
# traffic (bench/ingest.py) that was a sixth of its processor time. About 55 MiB more at its peak
# (bench/memory.py), whatever the length of the input; the batches after those are parsed again.
KEEP_EVENTS = 40_000


class _Counter(Protocol):
    value: int

    def get_lock(self) -> Any: ...


class Claims:
    """Which batches are taken: every batch below `taken` is. The ingest's share is from the start."""

    def __init__(self, counter: _Counter) -> None:
        self._counter = counter

    def next_free(self) -> int:
        """Claim the first batch nobody has (the ingest's claims)."""
        with self._counter.get_lock():
            index = self._counter.value
            self._counter.value = index + 1
            return index

    def leave_first(self, count: int) -> None:
        """Leave the first `count` batches to the ingest (claim them for it, as far as nobody has)."""
        with self._counter.get_lock():
            self._counter.value = max(self._counter.value, count)

    def take(self, index: int) -> bool:
        """Claim batch `index` if nobody has it yet (the planning process's claims, made in order)."""
        with self._counter.get_lock():
            if self._counter.value != index:
                return False
            self._counter.value = index + 1
            return True

    @property
    def taken(self) -> int:
        return self._counter.value


class PlanningProcess:
    """This process's handle on the planning process."""

    def __init__(
        self,
        service: CorridorService,
        sources: Sequence[Source],
        batch_size: int,
        now: datetime,
        *,
        first_own: int = 1,
    ) -> None:
        """`first_own`: the batches the ingest parses before the first commit (at least the first);
        its share is at least those."""
        context = multiprocessing.get_context("fork")
        self.first_own = max(first_own, 1)
        self.claims = Claims(context.Value("q", self.first_own))
        self._receive, send = context.Pipe(duplex=False)
        arguments = (
            send,
            self._receive,
            self.claims,
            self.first_own,
            service.corridor,
            list(sources),
            batch_size,
            now,
            service.store.train_encoder(),
            service.store.frtd_lookup(),
        )
        self._process = context.Process(target=_plan_batches, args=arguments, daemon=True)
        self._process.start()
        send.close()  # the child's end: once the child exits, a read here ends instead of waiting
        self._verdict: int | None = None
        self.ingest_batches = 0  # the ingest's share, in batches: known once the input is counted

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
        if message[0] == "share":
            self.ingest_batches = message[1]
        return message

    def ready(self) -> bool:
        """Whether a message waits to be read."""
        return self._receive.poll()

    def share(self) -> int:
        """The ingest's share of the batches: the first `share()` are its own."""
        while not self.ingest_batches:
            self._next()  # the share comes first; a verdict cannot come before it
        return self.ingest_batches

    def verdict(self, while_waiting: Callable[[], bool] | None = None) -> int:
        """The number of valid lines after the ingest's share, once they are all checked;
        EventValidationError if not.
        `while_waiting` is called while the verdict is not there, as long as it finds work to do."""
        while self._verdict is None:
            if while_waiting is not None and not self.ready() and while_waiting():
                continue
            message = self._next()
            if message[0] == "share":
                continue
            _, valid, problems = message
            if problems:
                raise EventValidationError(problems)
            self._verdict = valid
        return self._verdict

    def next_message(self) -> BatchPlan | int:
        """The next planned batch, or the number of batches in the input once all are planned."""
        self.verdict()
        message = self._next()
        if message[0] == "plan":
            plan: BatchPlan = message[1]
            return plan
        total: int = message[1]
        return total

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


class BatchReader:
    """The ingest's own batches, read forward: the batch asked for is parsed, the lines of the
    batches before it that the planning process has are passed over."""

    def __init__(self, sources: Sequence[Source], corridor: Corridor, batch_size: int) -> None:
        self._lines = numbered_lines(sources)
        self._corridor = corridor
        self._size = batch_size
        self._next = 0

    @property
    def next_index(self) -> int:
        """The first batch not read or passed over yet."""
        return self._next

    def read(self, index: int) -> tuple[list[ParsedLine], list[Problem], bool]:
        """Batch `index`: its parsed lines, its problems, and whether it is the last one."""
        if index < self._next:
            raise ValueError(f"batch {index} was read already")
        for _ in itertools.islice(self._lines, (index - self._next) * self._size):
            pass
        self._next = index + 1
        parsed: list[ParsedLine] = []
        problems: list[Problem] = []
        count = 0
        for source, number, raw in itertools.islice(self._lines, self._size):
            count += 1
            item = parse_line(raw, source, number, self._corridor)
            (problems if isinstance(item, Problem) else parsed).append(item)  # type: ignore[arg-type]
        return parsed, problems, count < self._size


class _Kept:
    """The events the check validated of the non-blank lines from `start` on (counted from the first
    line of the input), given out in line order as the batches pass, each one once."""

    def __init__(self, start: int, events: list[Event]) -> None:
        self._start = start
        self._events = deque(events)

    def take(self, first: int, count: int) -> list[Event] | None:
        """The events of the `count` lines from line `first`, or None where the check kept not all of
        them (they are parsed again). Those of the lines before `first` are let go."""
        if first < self._start:
            return None
        for _ in range(min(first - self._start, len(self._events))):
            self._events.popleft()
        self._start = first
        if len(self._events) < count:
            self._events.clear()
            return None
        self._start += count
        return [self._events.popleft() for _ in range(count)]


def _keyed(events: Iterable[Event]) -> Iterator[tuple[str | None, Event]]:
    for event in events:
        train = train_of(event)
        yield (train.key if train else None), event


class _Sender:
    """Sends the planning process's messages from a thread: planning goes on while the ingest is busy
    with a batch of its own, up to `ahead` messages in advance (memory: that many batches)."""

    def __init__(self, connection: Connection, ahead: int = PLANS_AHEAD) -> None:
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
    ingest_end: Connection,
    claims: Claims,
    first_own: int,
    corridor: Corridor,
    sources: Sequence[Source],
    batch_size: int,
    now: datetime,
    encode: Callable[[TrainResult], Any],
    frtds: Callable[[Iterable[str]], Mapping[str, IssuedFrtd]],
) -> None:
    """The planning process: ("share", the ingest's share of the batches, at least `first_own`),
    ("verdict", valid, problems) on the lines after the share (the ingest checks those of its share
    itself), then ("plan", BatchPlan) for every batch it claims, then ("done", number of batches)."""
    # The fork gave this process the ingest's end of the pipe too. Closed, the pipe breaks when the
    # ingest dies (killed, even with -9), and this process stops at its next send instead of
    # waiting forever for a reader.
    ingest_end.close()
    gc.freeze()  # what the parent had is not this process's garbage
    gc.disable()
    send = _Sender(connection)
    try:
        # The ingest's share: counted first (a hundredth of the check), so that the ingest can check
        # the lines of its share while this process checks the rest.
        share = max(first_own, math.ceil(-(-count_lines(sources) // batch_size) * INGEST_SHARE))
        claims.leave_first(share)
        send.send(("share", share))
        # The events kept are those of the first batches this process plans, after the share.
        start = share * batch_size
        checked = validate_sources(corridor, sources, skip=start, keep=range(start, start + KEEP_EVENTS))
        send.send(("verdict", checked.valid, checked.problems))
        if checked.problems:
            return
        kept = _Kept(start, checked.kept)
        del checked
        planner = Planner(corridor, now, encode, frtds)
        # The ingest's share is passed over, not followed: a train that goes on from it gets plans
        # short of those events, which the ingest refuses (TrainPlan.usable) and reconciles itself,
        # with the train's events in its cache.
        lines = numbered_lines(sources)
        for _ in itertools.islice(lines, start):
            pass
        for index in itertools.count(share):
            mine = claims.take(index)
            if not mine and index < claims.taken - planner.keep_batches:
                # The ingest has it and several after it: no train of it can still be in play by the
                # time this process plans again. Passed over unparsed.
                skipped = sum(1 for _ in itertools.islice(lines, batch_size))
                planner.follow((), plan=False)
                if skipped < batch_size:
                    send.send(("done", index + (skipped > 0)))
                    break
                continue
            batch = list(itertools.islice(lines, batch_size))
            if not batch:
                send.send(("done", index))
                break
            validated = kept.take(index * batch_size, len(batch))
            events = events_of(batch, corridor) if validated is None else validated
            if not mine:
                # The ingest stores it; its trains go on. Events only: no canonical bodies to make.
                planner.follow(_keyed(events), plan=False)
            else:
                entries = [LedgerEntry.of(event) for event in events]
                plans = planner.follow(((e.train_key, e.event) for e in entries), plan=True)
                rows = [e.as_row() for e in entries]
                where = [(source, number) for source, number, _ in batch]
                send.send(("plan", BatchPlan(index, rows, where, plans)))
                del entries, rows
            del validated, events
            if len(batch) < batch_size:
                send.send(("done", index + 1))
                break
            del batch
            if index % COLLECT_EVERY == 0:
                gc.collect()
    except BrokenPipeError:
        return  # the ingest stopped (an error, an interrupt, a kill): nobody is listening
    except BaseException as exc:
        with suppress(BrokenPipeError):
            send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()
        connection.close()
