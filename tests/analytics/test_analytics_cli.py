"""`transitguard report`, `stats export` and `whatif` as an analyst runs them; docs/analytics.md's
examples run as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import orjson
import pytest

from transitguard.analytics.report import find_chromium, print_pdf
from transitguard.errors import ConfigurationError

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "analytics.md"
POLICIES = REPO / "src" / "transitguard" / "rulepacks" / "kaliningrad" / "policies"
CLI = [sys.executable, "-m", "transitguard"]


def tg(env: dict[str, str], *args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, cwd=cwd, timeout=300)
    if ok:
        assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three simulated days of 2023 in a SQLite store."""
    path = tmp_path_factory.mktemp("analytics")
    environment = env_of(path)
    tg(environment, "simulate", "--days", "3", "--seed", "7", "--output", "days.jsonl", cwd=path)
    tg(environment, "ingest", "days.jsonl", cwd=path)
    return path


def env_of(path: Path) -> dict[str, str]:
    return {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{path / 'tg.db'}", "COLUMNS": "250"}


def test_the_html_report_is_self_contained_with_figures_charts_and_method(folder: Path) -> None:
    tg(
        env_of(folder),
        "report",
        "--from",
        "2023-05-01",
        "--to",
        "2023-05-31",
        "--output",
        "r.html",
        cwd=folder,
    )
    html = (folder / "r.html").read_text(encoding="utf-8")
    assert "briefing, 2023-05-01 to 2023-05-31" in html
    assert html.count("<svg") >= 4
    assert "<title" in html
    assert "<script" not in html
    assert "src=" not in html
    assert "href=" not in html
    figures = dict(re.findall(r"<dt>(.+?)</dt><dd>(.+?)</dd>", html))
    assert int(figures["Passengers admitted to the corridor"].replace(",", "")) > 1000
    assert int(figures["Passengers missing at the exit"].replace(",", "")) > 0
    assert "<h2>Method</h2>" in html
    assert "14,000" in html


def test_the_pdf_report_has_pages_that_are_not_blank(folder: Path) -> None:
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (CI installs Debian's chromium)")
    import pypdfium2

    tg(
        env_of(folder),
        "report",
        "--from",
        "2023-05-01",
        "--to",
        "2023-05-31",
        "--format",
        "pdf",
        "-o",
        "r.pdf",
        cwd=folder,
    )
    pdf = pypdfium2.PdfDocument(folder / "r.pdf")
    try:
        assert len(pdf) >= 2
        for index in range(len(pdf)):
            pixels = pdf[index].render(scale=0.5).to_numpy()
            assert (pixels < 200).mean() > 0.002, f"page {index + 1} is blank"
        coloured = pdf[0].render(scale=0.5).to_numpy()
        # The charts' bars are blue (#0072b2): some page shows them.
        blues = [
            np.sum((p[:, :, 0] > 150) & (p[:, :, 2] < 40))  # BGRx: blue channel high, red low
            for p in (pdf[i].render(scale=0.5).to_numpy() for i in range(len(pdf)))
        ]
        assert max(blues) > 100
        assert coloured.size
    finally:
        pdf.close()


def test_without_chromium_the_error_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match=r"needs Chromium.*chromium"):
        print_pdf("<p>x</p>", tmp_path / "x.pdf")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_stats_export_writes_one_file_per_statistic(folder: Path, fmt: str) -> None:
    tg(env_of(folder), "stats", "export", "--format", fmt, "--output", f"out-{fmt}", cwd=folder)
    files = sorted(p.name for p in (folder / f"out-{fmt}").iterdir())
    assert f"transits_by_month.{fmt}" in files
    assert f"missing_rise.{fmt}" in files
    assert len(files) >= 14
    source = folder / f"out-{fmt}" / f"transits_by_year.{fmt}"
    with duckdb.connect() as duck:
        rows = duck.execute(
            f"SELECT year, direction, passengers FROM '{source}' ORDER BY direction"
        ).fetchall()
    assert [r[:2] for r in rows] == [(2023, "from_kaliningrad"), (2023, "to_kaliningrad")]
    assert all(r[2] > 500 for r in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["report", "--from", "2023-02-30", "--to", "2023-03-01", "-o", "x.html"],
            "--from: '2023-02-30' is not a date",
        ),
        (
            ["report", "--from", "2023-03-02", "--to", "2023-03-01", "-o", "x.html"],
            "--to: 2023-03-01 is before --from",
        ),
        (["stats", "export", "--output", "days.jsonl"], "--output: days.jsonl is a file, not a folder"),
    ],
)
def test_bad_dates_and_paths_are_named(folder: Path, args: list[str], message: str) -> None:
    done = tg(env_of(folder), *args, cwd=folder, ok=False)
    assert done.returncode == 1
    assert message in done.stderr


def test_whatif_compares_the_four_shipped_policies(folder: Path) -> None:
    files = sorted(str(p) for p in POLICIES.glob("*.yaml"))
    assert len(files) == 4
    done = tg(
        env_of(folder),
        "whatif",
        *files,
        "--days",
        "3",
        "--start",
        "2024-03-04",
        "--format",
        "json",
        cwd=folder,
    )
    rows = {row["policy"]: row for row in orjson.loads(done.stdout)}
    quo, ban = rows["status-quo-2023"], rows["no-alighting-kena-2024-03-01"]
    cap, doors = rows["cap-250"], rows["door-checks-vilnius"]
    assert quo["missing"] > 20
    assert ban["missing"] < quo["missing"] / 10
    assert cap["admitted"] < quo["admitted"]
    # Door checks at Vilnius find the same people sooner, at the cost of officers' time and delay.
    assert doors["missing"] == quo["missing"]
    assert doors["detect_median_minutes"] < quo["detect_median_minutes"] / 2
    assert doors["officer_hours"] > quo["officer_hours"]
    assert doors["added_delay_minutes_per_train"] == 15
    assert quo["added_delay_minutes_per_train"] == 0
    table = tg(env_of(folder), "whatif", *files, "--days", "2", cwd=folder).stdout
    assert "missing" in table
    assert "status-quo-2023" in table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: t\nbasis: b\npassenger_capp: 250\n", "key passenger_capp: Extra inputs are not permitted"),
        ("title: t\nbasis: b\nsimulation: {days: 0}\n", "key simulation.days"),
        (
            "title: t\nbasis: b\ndoor_checks: {places: [RIGA], minutes_per_train: 5, officers: 2}\n",
            "'RIGA' is not a planned stop",
        ),
        (
            "title: t\nbasis: b\nalighting_ban_from: 2024-02-30\n",
            "bad.yaml: not valid YAML: day is out of range",
        ),
        ("- just\n- a list\n", "a policy is a mapping"),
        ("title: [unclosed\n", "bad.yaml"),
    ],
)
def test_a_bad_policy_is_named_by_file_and_key(folder: Path, text: str, message: str) -> None:
    (folder / "bad.yaml").write_text(text, encoding="utf-8")
    done = tg(env_of(folder), "whatif", "bad.yaml", "--days", "1", cwd=folder, ok=False)
    assert done.returncode == 1
    assert "bad.yaml" in done.stderr
    assert message in done.stderr


def test_the_documented_examples_run_as_written(tmp_path: Path) -> None:
    block = re.search(r"```console\n(.+?)\n```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert block, "docs/analytics.md has no console block"
    commands = [shlex.split(line[2:]) for line in block.group(1).splitlines() if line.startswith("$ ")]
    assert {c[1] for c in commands} >= {"report", "stats", "whatif"}
    for command in commands:
        assert command[0] == "transitguard"
        tg(env_of(tmp_path), *command[1:], cwd=tmp_path)
    assert (tmp_path / "briefing.html").is_file()
