"""Exports as an analyst uses them: every documented column, the same rows in CSV and Parquet."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from test_cli import env, tg  # noqa: F401 - the fixture and helper shared by the e2e tests

from factories import simple_train, write_jsonl
from transitguard.services.exports import KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "exports.md"


def test_every_column_is_documented_and_nothing_else() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind, columns in KINDS.items():
        section = text.split(f"## {kind}\n", 1)[1].split("\n## ", 1)[0]
        documented = re.findall(r"^\| `([a-z_]+)` \| ([A-Z]+) \|", section, flags=re.MULTILINE)
        assert documented == [(c.name, c.type) for c, _ in columns], kind


@pytest.mark.parametrize("kind", ["journeys", "alerts"])
def test_csv_and_parquet_carry_the_same_rows(
    kind: str,
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    source = tmp_path / "train.jsonl"
    write_jsonl(source, simple_train(3, missing=("2",)))
    tg(env, "ingest", str(source), "--as-of", "2023-05-02T00:00:00+03:00")
    as_csv, as_parquet = tmp_path / f"{kind}.csv", tmp_path / f"{kind}.parquet"
    tg(env, "export", kind, "--output", str(as_csv))
    done = tg(env, "export", kind, "--output", str(as_parquet), "--format", "parquet")
    assert f"written to {as_parquet}" in done.stderr
    with as_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [c.name for c, _ in KINDS[kind]]
    key = "status" if kind == "journeys" else "type"
    with duckdb.connect() as connection:
        schema = connection.execute(f"DESCRIBE SELECT * FROM read_parquet('{as_parquet}')").fetchall()
        values = connection.execute(f"SELECT {key} FROM read_parquet('{as_parquet}') ORDER BY 1").fetchall()
    assert [(name, kind_) for name, kind_, *_ in schema] == [
        (c.name, "TIMESTAMP WITH TIME ZONE" if c.type == "TIMESTAMPTZ" else c.type) for c, _ in KINDS[kind]
    ]
    expected = ["completed", "completed", "missing"] if kind == "journeys" else ["PASSENGER_MISSING"]
    assert sorted(r[key] for r in rows) == expected
    assert [v for (v,) in values] == expected
