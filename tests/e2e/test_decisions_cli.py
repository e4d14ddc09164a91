"""Entry eligibility, FRTD decisions and the rule pack from the command line, on the examples of
docs/eligibility.md, and the entitlement a PASSENGER_MISSING alert shows."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
from test_cli import env, tg  # noqa: F401 - the fixture and helper shared by the e2e tests

from factories import passenger, simple_train, write_jsonl

DOC = Path(__file__).resolve().parents[2] / "docs" / "eligibility.md"


def example(name: str) -> str:
    found = re.search(
        rf"<!-- example {name} -->\n```json\n(.+?)\n```", DOC.read_text(encoding="utf-8"), re.DOTALL
    )
    assert found, name
    return found.group(1) + "\n"


def test_eligibility_check_gives_the_documented_decisions(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    source, out = tmp_path / "persons.jsonl", tmp_path / "decisions.jsonl"
    source.write_text(example("eligibility input"), encoding="utf-8")
    done = tg(env, "eligibility", "check", "--input", str(source), "--output", str(out))
    assert "3 persons: 1 allowed, 2 refused" in done.stderr
    expected = [orjson.loads(line) for line in example("eligibility output").splitlines()]
    assert [orjson.loads(line) for line in out.read_bytes().splitlines()] == expected


def test_frtd_decide_grants_and_refuses_as_documented(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    source, out = tmp_path / "applications.jsonl", tmp_path / "decisions.jsonl"
    source.write_text(example("frtd input"), encoding="utf-8")
    args = ["--input", str(source), "--output", str(out), "--now", "2025-07-01T10:00:00+03:00"]
    done = tg(env, "frtd", "decide", *args)
    assert "1 granted, 1 refused" in done.stderr
    expected = [orjson.loads(line) for line in example("frtd output").splitlines()]
    assert [orjson.loads(line) for line in out.read_bytes().splitlines()] == expected


def test_an_absconding_confirmed_on_an_alert_counts_against_a_new_frtd_application(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    train = simple_train(1, missing=("1",))
    train[0]["passengers"] = [passenger("1", passport="751234567")]
    source = tmp_path / "train.jsonl"
    write_jsonl(source, train)
    tg(env, "ingest", str(source), "--as-of", "2023-05-02T00:00:00+03:00")
    (alert,) = [orjson.loads(a) for a in tg(env, "alerts", "--format", "jsonl").stdout.splitlines()]
    tg(env, "alert", "resolve", alert["alert_id"], "--outcome", "absconded", "--by", "guard.4")
    applications, out = tmp_path / "applications.jsonl", tmp_path / "decisions.jsonl"
    applications.write_text(example("frtd input").splitlines()[0] + "\n", encoding="utf-8")
    args = ["--input", str(applications), "--output", str(out), "--now", "2025-07-01T10:00:00+03:00"]
    tg(env, "frtd", "decide", *args)
    (decision,) = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert decision["decision"] in ("REFUSE", "REFER")
    assert any("abscond" in r["message"] for r in decision["reasons"])


def test_a_missing_passenger_alert_says_whether_they_could_have_entered(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    train = simple_train(2, missing=("1", "2"))
    train[0]["passengers"] = [
        passenger("1"),  # FRTD: transit only
        passenger("2", kind="RESIDENCE_PERMIT", number="LT-RP-1", valid_until="2026-01-01"),
    ]
    source = tmp_path / "train.jsonl"
    write_jsonl(source, train)
    tg(env, "ingest", str(source), "--as-of", "2023-05-02T00:00:00+03:00")
    alerts = [orjson.loads(a) for a in tg(env, "alerts", "--format", "jsonl").stdout.splitlines()]
    entitled = {a["passenger_ref"]: a["entitled_to_enter"]["decision"] for a in alerts}
    assert entitled == {"1": "REFUSE", "2": "ALLOW"}


def test_rules_validate_dump_diff_and_explain(env: dict[str, str]) -> None:  # noqa: F811
    summary = orjson.loads(tg(env, "rules", "validate").stdout)
    assert summary["pack"] == "kaliningrad"
    assert summary["goods"]["rules"] > 50
    dumped = orjson.loads(tg(env, "rules", "dump").stdout)
    assert {"corridor", "goods", "people"} <= set(dumped)
    same = orjson.loads(tg(env, "rules", "diff", "kaliningrad", "kaliningrad").stdout)
    assert same["corridor"] == []
    assert same["people"] == []
    explained = tg(env, "rules", "explain", "xvii-a").stdout
    assert "Annex XVII" in explained
    assert "833/2014" in explained
    missing = tg(env, "rules", "explain", "no-such-rule", ok=False)
    assert missing.returncode == 1
    assert "no-such-rule" in missing.stderr


def test_a_recorded_frtd_is_what_a_manifest_is_checked_against(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    applications, out = tmp_path / "applications.jsonl", tmp_path / "decisions.jsonl"
    applications.write_text(example("frtd input").splitlines()[0] + "\n", encoding="utf-8")
    args = ["--input", str(applications), "--output", str(out), "--now", "2025-07-01T10:00:00+03:00"]
    tg(env, "frtd", "decide", *args, "--record")
    (decision,) = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    frtd = decision["frtd"]
    holder = passenger("1", passport="751234567", number=frtd["number"])
    holder["transit_document"].update(valid_from=frtd["valid_from"], valid_until=frtd["valid_until"])
    for number, day in (("29", "2025-07-03"), ("79", "2025-07-04")):
        events = simple_train(1, prefix=f"t{number}", number=number, service_date=day)
        events[0]["passengers"] = [holder]
        source = tmp_path / f"train{number}.jsonl"
        write_jsonl(source, events[:1])
        tg(env, "ingest", str(source))
    alerts = [orjson.loads(a) for a in tg(env, "alerts", "--format", "jsonl").stdout.splitlines()]
    invalid = [
        (a["train"]["number"], a["details"]["reasons"])
        for a in alerts
        if a["type"] == "TRANSIT_DOCUMENT_INVALID"
    ]
    assert invalid == [("79", ["frtd_train_not_authorised"])]
