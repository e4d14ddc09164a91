"""Border data formats from the command line: MRZ zones from standard input."""

from __future__ import annotations

from pathlib import Path

import orjson
from test_cli import env, ledger_rows, tg  # noqa: F401 - the fixture and helper shared by the e2e tests

from factories import manifest, passenger

GOOD = "P<RUSIVANOV<<ANDREI<<<<<<<<<<<<<<<<<<<<<<<<<\n7512345672RUS8503127M3001019<<<<<<<<<<<<<<06"
MISREAD = GOOD.replace("7512345672RUS", "7512845672RUS")


def test_mrz_parse_prints_one_line_per_zone_and_names_the_failed_checks(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    done = tg(env, "mrz", "parse", stdin=f"{GOOD}\n\n{MISREAD}\n".encode())
    good, misread = (orjson.loads(line) for line in done.stdout.splitlines())
    assert (good["format"], good["valid"], good["failed_checks"]) == ("TD3", True, [])
    assert good["fields"]["document_number"] == "751234567"
    assert good["fields"]["birth_date"] == "1985-03-12"
    assert (good["fields"]["surname"], good["fields"]["given_names"]) == ("IVANOV", "ANDREI")
    assert (misread["valid"], misread["failed_checks"]) == (False, ["document_number", "composite"])


def test_a_block_that_is_not_an_mrz_is_named_and_the_exit_status_says_so(
    env: dict[str, str],  # noqa: F811
) -> None:
    done = tg(env, "mrz", "parse", stdin=f"{GOOD}\n\nhello\nworld\n".encode(), ok=False)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 1
    assert "block 2: not an MRZ: line 1" in done.stderr


def test_a_rail_paxlst_written_parsed_and_ingested_gives_the_trains_journeys(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    body = manifest("unused", [passenger("1"), passenger("2", kind="EU_CITIZEN", nationality="LTU")])
    del body["event_id"], body["type"], body["occurred_at"]
    bodies = tmp_path / "bodies.jsonl"
    bodies.write_bytes(orjson.dumps(body) + b"\n")
    edifact = tmp_path / "train29.edi.txt"  # any name: a PAXLST file is known by its content
    edifact.write_text(tg(env, "paxlst", "write", str(bodies), "--sender", "RZD").stdout)
    assert edifact.read_text().startswith("UNA:+.? '")

    (parsed,) = (orjson.loads(line) for line in tg(env, "paxlst", "parse", str(edifact)).stdout.splitlines())
    assert parsed["train"] == body["train"]
    assert [(p["ref"], p["surname"], p["travel_document"]["number"]) for p in parsed["passengers"]] == [
        (p["ref"], p["surname"], p["travel_document"]["number"]) for p in body["passengers"]
    ]

    tg(env, "ingest", str(edifact))
    tg(env, "ingest", str(edifact))  # the same lists again: stored once
    journeys = [orjson.loads(line) for line in tg(env, "journeys", "--format", "jsonl").stdout.splitlines()]
    assert sorted(j["passenger_ref"] for j in journeys) == ["1", "2"]
    assert ledger_rows(env) == 1
