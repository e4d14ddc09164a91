"""`transitguard freight check` on the examples of docs/freight.md, as a customs officer runs it."""

from __future__ import annotations

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
