"""The analyst's briefing: one self-contained HTML file (figures, inline SVG charts, tables, a method
note), and the same printed to PDF by a headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path

from transitguard.analytics import charts
from transitguard.analytics.statistics import Statistic
from transitguard.errors import ConfigurationError, InputError

EXPORT_ONLY = frozenset({"transits_by_day", "missing_by_week"})  # too long for a briefing
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

METHOD = """Figures come from the system's own records: the journeys, alerts, hits and freight decisions
projected from the hash-chained ledger, copied into DuckDB and counted by service date (the date a train
is due at its entry checkpoint). A passenger counts as admitted when checked in at the entry checkpoint,
and as missing when admitted but not checked out when the train left the corridor. Entitlement to enter
is judged from what the manifest says, on the day, by the people rules of the rule pack. The rise flag
compares each week's missing passengers with the median of the 26 weeks before it (spread: 1.4826 × MAD,
at least √median) and accumulates the excess in a one-sided CUSUM (slack 1, threshold 5): it flags a
lasting rise within weeks of its start, as the 2023 rise at Kena (about 14,000 left the trains there in
2023, nearly five times 2022) would have been. Method and limits: docs/analytics.md."""


def _by(stat: Statistic, label: str, series: str, value: str) -> tuple[list[str], list[charts.Series]]:
    """Pivot rows (label, series, value) to chart series; labels and series in first-seen order."""
    i_label, i_series, i_value = (stat.columns.index(c) for c in (label, series, value))
    labels: list[str] = []
    names: list[str] = []
    cells: dict[tuple[str, str], float] = {}
    for row in stat.rows:
        key, name = str(row[i_label]), str(row[i_series])
        if key not in labels:
            labels.append(key)
        if name not in names:
            names.append(name)
        cells[(key, name)] = cells.get((key, name), 0.0) + float(row[i_value] or 0)
    return labels, [charts.Series(n, tuple(cells.get((k, n), 0.0) for k in labels)) for n in names]


def _table(stat: Statistic, limit: int = 60) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in stat.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if v is None else escape(str(v))}</td>" for v in row) + "</tr>"
        for row in stat.rows[:limit]
    )
    more = (
        f"<p class='note'>{len(stat.rows) - limit} more rows in the export.</p>"
        if len(stat.rows) > limit
        else ""
    )
    empty = "<p class='note'>None in the period.</p>" if not stat.rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}{empty}"


def _charts(found: dict[str, Statistic]) -> dict[str, str]:
    made: dict[str, str] = {}
    if "transits_by_month" in found:
        labels, series = _by(found["transits_by_month"], "month", "direction", "passengers")
        made["transits_by_month"] = charts.bar_chart(
            "Passengers admitted per month", labels, series, unit="passengers"
        )
    if "missing_rise" in found:
        stat = found["missing_rise"]
        labels = [str(r[0]) for r in stat.rows]
        made["missing_rise"] = charts.line_chart(
            "Passengers missing per week",
            labels,
            [
                charts.Series("missing", tuple(float(r[1] or 0) for r in stat.rows)),
                charts.Series(
                    "baseline", tuple(float("nan") if r[2] is None else float(r[2]) for r in stat.rows)
                ),
            ],
            marks=[i for i, r in enumerate(stat.rows) if r[5] == "yes"],
            unit="passengers",
        )
    if "alerts_by_type" in found:
        labels, series = _by(found["alerts_by_type"], "type", "status", "alerts")
        made["alerts_by_type"] = charts.bar_chart("Alerts by type and status", labels, series, unit="alerts")
    if "transits_by_document" in found:
        stat = found["transits_by_document"]
        made["transits_by_document"] = charts.bar_chart(
            "Missing passengers by transit document kind",
            [str(r[0]) for r in stat.rows],
            [charts.Series("missing", tuple(float(r[2] or 0) for r in stat.rows))],
            unit="passengers",
        )
    return made


def headline(found: dict[str, Statistic]) -> list[tuple[str, str]]:
    """The figures at the top of the briefing."""
    admitted = (
        sum(int(r[2] or 0) for r in found["transits_by_year"].rows) if "transits_by_year" in found else 0
    )
    missing = (
        sum(int(r[2] or 0) for r in found["missing_by_month"].rows) if "missing_by_month" in found else 0
    )
    refusals = (
        sum(int(r[1] or 0) for r in found["refusals_by_reason"].rows) if "refusals_by_reason" in found else 0
    )
    entitled = (
        {str(r[0]): int(r[1] or 0) for r in found["missing_entitlement"].rows}
        if "missing_entitlement" in found
        else {}
    )
    flagged = (
        [str(r[0]) for r in found["missing_rise"].rows if r[5] == "yes"] if "missing_rise" in found else []
    )
    return [
        ("Passengers admitted to the corridor", f"{admitted:,}"),
        ("Passengers missing at the exit", f"{missing:,}"),
        ("of whom entitled to enter Lithuania", f"{entitled.get('entitled', 0):,}"),
        ("Refused entry at the entry checkpoint", f"{refusals:,}"),
        ("First week flagged as a rise", flagged[0] if flagged else "none"),
    ]


STYLE = """body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;break-after:avoid}
table{border-collapse:collapse;font-size:.8rem;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
dl{display:grid;grid-template-columns:auto auto;gap:.2rem 1rem}dt{font-weight:bold}
.note{font-size:.8rem;color:#555}svg{max-width:100%;height:auto;break-inside:avoid}"""


def render_html(stats: Sequence[Statistic], *, start: date, end: date, generated: str) -> str:
    found = {s.key: s for s in stats}
    made = _charts(found)
    figures = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in headline(found))
    sections = []
    # The charted statistics first; the long daily and weekly tables are left to `stats export`.
    shown = [s for s in stats if s.key in made] + [
        s for s in stats if s.key not in made and s.key not in EXPORT_ONLY
    ]
    for stat in shown:
        chart = made.get(stat.key, "")
        sections.append(
            f"<section id='{stat.key}'><h2>{escape(stat.title)}</h2>{chart}{_table(stat)}</section>"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Kaliningrad transit briefing, {start} to {end}</title><style>{STYLE}</style></head><body>"
        f"<h1>Kaliningrad rail transit: briefing, {start} to {end}</h1>"
        f"<p class='note'>Generated {escape(generated)} by transitguard from its own records.</p>"
        f"<dl>{figures}</dl>"
        f"{''.join(sections)}"
        f"<section id='method'><h2>Method</h2><p>{escape(METHOD)}</p>"
        "<p class='note'>Daily and weekly figures: <code>transitguard stats export</code>.</p></section>"
        "</body></html>"
    )


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: str, output: Path, *, chromium: str | None = None) -> None:
    """Print the HTML to `output` with headless Chromium; a clear error when there is none."""
    browser = chromium or find_chromium()
    if browser is None:
        raise ConfigurationError(
            "--format pdf needs Chromium (looked for chromium, chromium-browser, google-chrome on PATH); "
            "install Debian's package `chromium`, or use --format html"
        )
    with tempfile.TemporaryDirectory(prefix="transitguard-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={output.resolve()}",
            page.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    if done.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        raise InputError(f"{browser} could not print {output}: {done.stderr.decode(errors='replace')[-400:]}")
