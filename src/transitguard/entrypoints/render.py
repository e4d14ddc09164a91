"""Rich tables for the terminal: what a shift lead reads at a glance."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from transitguard.domain.records import Alert, Journey, TrainState

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


def progress_bar(console: Console, *, enabled: bool = True) -> Progress:
    """The progress bar of every long command (on stderr; gone when done)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not enabled,
    )


def _time(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else "-"


def alerts_table(alerts: Sequence[Alert], title: str = "Alerts") -> Table:
    table = Table(title=f"{title} ({len(alerts)})", title_justify="left")
    for column in ("alert", "type", "severity", "status", "train", "passenger", "raised (UTC)", "message"):
        table.add_column(column, overflow="fold")
    for a in alerts:
        table.add_row(
            a.alert_id,
            a.type,
            f"[{_SEVERITY_STYLE.get(a.severity, '')}]{a.severity}[/]",
            a.status,
            a.train.key,
            a.passenger_ref or "-",
            _time(a.raised_at),
            a.message,
        )
    return table


def journeys_table(journeys: Sequence[Journey], title: str = "Journeys") -> Table:
    table = Table(title=f"{title} ({len(journeys)})", title_justify="left")
    for column in ("train", "ref", "name", "nat", "document", "transit doc", "status", "entered", "exited"):
        table.add_column(column, overflow="fold")
    for j in journeys:
        name = f"{j.surname or ''} {j.given_names or ''}".strip() or "(not on manifest)"
        table.add_row(
            j.train.key,
            j.passenger_ref or "-",
            name,
            j.nationality or "-",
            j.document_key or "-",
            j.transit_kind or "-",
            j.status,
            _time(j.entered_at),
            _time(j.exited_at),
        )
    return table


def trains_table(states: Sequence[TrainState], alert_counts: dict[str, int] | None = None) -> Table:
    table = Table(title=f"Trains ({len(states)})", title_justify="left")
    for column in ("train", "date", "direction", "status", "manifest/cap", "admitted", "out", "missing"):
        table.add_column(column, justify="right" if column in ("admitted", "out", "missing") else "left")
    if alert_counts is not None:
        table.add_column("open alerts", justify="right")
    for s in states:
        over = s.cap is not None and s.manifest_count > s.cap
        manifest = f"{s.manifest_count}/{s.cap if s.cap is not None else '-'}"
        row = [
            s.train.number,
            s.train.service_date.isoformat(),
            s.train.direction,
            s.status,
            f"[red]{manifest}[/]" if over else manifest,
            str(s.admitted_count),
            str(s.completed_count),
            f"[bold red]{s.missing_count}[/]" if s.missing_count else "0",
        ]
        if alert_counts is not None:
            row.append(str(alert_counts.get(s.train.key, 0)))
        table.add_row(*row)
    return table
