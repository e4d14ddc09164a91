"""A file with one bad line stores nothing, even when the bad line comes batches after the first:
the whole-file check (run alongside the first batch) must finish before that batch commits."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from factories import traffic, write_jsonl
from transitguard.adapters.store.sql import SqlStore
from transitguard.errors import EventValidationError
from transitguard.rulepacks import RulePack
from transitguard.services.corridor import CorridorService
from transitguard.services.ingest import Source, _OwnBatches, ingest_sources
from transitguard.services.planning import INGEST_SHARE


def service_on(url: str, pack: RulePack) -> CorridorService:
    return CorridorService(SqlStore.open(url), pack, lambda: datetime(2026, 1, 1, tzinfo=UTC))


def test_a_bad_last_line_stores_nothing_of_earlier_batches(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    source = tmp_path / "late-error.jsonl"
    events = traffic(trains=3, passengers=8)
    write_jsonl(source, events)
    with source.open("ab") as handle:
        bad = {**events[-1], "event_id": "late-bad", "occurred_at": "2023-05-01T25:00:00+03:00"}
        handle.write(orjson.dumps(bad) + b"\n")
    service = service_on(database_url, pack)
    try:
        with pytest.raises(EventValidationError) as raised:
            ingest_sources(service, [Source("late-error.jsonl", source)], batch_size=10)
        (problem,) = raised.value.problems
        assert (problem.line, problem.field) == (len(events) + 1, "occurred_at")
        assert service.store.ledger_count() == 0
    finally:
        service.store.close()


def test_the_same_file_without_the_bad_line_is_stored_whole(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    source = tmp_path / "good.jsonl"
    events = traffic(trains=3, passengers=8)
    write_jsonl(source, events)
    service = service_on(database_url, pack)
    try:
        report = ingest_sources(service, [Source("good.jsonl", source)], batch_size=10)
        assert (report.lines, report.stored, report.batches) == (
            len(events),
            len(events),
            -(-len(events) // 10),
        )
        assert service.store.ledger_count() == len(events)
    finally:
        service.store.close()


def _bad(event: dict[str, object], event_id: str) -> bytes:
    return orjson.dumps({**event, "event_id": event_id, "occurred_at": "2023-05-01T25:00:00+03:00"}) + b"\n"


def test_a_bad_line_in_the_ingests_own_second_batch_stores_nothing(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    # The ingest parses its first batches itself and the planning process checks only the lines after
    # them: the first batch, clean, must still wait for the second's verdict before it commits.
    source = tmp_path / "second-batch.jsonl"
    events = traffic(trains=3, passengers=8)
    lines = [orjson.dumps(e) + b"\n" for e in events]
    lines[14] = _bad(events[14], "bad-15")
    source.write_bytes(b"".join(lines))
    service = service_on(database_url, pack)
    try:
        with pytest.raises(EventValidationError) as raised:
            ingest_sources(service, [Source(source.name, source)], batch_size=10)
        assert [(p.source, p.line, p.field) for p in raised.value.problems] == [
            (source.name, 15, "occurred_at")
        ]
        assert service.store.ledger_count() == 0
    finally:
        service.store.close()


def test_bad_lines_in_the_first_batches_and_after_them_are_named_in_line_order(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    # Two files, the ingest's first two batches (20 non-blank lines) spanning both, a blank line
    # among them: every problem is named by its own file and line, the ingest's first.
    events = traffic(trains=3, passengers=8)
    good = [orjson.dumps(e) + b"\n" for e in events]
    first = tmp_path / "a.jsonl"
    first.write_bytes(b"".join([*good[:6], b"\n", _bad(events[6], "bad-a8"), *good[7:10]]))
    second = tmp_path / "b.jsonl"
    second.write_bytes(
        b"".join([*good[10:14], _bad(events[14], "bad-b5"), *good[15:35], _bad(events[35], "bad-b26")])
    )
    service = service_on(database_url, pack)
    try:
        with pytest.raises(EventValidationError) as raised:
            ingest_sources(service, [Source(first.name, first), Source(second.name, second)], batch_size=10)
        assert [(p.source, p.line) for p in raised.value.problems] == [
            ("a.jsonl", 8),
            ("b.jsonl", 5),
            ("b.jsonl", 26),
        ]
        assert service.store.ledger_count() == 0
    finally:
        service.store.close()


def test_bad_lines_in_the_ingests_share_and_after_it_are_named_in_line_order(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    # With batches of 4 the ingest's share is more than its first two batches: it checks the rest of
    # its share itself while the planning process checks the lines after it. A line in its first
    # batches, one at the end of its share and one just after: all named, nothing stored.
    events = traffic(trains=3, passengers=8)
    batches = -(-len(events) // 4)
    share = max(_OwnBatches.FIRST_OWN, math.ceil(batches * INGEST_SHARE))
    assert share > _OwnBatches.FIRST_OWN + 1
    lines = [orjson.dumps(e) + b"\n" for e in events]
    for number in (3, 4 * share, 4 * share + 2):
        lines[number - 1] = _bad(events[number - 1], f"bad-{number}")
    source = tmp_path / "share.jsonl"
    source.write_bytes(b"".join(lines))
    service = service_on(database_url, pack)
    try:
        with pytest.raises(EventValidationError) as raised:
            ingest_sources(service, [Source(source.name, source)], batch_size=4)
        assert [p.line for p in raised.value.problems] == [3, 4 * share, 4 * share + 2]
        assert service.store.ledger_count() == 0
    finally:
        service.store.close()


def test_skipping_invalid_lines_counts_and_writes_every_reject(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    # The problems a failed check reports stop at the first hundred; the rejects do not.
    events = traffic(trains=1, passengers=5)
    source = tmp_path / "mixed.jsonl"
    with source.open("wb") as handle:
        for event in events:
            handle.write(orjson.dumps(event) + b"\n" + b"not an event\n" * 30)
    rejects = tmp_path / "rejects.jsonl"
    service = service_on(database_url, pack)
    try:
        with rejects.open("wb") as out:
            report = ingest_sources(service, [Source(source.name, source)], batch_size=4, rejects=out)
        bad = 30 * len(events)
        assert bad > 100
        assert (report.lines, report.stored, report.rejected) == (len(events) + bad, len(events), bad)
        lines = [orjson.loads(line)["line"] for line in rejects.read_bytes().splitlines()]
        assert lines == [n for n in range(1, len(events) * 31 + 1) if n % 31 != 1]
    finally:
        service.store.close()
