"""CLI commands for analysts: `report`, `stats export`, `whatif` (registered in cli.py)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import orjson
import typer
from rich.console import Console
from rich.table import Table

from transitguard.analytics import whatif as whatif_module
from transitguard.bootstrap import bootstrap
from transitguard.errors import InputError, TransitguardError
from transitguard.rulepacks import load_rule_pack
from transitguard.rulepacks.people import load_people_rules
from transitguard.services.freight import read_baseline
from transitguard.settings import Settings

if TYPE_CHECKING:
    from transitguard.analytics.statistics import Statistic
    from transitguard.engines.freight_quota import QuotaBaseline

# DuckDB, the heaviest import we have, is imported by the commands that need it (analytics.statistics),
# not by every `transitguard` command at start-up.

stats_app = typer.Typer(no_args_is_help=True, help="Statistics over the store: export them for analysts.")
err = Console(stderr=True)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def _fail(exc: TransitguardError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}", highlight=False, markup=True)
    raise typer.Exit(1 if exc.http_status < 500 else 2)


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _period(start: str, end: str) -> tuple[date, date]:
    first, last = _date("--from", start), _date("--to", end)
    if last < first:
        raise InputError(f"--to: {last} is before --from {first}")
    return first, last


def _quotas(path: Path | None) -> QuotaBaseline | None:
    if path is None:
        return None
    if not path.is_file():
        raise InputError(f"--quota-baseline: {path}: no such file")
    return read_baseline(path)


def _statistics(first: date, last: date, quotas: QuotaBaseline | None) -> list[Statistic]:
    from transitguard.analytics.statistics import Statistics

    application = bootstrap(os.environ)
    try:
        found = Statistics.of_store(application.store, load_people_rules(application.pack.path))
        try:
            return found.compute(first, last, quotas)
        finally:
            found.close()
    finally:
        application.close()


QuotaOption = Annotated[
    Path | None, typer.Option("--quota-baseline", help="CSV of product group quotas (as `freight check`).")
]


def report(
    start: Annotated[str, typer.Option("--from", help="First service date, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last service date, YYYY-MM-DD (included).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    format: Annotated[Literal["html", "pdf"], typer.Option("--format", help="html or pdf.")] = "html",
    quota_baseline: QuotaOption = None,
) -> None:
    """A briefing for the period: figures, charts and the numbers behind them, and a method note."""
    from transitguard.analytics.report import print_pdf, render_html

    try:
        first, last = _period(start, end)
        stats = _statistics(first, last, _quotas(quota_baseline))
        generated = datetime.now(UTC).isoformat(timespec="seconds")
        html = render_html(stats, start=first, end=last, generated=generated)
        if format == "html":
            output.write_text(html, encoding="utf-8")
        else:
            print_pdf(html, output)
    except TransitguardError as exc:
        _fail(exc)
    err.print(f"wrote {output} ({format}, {first} to {last})", highlight=False)


@stats_app.command("export")
def stats_export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write one file per statistic to.")
    ],
    format: Annotated[Literal["csv", "parquet"], typer.Option("--format", help="csv or parquet.")] = "csv",
    start: Annotated[str, typer.Option("--from", help="First service date.")] = "2000-01-01",
    end: Annotated[str, typer.Option("--to", help="Last service date (included).")] = "2099-12-31",
    quota_baseline: QuotaOption = None,
) -> None:
    """Every statistic as a CSV or Parquet file named after it (transits_by_month.csv, ...)."""
    from transitguard.analytics.statistics import Statistics

    try:
        first, last = _period(start, end)
        if output.exists() and not output.is_dir():
            raise InputError(f"--output: {output} is a file, not a folder")
        output.mkdir(parents=True, exist_ok=True)
        application = bootstrap(os.environ)
        try:
            found = Statistics.of_store(application.store, load_people_rules(application.pack.path))
        finally:
            application.close()
        try:
            for stat in found.compute(first, last, _quotas(quota_baseline)):
                found.write(stat, output / f"{stat.key}.{format}", format)
                out.print(f"{output / f'{stat.key}.{format}'}\t{len(stat.rows)} rows", highlight=False)
        finally:
            found.close()
    except TransitguardError as exc:
        _fail(exc)


def whatif(
    policies: Annotated[
        list[str], typer.Argument(help="Policy files (YAML), or names of shipped ones; docs/analytics.md.")
    ],
    format: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json.")] = "table",
    days: Annotated[int | None, typer.Option("--days", min=1, help="Override every policy's days.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="Override every policy's start date.")] = None,
) -> None:
    """Run the simulator under each policy and compare missing passengers, detection, workload, delay."""
    try:
        pack = load_rule_pack(Settings.from_environ(os.environ).rule_pack)
        loaded = [whatif_module.load_policy(whatif_module.resolve_policy(p, pack.path)) for p in policies]
        first = _date("--start", start) if start else None
        corridor = pack.corridor
        outcomes = []
        for one in loaded:
            simulation = one.policy.simulation.model_copy(
                update={k: v for k, v in (("days", days), ("start", first)) if v is not None}
            )
            adjusted = one.policy.model_copy(update={"simulation": simulation})
            outcomes.append(whatif_module.run_policy(replace(one, policy=adjusted), corridor))
    except TransitguardError as exc:
        _fail(exc)
    if format == "json":
        sys.stdout.buffer.write(
            orjson.dumps([o.as_dict() for o in outcomes], option=orjson.OPT_INDENT_2) + b"\n"
        )
        return
    table = Table(title="Policy what-if (simulated)")
    for key, label in whatif_module.COLUMNS:
        table.add_column(label, no_wrap=key == "policy")
    for outcome in outcomes:
        row = outcome.as_dict()
        table.add_row(*("–" if row[key] is None else str(row[key]) for key, _ in whatif_module.COLUMNS))
    out.print(table)
