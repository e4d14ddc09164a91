"""The console's dashboard: a few charts, each with the table of numbers behind it.

The panels read the per-train and per-alert projections (a year is a few thousand trains), never the
per-passenger rows, so a page stays cheap without a cache: see docs/analytics.md for the timings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transitguard.analytics import charts
from transitguard.analytics.anomaly import WeeklyCount, score_weeks
from transitguard.analytics.summary import DashboardFigures, dashboard_figures, monday_of
from transitguard.bootstrap import Application


@dataclass(frozen=True)
class Panel:
    key: str  # slug
    title: str
    svg: str  # inline SVG: presentation attributes only, no style attributes, no script
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the numbers behind the chart


DIRECTIONS = (("to_kaliningrad", "to Kaliningrad"), ("from_kaliningrad", "from Kaliningrad"))


def dashboard_panels(application: Application, *, today: date) -> list[Panel]:
    """The dashboard for the twelve months up to and including `today`."""
    figures = dashboard_figures(application.store, today=today)
    return [
        _transits_panel(figures),
        _missing_panel(figures),
        _alerts_panel(figures),
        _refusals_panel(figures),
    ]


def _transits_panel(figures: DashboardFigures) -> Panel:
    months = figures.months
    series = [
        charts.Series(label, tuple(float(figures.transits.get((month, key), 0)) for month in months))
        for key, label in DIRECTIONS
    ]
    title = f"Passengers admitted to the corridor per month, {figures.start} to {figures.end}"
    return Panel(
        key="transits-by-month",
        title=title,
        svg=charts.bar_chart(title, months, series, unit="passengers"),
        columns=("month", "to Kaliningrad", "from Kaliningrad", "total"),
        rows=tuple(
            (
                month,
                str(figures.transits.get((month, "to_kaliningrad"), 0)),
                str(figures.transits.get((month, "from_kaliningrad"), 0)),
                str(
                    figures.transits.get((month, "to_kaliningrad"), 0)
                    + figures.transits.get((month, "from_kaliningrad"), 0)
                ),
            )
            for month in months
        ),
    )


def _missing_panel(figures: DashboardFigures) -> Panel:
    # Weeks before the period are scored too (they are the first weeks' baseline), but not shown.
    scores = score_weeks([WeeklyCount(week, count) for week, count in figures.missing_by_week])
    shown = [score for score in scores if score.week >= monday_of(figures.start)]
    labels = [score.week.isoformat() for score in shown]
    title = f"Passengers missing at the corridor's exit per week, {figures.start} to {figures.end}"
    svg = charts.line_chart(
        title,
        labels,
        [charts.Series("missing", tuple(float(score.count) for score in shown))],
        marks=[index for index, score in enumerate(shown) if score.flagged],
        unit="passengers",
    )
    return Panel(
        key="missing-by-week",
        title=title,
        svg=svg,
        columns=("week starting", "missing", "baseline (median of 26 weeks before)", "rise flagged"),
        rows=tuple(
            (
                score.week.isoformat(),
                str(score.count),
                "" if score.baseline is None else f"{score.baseline:g}",
                "yes" if score.flagged else "",
            )
            for score in shown
        ),
    )


def _alerts_panel(figures: DashboardFigures) -> Panel:
    types = sorted(figures.alerts)
    statuses = ("open", "acknowledged", "resolved")
    series = [
        charts.Series(status, tuple(float(figures.alerts[kind].get(status, 0)) for kind in types))
        for status in statuses
    ]
    title = f"Alerts raised by type and status, {figures.start} to {figures.end}"
    return Panel(
        key="alerts-by-type",
        title=title,
        svg=charts.bar_chart(title, types, series, unit="alerts"),
        columns=("type", *statuses, "total"),
        rows=tuple(
            (
                kind,
                *(str(figures.alerts[kind].get(status, 0)) for status in statuses),
                str(sum(figures.alerts[kind].values())),
            )
            for kind in types
        ),
    )


def _refusals_panel(figures: DashboardFigures) -> Panel:
    months = figures.months
    title = f"Passengers on the manifest but not admitted per month, {figures.start} to {figures.end}"
    values = tuple(float(figures.not_admitted.get(month, 0)) for month in months)
    return Panel(
        key="not-admitted-by-month",
        title=title,
        svg=charts.bar_chart(title, months, [charts.Series("not admitted", values)], unit="passengers"),
        columns=("month", "on manifest", "admitted", "not admitted"),
        rows=tuple(
            (
                month,
                str(figures.manifested.get(month, 0)),
                str(figures.manifested.get(month, 0) - figures.not_admitted.get(month, 0)),
                str(figures.not_admitted.get(month, 0)),
            )
            for month in months
        ),
    )
