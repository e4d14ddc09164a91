"""A kill -9 mid-ingest keeps every acknowledged batch and nothing of the one in flight; two ingests
at once neither lose nor duplicate events. Real processes, real databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factories import traffic, write_jsonl
from transitguard.adapters.store.sql import SqlStore
from transitguard.bootstrap import bootstrap
from transitguard.services.ports import AlertFilter, JourneyFilter

CLI = [sys.executable, "-m", "transitguard"]


def environ(url: str) -> dict[str, str]:
    return {**os.environ, "TRANSITGUARD_DATABASE_URL": url}


def projections(url: str) -> tuple[object, ...]:
    store = SqlStore.open(url)
    try:
        return (store.trains(), store.journeys(JourneyFilter()), store.alerts(AlertFilter()))
    finally:
        store.close()


def left_running(source: Path, seconds: float) -> list[int]:
    """Processes still running a command that names `source` after `seconds` (zombies excepted)."""
    deadline = time.monotonic() + seconds
    while True:
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                command = (proc / "cmdline").read_bytes()
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue  # gone meanwhile
            if str(source).encode() in command and state != "Z":
                found.append(int(proc.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def assert_consistent(url: str) -> None:
    """The chain verifies and the projections are exactly what a rebuild from the ledger gives."""
    before = projections(url)
    application = bootstrap(environ(url))
    try:
        assert application.store.verify_ledger().intact
        application.corridor.rebuild()
    finally:
        application.close()
    assert projections(url) == before


@pytest.mark.slow
def test_kill_9_keeps_acknowledged_batches_and_nothing_else(database_url: str, tmp_path: Path) -> None:
    events = traffic(trains=60, passengers=60)
    source = tmp_path / "events.jsonl"
    write_jsonl(source, events)
    batch = 150
    process = subprocess.Popen(
        [*CLI, "ingest", str(source), "--batch-size", str(batch), "-v"],
        env=environ(database_url),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    acknowledged = 0
    deadline = time.monotonic() + 120
    while acknowledged < 4 and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        acknowledged += line.startswith("batch committed")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert acknowledged == 4, "the ingest should have acknowledged some batches before the kill"
    assert not left_running(source, seconds=30), "the ingest's planning process outlived it"

    store = SqlStore.open(database_url)
    stored = store.ledger_count()
    store.close()
    assert stored >= acknowledged * batch
    assert stored % batch == 0, f"{stored} events stored: part of a batch was left behind"
    assert stored < len(events), "the kill came too late to test anything"
    assert_consistent(database_url)

    again = subprocess.run(
        [*CLI, "ingest", str(source)], env=environ(database_url), capture_output=True, text=True, check=True
    )
    assert f"{len(events) - stored} stored, {stored} already in the ledger" in again.stderr
    assert_consistent(database_url)


@pytest.mark.slow
def test_two_ingests_at_once_lose_and_duplicate_nothing(database_url: str, tmp_path: Path) -> None:
    first, second = traffic(trains=24, passengers=40, tag="a"), traffic(trains=24, passengers=40, tag="b")
    shared = first[: len(first) // 3]  # both files carry these events
    write_jsonl(tmp_path / "a.jsonl", first)
    write_jsonl(tmp_path / "b.jsonl", shared + second)
    processes = [
        subprocess.Popen(
            [*CLI, "ingest", str(tmp_path / name), "--batch-size", "100"],
            env=environ(database_url),
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a.jsonl", "b.jsonl")
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    store = SqlStore.open(database_url)
    try:
        assert store.ledger_count() == len(first) + len(second)
        ids = [entry.event_id for _, entry in store.ledger_entries()]
        assert len(set(ids)) == len(ids)
    finally:
        store.close()
    assert_consistent(database_url)


def _open_at(path: str, start: float) -> None:
    while time.time() < start:
        pass
    store = SqlStore.open(f"sqlite:///{path}")
    store.ledger_count()
    store.close()


def test_processes_opening_a_new_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    """Two ingests started together on a database that does not exist yet (as in CI's first run)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    failures = 0
    for attempt in range(10):
        start = time.time() + 0.2
        processes = [
            context.Process(target=_open_at, args=(str(tmp_path / f"{attempt}.db"), start)) for _ in range(4)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        failures += sum(process.exitcode != 0 for process in processes)
    assert failures == 0
