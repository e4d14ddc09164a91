"""The command line as an operator uses it: real processes, a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from factories import manifest, passenger, simple_train, write_jsonl

CLI = [sys.executable, "-m", "transitguard"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}", "COLUMNS": "200"}


def tg(
    env: dict[str, str], *args: str, stdin: bytes | None = None, cwd: Path | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CLI, *args],
        env=env,
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    if ok:
        assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def ledger_rows(env: dict[str, str]) -> int:
    path = env["TRANSITGUARD_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])


def test_a_bad_line_is_named_and_nothing_is_stored(env: dict[str, str], tmp_path: Path) -> None:
    events = simple_train(2)
    events[0]["passengers"][1]["birth_date"] = "1985-02-30"
    source = tmp_path / "bad.jsonl"
    write_jsonl(source, events)
    done = tg(env, "ingest", str(source), ok=False)
    assert done.returncode == 1
    assert f"{source}:1: passengers[1].birth_date: '1985-02-30' is an impossible date" in done.stderr
    assert "nothing was stored" in done.stderr
    assert ledger_rows(env) == 0


def test_skip_invalid_stores_the_good_lines_and_writes_the_rejects(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "mixed.jsonl"
    write_jsonl(source, simple_train(2))
    with source.open("ab") as handle:
        handle.write(
            b'{"event_id": "z", "type": "train.teleported", "occurred_at": "2023-05-01T00:00:00Z"}\n'
        )
    rejects = tmp_path / "rejects.jsonl"
    done = tg(env, "ingest", str(source), "--skip-invalid", str(rejects), ok=False)
    assert done.returncode == 3
    assert "7 stored" in done.stderr
    assert "1 rejected" in done.stderr
    (reject,) = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert (reject["line"], reject["field"]) == (8, "type")
    assert ledger_rows(env) == 7


def test_ingest_from_stdin_then_the_same_again_stores_nothing_new(env: dict[str, str]) -> None:
    body = b"".join(orjson.dumps(e) + b"\n" for e in simple_train(3, missing=("3",)))
    assert "8 lines: 8 stored, 0 already in the ledger" in tg(env, "ingest", "-", stdin=body).stderr
    again = tg(env, "ingest", "-", stdin=body)
    assert "8 lines: 0 stored, 8 already in the ledger" in again.stderr


def test_alerts_as_json_lines_and_their_workflow(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "train.jsonl"
    write_jsonl(source, simple_train(3, missing=("3",)))
    tg(env, "ingest", str(source))
    (line,) = tg(env, "alerts", "--status", "open", "--format", "jsonl").stdout.splitlines()
    alert = orjson.loads(line)
    assert alert["type"] == "PASSENGER_MISSING"
    assert alert["train"] == {"number": "29", "service_date": "2023-05-01", "direction": "to_kaliningrad"}
    assert (alert["passenger_ref"], alert["severity"], alert["status"]) == ("3", "high", "open")
    assert sorted(alert["evidence"]) == ["e-ci-3", "e-m", "e-out"]

    tg(env, "alert", "acknowledge", alert["alert_id"], "--by", "guard.kybartai")
    tg(env, "alert", "resolve", alert["alert_id"], "--outcome", "absconded", "--by", "guard.kybartai")
    (line,) = tg(env, "alerts", "--format", "jsonl").stdout.splitlines()
    assert (orjson.loads(line)["status"], orjson.loads(line)["outcome"]) == ("resolved", "absconded")
    refused = tg(env, "alert", "acknowledge", alert["alert_id"], "--by", "x", ok=False)
    assert refused.returncode == 1
    assert "is resolved; it cannot be acknowledged" in refused.stderr
    assert tg(env, "alerts", "--status", "open", "--format", "jsonl").stdout == ""
    # the workflow survives a rebuild: it is in the ledger
    tg(env, "rebuild")
    assert orjson.loads(tg(env, "alerts", "--format", "jsonl").stdout)["status"] == "resolved"


def test_ledger_verify_names_the_edited_row(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "train.jsonl"
    write_jsonl(source, simple_train(2))
    tg(env, "ingest", str(source))
    assert "ledger intact: 7 events" in tg(env, "ledger", "verify").stdout
    path = env["TRANSITGUARD_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE ledger SET body = replace(body, 'IVANOV', 'PETROV') WHERE seq = 1")
    done = tg(env, "ledger", "verify", ok=False)
    assert done.returncode == 1
    assert "row seq=1 event_id=e-m: body was edited" in done.stderr


def test_journeys_and_trains_read_back(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "train.jsonl"
    write_jsonl(source, [*simple_train(2, missing=("2",)), manifest("m2", [passenger("9")], number="79")])
    tg(env, "ingest", str(source))
    (missing,) = [
        orjson.loads(x)
        for x in tg(env, "journeys", "--status", "missing", "--format", "jsonl").stdout.splitlines()
    ]
    assert (missing["passenger_ref"], missing["surname"], missing["transit_document"]["kind"]) == (
        "2",
        "IVANOV",
        "FRTD",
    )
    boards = [orjson.loads(x) for x in tg(env, "trains", "--format", "jsonl").stdout.splitlines()]
    assert [(b["train"]["number"], b["status"], b["missing_count"]) for b in boards] == [
        ("29", "exited", 1),
        ("79", "due", 0),
    ]
    assert "exited" in tg(env, "trains").stdout


def test_an_unreachable_database_is_named_without_its_password() -> None:
    env = {**os.environ, "TRANSITGUARD_DATABASE_URL": "postgresql+psycopg://guard:s3cret@127.0.0.1:1/tg"}
    done = tg(env, "alerts", ok=False)
    assert done.returncode == 2
    assert "cannot open the database postgresql+psycopg://guard:***@127.0.0.1:1/tg" in done.stderr
    assert "s3cret" not in done.stderr


def test_user_errors_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "TRANSITGUARD_DATABASE_URL": "mysql://nobody@nowhere/db"}
    done = tg(env, "alerts", ok=False)
    assert done.returncode == 2
    assert "unsupported database 'mysql'" in done.stderr
    missing_file = tg(
        {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        "ingest",
        str(tmp_path / "nope.jsonl"),
        ok=False,
    )
    assert missing_file.returncode == 1
    assert "no such file" in missing_file.stderr
