"""`transitguard freight check` on the examples of docs/freight.md, as a customs officer runs it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import orjson
from test_cli import env, tg  # noqa: F401 - the fixture and helper shared by the e2e tests

DOC = Path(__file__).resolve().parents[2] / "docs" / "freight.md"


def blocks(kind: str) -> list[str]:
    return re.findall(
        rf"```(?:json|csv) {kind}\n(.+?)\n```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL
    )


def test_the_documented_consignments_get_the_documented_decisions(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    consignments = tmp_path / "consignments.jsonl"
    consignments.write_text("\n".join(blocks("consignment")) + "\n", encoding="utf-8")
    (baseline_text,) = blocks("baseline")
    baseline = tmp_path / "baseline.csv"
    baseline.write_text(baseline_text + "\n", encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    done = tg(
        env,
        "freight",
        "check",
        "--input",
        str(consignments),
        "--output",
        str(out),
        "--baseline",
        str(baseline),
    )
    assert "2 consignments" in done.stderr
    got = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert got == [orjson.loads(block) for block in blocks("decision")]


def test_a_bad_cn_code_is_named_with_its_line_and_nothing_is_written(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    first = blocks("consignment")[0]
    consignments = tmp_path / "consignments.jsonl"
    consignments.write_text(first + "\n" + first.replace("7208 51 20", "72O8 51 20") + "\n", encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    done = tg(env, "freight", "check", "--input", str(consignments), "--output", str(out), ok=False)
    assert done.returncode == 1
    assert f"{consignments}:2: lines[0].cn_code" in done.stderr
    assert not out.exists()


def test_recorded_decisions_are_exported_and_survive_a_rebuild(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    consignments = tmp_path / "consignments.jsonl"
    consignments.write_text("\n".join(blocks("consignment")) + "\n", encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    args = ["--input", str(consignments), "--output", str(out)]
    tg(env, "freight", "check", *args, "--record")
    tg(env, "freight", "check", *args, "--record")  # the same decisions again: stored once
    exported = tmp_path / "freight.csv"
    tg(env, "export", "freight", "--output", str(exported))
    with exported.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["consignment_id"], r["line_no"], r["decision"]) for r in rows] == [
        ("LTG-2022-0620-0007", "1", "HOLD"),
        ("LTG-2022-0620-0007", "2", "HOLD"),
        ("LTG-2022-0620-0007", "3", "ALLOW"),
        ("LT-2022-0712-0042", "1", "DENY"),
        ("LT-2022-0712-0042", "2", "ALLOW"),
    ]
    tg(env, "rebuild")
    again = tmp_path / "again.csv"
    tg(env, "export", "freight", "--output", str(again))
    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")
