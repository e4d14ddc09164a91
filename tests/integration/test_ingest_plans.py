"""A bulk ingest hands most batches to a planning process (services/train_plans.py) and only stores
them. What it stores must be exactly what the ingest would store alone, and what a rebuild gives;
a plan that might differ (the ledger holds events of the train the files do not, the FRTD registry
changed) is refused and the train reconciled as before; a planning process that fails stops the
ingest with a message, leaving exactly the batches it reported."""

from __future__ import annotations

import io
import math
import multiprocessing
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest

from transitguard.adapters.sim import SimConfig, write_simulation
from transitguard.adapters.store.sql import SqlStore
from transitguard.domain.records import IssuedFrtd
from transitguard.errors import EventValidationError, Problem, TransitguardError
from transitguard.rulepacks import RulePack
from transitguard.services import planning
from transitguard.services.corridor import CorridorService
from transitguard.services.ingest import Source, _OwnBatches, ingest_sources
from transitguard.services.planning import INGEST_SHARE, Claims
from transitguard.services.ports import AlertFilter, JourneyFilter
from transitguard.services.train_plans import Planner, TrainPlan

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def service_on(url: str, pack: RulePack) -> CorridorService:
    return CorridorService(SqlStore.open(url), pack, lambda: NOW)


def projections(service: CorridorService) -> tuple[object, ...]:
    store = service.store
    return (store.trains(), store.journeys(JourneyFilter()), store.alerts(AlertFilter()))


def simulated(path: Path, pack: RulePack, days: int = 2) -> list[bytes]:
    with path.open("wb") as handle:
        write_simulation(handle, SimConfig(start=date(2023, 5, 1), days=days, seed=7), pack.corridor)
    return path.read_bytes().splitlines(keepends=True)


def alone(path: Path, pack: RulePack, tmp_path: Path, batch_size: int) -> tuple[object, ...]:
    """The same file stored by the ingest process alone: skipping invalid lines (there are none)
    takes the path without a planning process."""
    service = service_on(f"sqlite:///{tmp_path / 'alone.db'}", pack)
    try:
        report = ingest_sources(
            service, [Source(path.name, path)], batch_size=batch_size, rejects=io.BytesIO()
        )
        assert report.planned_trains == 0
        return projections(service)
    finally:
        service.store.close()


# (batch size, events the check keeps): every batch the planning process plans from the check's
# events; its first two from them and the rest parsed again; none (100 events fill no batch of 997).
@pytest.mark.parametrize(("batch_size", "keep"), [(40, planning.KEEP_EVENTS), (40, 100), (997, 100)])
def test_planned_batches_store_what_the_ingest_alone_and_a_rebuild_give(
    database_url: str,
    pack: RulePack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    batch_size: int,
    keep: int,
) -> None:
    monkeypatch.setattr(planning, "KEEP_EVENTS", keep)  # the planning process is a fork: it sees this
    source = tmp_path / "two-days.jsonl"
    lines = simulated(source, pack)
    service = service_on(database_url, pack)
    try:
        report = ingest_sources(service, [Source(source.name, source)], batch_size=batch_size)
        assert (report.lines, report.stored) == (len(lines), len(lines))
        assert report.planned_trains > 0  # the planning process did take part
        planned = projections(service)
        assert planned[2], "the simulated days raise alerts"
        assert planned == alone(source, pack, tmp_path, batch_size)
        service.rebuild(workers=1)
        assert projections(service) == planned
        assert service.store.verify_ledger().intact
    finally:
        service.store.close()


def test_events_kept_by_the_check_follow_their_lines_across_files_and_blank_lines(
    database_url: str, pack: RulePack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check counts non-blank lines across every file, the planning process batches them: a kept
    # event handed to the wrong line would store one event twice and another not at all.
    monkeypatch.setattr(planning, "KEEP_EVENTS", 130)
    lines = simulated(tmp_path / "all.jsonl", pack)
    # The check keeps the events of the first batches the planning process plans: those after the
    # ingest's share. A blank line and the end of the first file fall among them.
    start = math.ceil(math.ceil(len(lines) / 40) * INGEST_SHARE) * 40
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_bytes(
        b"".join(lines[: start + 13]) + b"\n" + b"".join(lines[start + 13 : start + 21]) + b"\n"
    )
    second.write_bytes(b"\n" + b"".join(lines[start + 21 :]))
    sources = [Source(first.name, first), Source(second.name, second)]
    service = service_on(database_url, pack)
    try:
        report = ingest_sources(service, sources, batch_size=40)
        assert (report.lines, report.stored, report.duplicates) == (len(lines), len(lines), 0)
        assert report.planned_trains > 0
        assert projections(service) == alone(tmp_path / "all.jsonl", pack, tmp_path, 40)
        stored = [e.event_id for _, e in service.store.ledger_entries()]
        assert stored == [orjson.loads(line)["event_id"] for line in lines]
    finally:
        service.store.close()


def test_a_train_with_events_from_an_earlier_ingest_is_reconciled_from_the_ledger(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.jsonl"
    lines = simulated(whole, pack)
    # The first train's first half comes in an earlier file: the plans for it, made from the second
    # file alone, know only part of its events and must not be used.
    first_train = orjson.loads(lines[0])["train"]
    of_first = [i for i, line in enumerate(lines) if orjson.loads(line).get("train") == first_train]
    earlier_indexes = set(of_first[: len(of_first) // 2])
    earlier, later = tmp_path / "earlier.jsonl", tmp_path / "later.jsonl"
    earlier.write_bytes(b"".join(lines[i] for i in sorted(earlier_indexes)))
    later.write_bytes(b"".join(line for i, line in enumerate(lines) if i not in earlier_indexes))
    service = service_on(database_url, pack)
    try:
        ingest_sources(service, [Source(earlier.name, earlier)], batch_size=50)
        report = ingest_sources(
            CorridorService(service.store, pack, lambda: NOW), [Source(later.name, later)], batch_size=50
        )
        assert report.planned_trains > 0
        assert projections(service) == alone(whole, pack, tmp_path, 50)
    finally:
        service.store.close()


def test_a_failing_planning_process_stops_the_ingest_after_the_batches_it_reported(
    database_url: str, pack: RulePack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "two-days.jsonl"
    lines = simulated(source, pack)

    def broken(self: Planner, *args: object) -> TrainPlan:
        raise RuntimeError("disk on fire")

    service = service_on(database_url, pack)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(Planner, "_plan", broken)  # the forked planning process inherits it
            with pytest.raises(
                TransitguardError, match="planning process failed: RuntimeError: disk on fire"
            ):
                ingest_sources(service, [Source(source.name, source)], batch_size=100)
        # The batches stored before the first planned one (the ingest's own: at least the first
        # INGEST_SHARE of them), whole, and no more.
        done = service.store.ledger_count()
        assert done % 100 == 0
        assert math.ceil(math.ceil(len(lines) / 100) * INGEST_SHARE) * 100 <= done < len(lines)
        assert service.store.verify_ledger().intact
        report = ingest_sources(service, [Source(source.name, source)], batch_size=100)
        assert (report.stored, report.duplicates) == (len(lines) - done, done)
        assert projections(service) == alone(source, pack, tmp_path, 100)
    finally:
        service.store.close()


def test_plans_read_the_frtd_registry_of_the_database_they_plan_for(
    database_url: str, pack: RulePack, tmp_path: Path
) -> None:
    """A granted FRTD sets its holder's deadline: the planning process reads the record through a
    connection of its own, and its plans equal what the ingest alone computes with the record."""
    source = tmp_path / "two-days.jsonl"
    lines = simulated(source, pack)
    frtd = next(
        (passenger, orjson.loads(line)["train"])
        for line in lines[len(lines) // 2 :]
        if orjson.loads(line)["type"] == "manifest.submitted"
        for passenger in orjson.loads(line)["passengers"]
        if passenger.get("transit_document", {}).get("kind") == "FRTD"
    )
    passenger, train = frtd
    document = passenger["transit_document"]
    record = IssuedFrtd(
        number=document["number"],
        document_key=f"{passenger['travel_document']['issuing_state']}:{passenger['travel_document']['number']}",
        valid_from=date.fromisoformat(document["valid_from"]),
        valid_until=date.fromisoformat(document["valid_until"]),
        authorised_transit_hours=0.01,  # so short that the holder's transit overruns it
        trains=frozenset({(train["number"], date.fromisoformat(train["service_date"]))}),
        event_id="frtd-test",
    )
    reference = service_on(f"sqlite:///{tmp_path / 'alone.db'}", pack)
    service = service_on(database_url, pack)
    try:
        for target in (reference, service):
            with target.store.writing() as session:
                session.save_frtd(record)
        ingest_sources(reference, [Source(source.name, source)], batch_size=200, rejects=io.BytesIO())
        report = ingest_sources(service, [Source(source.name, source)], batch_size=200)
        assert report.planned_trains > 0
        stored = projections(service)
        assert stored == projections(reference)
        overrun = [a for a in stored[2] if a.type == "TRANSIT_TIME_EXCEEDED" and "0.01 h" in a.message]
        assert overrun, "the record's authorised hours set the deadline"
    finally:
        reference.store.close()
        service.store.close()


def _frtd(number: str, hours: float | None) -> IssuedFrtd:
    return IssuedFrtd(
        number=number,
        document_key="RUS:7512345",
        valid_from=date(2023, 1, 1),
        valid_until=date(2023, 3, 31),
        authorised_transit_hours=hours,
        trains=frozenset(),
        event_id="frtd-1",
    )


def test_a_plan_is_used_only_for_the_same_events_and_the_same_frtd_records() -> None:
    record = _frtd("FRTD1", 6.0)
    plan = TrainPlan(
        events=12,
        frtd_numbers=frozenset({"FRTD1", "FRTD2"}),
        frtds={"FRTD1": record},
        prepared=None,
        documents=(),
    )
    assert plan.usable(12, {"FRTD1": record, "OTHER": _frtd("OTHER", None)})
    assert not plan.usable(13, {"FRTD1": record})  # the ledger holds an event the plan did not see
    assert not plan.usable(12, {})  # the record was withdrawn
    assert not plan.usable(12, {"FRTD1": _frtd("FRTD1", 4.0)})  # changed
    assert not plan.usable(12, {"FRTD1": record, "FRTD2": _frtd("FRTD2", None)})  # granted since


class _StillChecking:
    """A planning process still checking the lines after the ingest's share, whose verdict comes only
    once the ingest has done all it can meanwhile."""

    def __init__(self, share: int, problems: list[Problem] | None = None) -> None:
        self.first_own = _OwnBatches.FIRST_OWN
        self.claims = Claims(multiprocessing.Value("q", share))
        self.ingest_batches = share
        self.problems = problems or []

    def share(self) -> int:
        return self.ingest_batches

    def verdict(self, while_waiting: Callable[[], bool] | None = None) -> int:
        while while_waiting is not None and while_waiting():
            pass
        if self.problems:
            raise EventValidationError(self.problems)
        return 0  # no lines after the share

    def next_message(self) -> object:
        raise AssertionError("every batch here is the ingest's")


def test_while_it_waits_for_the_verdict_the_ingest_checks_its_share_then_reads_a_few_batches_ahead(
    pack: RulePack, tmp_path: Path
) -> None:
    source = tmp_path / "two-days.jsonl"
    lines = simulated(source, pack)
    planning = _StillChecking(share=6)
    sources = [Source(source.name, source)]
    own = _OwnBatches(planning, sources, pack.corridor, -(-len(lines) // 6))  # type: ignore[arg-type]
    assert own.verdict() == len(lines)  # the first batches parsed, the rest of the share checked
    # Memory: the first batches and as many more as AHEAD allows in all, not the whole share.
    assert sorted(own._parsed) == list(range(_OwnBatches.AHEAD))
    read = [line for _, where, _ in own.in_order(lambda: None) for line in where]
    assert read == [(source.name, number) for number in range(1, len(lines) + 1)]


def test_a_bad_line_in_the_ingests_share_is_found_by_its_own_check_and_named_first(
    pack: RulePack, tmp_path: Path
) -> None:
    source = tmp_path / "two-days.jsonl"
    lines = simulated(source, pack)
    size = -(-len(lines) // 6)
    bad = 5 * size + 3  # in the share's last batch, which the ingest checks but does not read ahead
    lines[bad - 1] = b'{"event_id": "bad", "type": "train.crossed"}\n'
    source.write_bytes(b"".join(lines))
    later = Problem("later.jsonl", 1, "type", "found by the planning process")
    planning = _StillChecking(share=6, problems=[later])
    own = _OwnBatches(planning, [Source(source.name, source)], pack.corridor, size)  # type: ignore[arg-type]
    with pytest.raises(EventValidationError) as raised:
        own.verdict()
    assert [(p.source, p.line) for p in raised.value.problems] == [(source.name, bad), ("later.jsonl", 1)]
