"""Screening from the command line: bulk `screen` on a real FollowTheMoney list, and the watchlist /
hit workflow inside the corridor (import, a manifest that hits, review, suppression, rebuild)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest
from test_cli import env, tg  # noqa: F401 - the fixture and helper shared by the e2e tests

from factories import manifest, passenger, write_jsonl

SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "sanctions"
    / "opensanctions_ftm"
    / "yente_t1_eu_fsf_sample.ftm.jsonl"
)
ZHURAVLEVA = "NK-2KeUB68qUJtykm3BuAcazG"  # Татьяна Владимировна ЖУРАВЛЕВА, born 1967-12-19


def queries(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def test_screen_finds_a_listed_person_in_a_passport_spelling_and_explains_why(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    source = queries(
        tmp_path / "q.jsonl",
        [
            {"id": "1", "name": "ZHURAVLEVA<<TATIANA<<<<<<<", "birth_date": "1967-12-19", "sex": "F"},
            {"id": "2", "name": "Jonas Petraitis", "birth_date": "1980-01-02"},
            {"id": "3", "name": "ZHURAVLEV TATIANA", "sex": "M"},
        ],
    )
    out = tmp_path / "r.jsonl"
    done = tg(env, "screen", "--list", str(SAMPLE), "--input", str(source), "--output", str(out))
    assert "screened 3 queries" in done.stderr
    results = {r["id"]: r for r in map(orjson.loads, out.read_bytes().splitlines())}
    (first,) = results["1"]["matches"]
    assert first["entity_id"] == ZHURAVLEVA
    assert first["score"] >= 0.9
    assert "date of birth 1967-12-19 matches" in first["explanation"]
    assert results["2"]["matches"] == []
    assert results["3"]["matches"] == []  # the male form is another person


def test_a_query_without_a_name_is_refused_with_its_line_and_no_output(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    source = queries(tmp_path / "q.jsonl", [{"id": "1", "name": "IVANOV IVAN"}, {"id": "2"}])
    out = tmp_path / "r.jsonl"
    done = tg(env, "screen", "--list", str(SAMPLE), "--input", str(source), "--output", str(out), ok=False)
    assert done.returncode == 1
    assert f"{source}:2: name: required field is missing or empty" in done.stderr
    assert not out.exists()


def test_a_list_that_does_not_parse_is_named_and_nothing_changes(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    tg(env, "watchlist", "import", "eu-fsf", str(SAMPLE))
    broken = tmp_path / "broken.ftm.jsonl"
    broken.write_bytes(SAMPLE.read_bytes() + b'{"id": "x", "schema": "Person", "properties": \n')
    done = tg(env, "watchlist", "import", "eu-fsf", str(broken), "--format", "ftm", ok=False)
    assert done.returncode == 1
    assert "broken.ftm.jsonl" in done.stderr
    listed = tg(env, "watchlist", "list").stdout
    assert "yente_t1_eu_fsf_sample.ftm.jsonl" in listed


def _train_with(environ: dict[str, str], tmp_path: Path, prefix: str, day: str) -> None:
    listed = passenger("1", surname="ZHURAVLEVA", given="TATIANA", passport="751112233")
    listed["birth_date"] = "1967-12-19"
    listed["sex"] = "F"
    other = passenger("2", surname="PETROV", given="ILIA", passport="751112234")
    path = tmp_path / f"{prefix}.jsonl"
    write_jsonl(path, [manifest(f"{prefix}-m", [listed, other], service_date=day)])
    tg(environ, "ingest", str(path))


@pytest.mark.slow
def test_a_manifest_hit_is_reviewed_suppressed_and_rebuilt(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    tg(env, "watchlist", "import", "eu-fsf", str(SAMPLE))
    _train_with(env, tmp_path, "a", "2023-05-01")
    hits = [orjson.loads(line) for line in tg(env, "hit", "list", "--format", "jsonl").stdout.splitlines()]
    assert [(h["entity_id"], h["status"]) for h in hits] == [(ZHURAVLEVA, "open")]
    alerts = tg(env, "alerts", "--type", "WATCHLIST_HIT", "--format", "jsonl").stdout.splitlines()
    assert len(alerts) == 1
    assert orjson.loads(alerts[0])["passenger_ref"] == "1"

    tg(env, "hit", "review", hits[0]["hit_id"], "--decision", "false_positive", "--by", "officer.4",
       "--reason", "another person: place of birth differs")  # fmt: skip
    alert = orjson.loads(tg(env, "alerts", "--type", "WATCHLIST_HIT", "--format", "jsonl").stdout)
    assert (alert["status"], alert["outcome"]) == ("resolved", "false_alarm")

    # The same passenger on another train: suppressed, no new hit.
    _train_with(env, tmp_path, "b", "2023-05-03")
    assert len(tg(env, "hit", "list", "--format", "jsonl").stdout.splitlines()) == 1

    before = tg(env, "hit", "list", "--format", "jsonl").stdout
    tg(env, "rebuild")
    assert tg(env, "hit", "list", "--format", "jsonl").stdout == before
    assert "intact" in tg(env, "ledger", "verify").stdout.lower()
    path = env["TRANSITGUARD_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        kinds = [r[0] for r in conn.execute("SELECT type FROM ledger ORDER BY seq")]
    assert kinds.count("watchlist.updated") == 1
    assert kinds.count("screening.hit") == 1
    assert kinds.count("screening.reviewed") == 1
