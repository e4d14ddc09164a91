"""The `transitguard` command line. The database comes from TRANSITGUARD_DATABASE_URL (a SQLAlchemy
URL); without it, an embedded SQLite file var/transitguard.db."""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import typer
from rich.console import Console
from rich.progress import Progress

from transitguard.adapters.formats.mrz import MrzError, parse_mrz_blocks, result_as_json
from transitguard.adapters.formats.paxlst import read_paxlst, warning_lines
from transitguard.adapters.formats.paxlst_manifest import to_manifest_body
from transitguard.adapters.formats.paxlst_write import write_paxlst
from transitguard.bootstrap import Application, bootstrap
from transitguard.domain.events import AlertOutcome
from transitguard.domain.records import ALERT_TYPES
from transitguard.engines.screening import DEFAULT_THRESHOLD
from transitguard.entrypoints import render
from transitguard.entrypoints.cli_accounts import audit as audit_command
from transitguard.entrypoints.cli_accounts import cli_operator, token_app, user_app
from transitguard.entrypoints.cli_accounts import serve as serve_command
from transitguard.entrypoints.cli_analytics import report as report_command
from transitguard.entrypoints.cli_analytics import stats_app
from transitguard.entrypoints.cli_analytics import whatif as whatif_command
from transitguard.errors import EventValidationError, TransitguardError
from transitguard.rulepacks.goods import DEFAULT_GOODS_PACK, load_goods_rules
from transitguard.rulepacks.people import load_people_rules
from transitguard.services.alert_views import alert_rows
from transitguard.services.alert_workflow import transition
from transitguard.services.eligibility import check_file as check_eligibility_file
from transitguard.services.exports import export as export_rows
from transitguard.services.freight import check_file as check_freight_file
from transitguard.services.freight import party_index
from transitguard.services.freight_record import decision_events
from transitguard.services.frtd import decide_file as decide_frtd_file
from transitguard.services.frtd_registry import decision_event as frtd_decision_event
from transitguard.services.ingest import DEFAULT_BATCH_SIZE, Source, ingest_sources, is_paxlst, paxlst_source
from transitguard.services.ports import AlertFilter, HitFilter, JourneyFilter
from transitguard.services.rules import diff as diff_packs
from transitguard.services.rules import dump as dump_pack
from transitguard.services.rules import explain as explain_rule
from transitguard.services.rules import load_full_pack
from transitguard.services.rules import validate as validate_pack
from transitguard.services.screening_files import build_index, load_lists, screen_file
from transitguard.services.violations import violations_on_record

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
ledger_app = typer.Typer(no_args_is_help=True, help="The hash-chained event ledger.")
alert_app = typer.Typer(no_args_is_help=True, help="Work an alert: acknowledge it, resolve it.")
app.add_typer(ledger_app, name="ledger")
app.add_typer(alert_app, name="alert")
watchlist_app = typer.Typer(no_args_is_help=True, help="Watchlists: import a version, list the active ones.")
hit_app = typer.Typer(no_args_is_help=True, help="Screening hits: list them, review one.")
app.add_typer(watchlist_app, name="watchlist")
app.add_typer(hit_app, name="hit")
mrz_app = typer.Typer(no_args_is_help=True, help="ICAO 9303 machine-readable zones.")
app.add_typer(mrz_app, name="mrz")
paxlst_app = typer.Typer(no_args_is_help=True, help="UN/EDIFACT PAXLST passenger and crew lists.")
app.add_typer(paxlst_app, name="paxlst")
freight_app = typer.Typer(no_args_is_help=True, help="Freight consignments against the sanctions rules.")
app.add_typer(freight_app, name="freight")
eligibility_app = typer.Typer(no_args_is_help=True, help="Who may enter Lithuania, on the date, and why not.")
app.add_typer(eligibility_app, name="eligibility")
frtd_app = typer.Typer(no_args_is_help=True, help="FRTD applications: grant or refuse within 24 hours.")
app.add_typer(frtd_app, name="frtd")
rules_app = typer.Typer(no_args_is_help=True, help="The rule pack: validate, dump, diff, explain.")
app.add_typer(rules_app, name="rules")

app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.command("audit")(audit_command)
app.command("serve")(serve_command)
app.command("report")(report_command)
app.add_typer(stats_app, name="stats")
app.command("whatif")(whatif_command)

err = Console(stderr=True)
# Piped output (make demo, a log file) gets a wide page instead of Rich's 80-column default.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)

Format = Literal["table", "jsonl"]


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise typer.BadParameter("--as-of needs a UTC offset, e.g. 2023-05-02T00:00:00+03:00")
    return moment


@contextmanager
def _application(as_of: datetime | None = None) -> Iterator[Application]:
    clock = (lambda: as_of) if as_of else None
    application = bootstrap(os.environ, clock=clock)
    try:
        yield application
    finally:
        application.close()


def _progress() -> Progress:
    return render.progress_bar(err, enabled=err.is_terminal)


def _require_files(*paths: Path) -> None:
    """Exit 1 naming the first path that is not a file, before any work starts."""
    for path in paths:
        if not path.is_file():
            err.print(f"[bold red]error:[/] {path}: no such file", highlight=False)
            raise typer.Exit(1)


def _fail(exc: TransitguardError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}", highlight=False, markup=True)
    raise typer.Exit(1 if exc.http_status < 500 else 2)


def _emit_jsonl(rows: list[dict[str, Any]]) -> None:
    write = sys.stdout.buffer.write
    for row in rows:
        write(orjson.dumps(row) + b"\n")
    sys.stdout.flush()


@app.command()
def ingest(
    files: Annotated[list[str], typer.Argument(help="JSON Lines files of events; - for standard input")],
    batch_size: Annotated[int, typer.Option(min=1, help="Events per transaction")] = DEFAULT_BATCH_SIZE,
    skip_invalid: Annotated[
        Path | None, typer.Option(help="Write invalid lines' errors to this file and go on")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Report each committed batch")] = False,
    as_of: Annotated[str | None, typer.Option(help="Evaluate deadlines at this time (default: now)")] = None,
) -> None:
    """Validate every line, then store the events in the ledger and update journeys and alerts.

    A file with an invalid line stores nothing: the error names the file, the line, the field and the
    reason. A UN/EDIFACT PAXLST file (recognised by its content) is read as one manifest per message.
    Events already in the ledger are skipped (the same event_id with another body is an error).
    Exit status: 0 all stored; 1 invalid input or a refused event (nothing of the file stored, or the
    batches before the refused one); 3 lines rejected under --skip-invalid.
    """
    spooled: list[Path] = []
    sources: list[Source] = []
    for name in files:
        if name == "-":
            with tempfile.NamedTemporaryFile(prefix="tg-stdin-", suffix=".jsonl", delete=False) as handle:
                shutil.copyfileobj(sys.stdin.buffer, handle)
            spooled.append(Path(handle.name))
            sources.append(Source("<stdin>", Path(handle.name)))
        elif not Path(name).is_file():
            err.print(f"[bold red]error:[/] {name}: no such file", highlight=False)
            raise typer.Exit(1)
        else:
            sources.append(Source(name, Path(name)))
    try:
        with _application(_as_of(as_of)) as application, _progress() as progress:
            for index, source in enumerate(sources):
                if is_paxlst(source.path):  # recognised by content, whatever the file is called
                    with tempfile.NamedTemporaryFile(
                        prefix="tg-paxlst-", suffix=".jsonl", delete=False
                    ) as spool:
                        spooled.append(Path(spool.name))
                    sources[index] = paxlst_source(
                        source.name, source.path, application.corridor.corridor, Path(spool.name)
                    )
            task = progress.add_task("ingesting", total=None)

            def on_batch(result: Any, size: int) -> None:
                progress.advance(task, size)
                if verbose:
                    err.print(
                        f"batch committed: {size} events, {result.stored} stored, "
                        f"{result.duplicates} duplicates, ledger head {result.head_seq}",
                        highlight=False,
                    )

            rejects = skip_invalid.open("wb") if skip_invalid else None
            try:
                report = ingest_sources(
                    application.corridor, sources, batch_size=batch_size, rejects=rejects, on_batch=on_batch
                )
            finally:
                if rejects:
                    rejects.close()
    except EventValidationError as exc:
        err.print("[bold red]error:[/] invalid input; nothing was stored", highlight=False)
        for problem in exc.problems[:20]:
            err.print(f"  {problem}", highlight=False, markup=False)
        if len(exc.problems) > 20:
            err.print(f"  ... and {len(exc.problems) - 20} more", highlight=False)
        raise typer.Exit(1) from None
    except TransitguardError as exc:
        _fail(exc)
    finally:
        for path in spooled:
            path.unlink(missing_ok=True)
    err.print(
        f"{report.lines} lines: {report.stored} stored, {report.duplicates} already in the ledger, "
        f"{report.rejected} rejected",
        highlight=False,
    )
    if report.rejected:
        raise typer.Exit(3)


@app.command()
def alerts(
    status: Annotated[str | None, typer.Option(help="open | acknowledged | resolved")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Alert type, e.g. PASSENGER_MISSING")] = None,
    train: Annotated[str | None, typer.Option(help="Train key NUMBER/DATE/DIRECTION")] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    format_: Annotated[Format, typer.Option("--format")] = "table",
) -> None:
    """List alerts, oldest first."""
    if status not in (None, "open", "acknowledged", "resolved"):
        raise typer.BadParameter("--status must be open, acknowledged or resolved")
    if type_ is not None and type_ not in ALERT_TYPES:
        raise typer.BadParameter(f"--type must be one of {', '.join(ALERT_TYPES)}")
    with _application() as application:
        found = application.store.alerts(AlertFilter(status=status, type=type_, train_key=train, limit=limit))
        if format_ == "jsonl":
            rows = alert_rows(application.store, found, load_people_rules(application.pack.path))
    if format_ == "jsonl":
        _emit_jsonl(rows)
    else:
        out.print(render.alerts_table(found))


@app.command()
def journeys(
    status: Annotated[
        str | None, typer.Option(help="expected | in_corridor | completed | missing | ...")
    ] = None,
    train: Annotated[str | None, typer.Option(help="Train key NUMBER/DATE/DIRECTION")] = None,
    service_date: Annotated[str | None, typer.Option("--date", help="Service date YYYY-MM-DD")] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    format_: Annotated[Format, typer.Option("--format")] = "table",
) -> None:
    """List journeys: one person's passage on one train."""
    day = date.fromisoformat(service_date) if service_date else None
    with _application() as application:
        found = application.store.journeys(
            JourneyFilter(status=status, train_key=train, service_date=day, limit=limit)
        )
    if format_ == "jsonl":
        _emit_jsonl([j.as_dict() for j in found])
    else:
        out.print(render.journeys_table(found))


@app.command()
def trains(
    service_date: Annotated[str | None, typer.Option("--date", help="Service date YYYY-MM-DD")] = None,
    format_: Annotated[Format, typer.Option("--format")] = "table",
) -> None:
    """The train board: each train's status and passenger counts against the cap."""
    day = date.fromisoformat(service_date) if service_date else None
    with _application() as application:
        states = application.store.trains(day)
    if format_ == "jsonl":
        _emit_jsonl([s.as_dict() for s in states])
    else:
        out.print(render.trains_table(states))


@ledger_app.command("verify")
def ledger_verify() -> None:
    """Walk the hash chain; name every edited, deleted or reordered row. Exit 1 if any."""
    with _application() as application:
        report = application.store.verify_ledger()
    if report.intact:
        out.print(f"ledger intact: {report.rows} events, head seq {report.head_seq}, hash {report.head_hash}")
        return
    err.print(f"[bold red]ledger NOT intact[/]: {len(report.problems)} problem(s) in {report.rows} rows")
    for problem in report.problems:
        err.print(f"  {problem}", highlight=False, markup=False)
    raise typer.Exit(1)


@app.command()
def rebuild(
    as_of: Annotated[str | None, typer.Option(help="Evaluate deadlines at this time (default: now)")] = None,
) -> None:
    """Recompute journeys, alerts and trains from the ledger alone."""
    with _application(_as_of(as_of)) as application, _progress() as progress:
        tasks: dict[str, Any] = {}

        def on_progress(stage: str, count: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(f"rebuilding {stage}", total=None)
            progress.advance(tasks[stage], count)

        report = application.corridor.rebuild(on_progress)
    err.print(
        f"rebuilt {report.trains} trains, {report.documents} travel documents, "
        f"{report.workflow_events} workflow events",
        highlight=False,
    )


@app.command()
def reconcile(
    as_of: Annotated[str | None, typer.Option(help="Evaluate deadlines at this time (default: now)")] = None,
) -> None:
    """Re-evaluate trains still in the corridor (run it every minute: deadlines pass with no event)."""
    with _application(_as_of(as_of)) as application:
        count = application.corridor.reconcile_open_trains()
    err.print(f"re-evaluated {count} trains in the corridor", highlight=False)


def _workflow(alert_id: str, by: str, outcome: str | None, note: str | None) -> None:
    try:
        with _application() as application:
            transition(application, alert_id, cli_operator(), outcome=outcome, note=note, by=by)
    except TransitguardError as exc:
        _fail(exc)


@alert_app.command("acknowledge")
def alert_acknowledge(
    alert_id: str,
    by: Annotated[str, typer.Option(help="Who takes the alert")],
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """open → acknowledged (recorded in the ledger, with its audit record)."""
    _workflow(alert_id, by, None, note)
    out.print(f"{alert_id} acknowledged by {by}")


@alert_app.command("resolve")
def alert_resolve(
    alert_id: str,
    outcome: Annotated[AlertOutcome, typer.Option(help="found_on_train, absconded, data_error, ...")],
    by: Annotated[str, typer.Option(help="Who resolves it")],
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """open | acknowledged → resolved with an outcome (recorded in the ledger, with its audit record)."""
    _workflow(alert_id, by, outcome, note)
    out.print(f"{alert_id} resolved ({outcome}) by {by}")


@app.command()
def screen(
    lists: Annotated[list[Path], typer.Option("--list", help="A watchlist file (repeat for several)")],
    input_file: Annotated[Path, typer.Option("--input", help="Queries, JSON Lines")],
    output: Annotated[Path, typer.Option("--output", help="Results, JSON Lines")],
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Report matches at or above this score")
    ] = DEFAULT_THRESHOLD,
    limit: Annotated[int, typer.Option(min=1, help="At most this many matches per query")] = 5,
    list_format: Annotated[
        str | None, typer.Option(help="ftm, un, ofac-csv, ofac-xml, eu or csv (default: from the file)")
    ] = None,
) -> None:
    """Screen passenger-style queries against watchlist files (no database needed).

    An input line is {"id", "name", "birth_date"?, "nationality"?, "sex"?, "document_number"?}; an output
    line is {"id", "matches": [{"entity_id", "score", "explanation", "name"}]}, best first.
    """
    _require_files(*lists, input_file)
    try:
        with _progress() as progress:
            task = progress.add_task("reading lists", total=None)
            loaded = load_lists(lists, list_format)
            for listed in loaded:
                for warning in listed.warnings[:5]:
                    err.print(f"warning: {listed.name}: {warning}", highlight=False, markup=False)
            progress.update(task, description="indexing names")
            index = build_index(loaded)
            progress.update(task, description="screening", total=None)
            counts = screen_file(
                index,
                input_file,
                output,
                source=str(input_file),
                threshold=threshold,
                limit=limit,
                on_query=lambda n: progress.advance(task, n),
            )
    except EventValidationError as exc:
        err.print("[bold red]error:[/] invalid queries; no results were written", highlight=False)
        for problem in exc.problems[:20]:
            err.print(f"  {problem}", highlight=False, markup=False)
        raise typer.Exit(1) from None
    except TransitguardError as exc:
        _fail(exc)
    err.print(
        f"screened {counts['queries']} queries against {index.names} names of {len(index.entities)} "
        f"listed persons: {counts['with_matches']} with matches at or above {threshold}",
        highlight=False,
    )


@watchlist_app.command("import")
def watchlist_import(
    name: Annotated[str, typer.Argument(help="The list's name, e.g. eu-fsf or lt-national")],
    path: Annotated[Path, typer.Argument(help="The list file")],
    list_format: Annotated[
        str | None, typer.Option("--format", help="ftm, un, ofac-csv, ofac-xml, eu or csv (default: sniffed)")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Hits at or above this score (default 0.9)")
    ] = None,
) -> None:
    """Make the file the active version of the list (recorded in the ledger) and re-screen every open
    journey and train due against it. A file that does not parse changes nothing."""
    _require_files(path)
    try:
        with _application() as application, _progress() as progress:
            progress.add_task(f"importing {path.name}", total=None)
            report = application.screening.import_list(name, path, list_format, threshold)
    except TransitguardError as exc:
        _fail(exc)
    for warning in report.warnings[:10]:
        err.print(f"warning: {warning}", highlight=False, markup=False)
    if not report.changed:
        out.print(f"{name}: unchanged ({report.version}, {report.entities} entries)")
        return
    out.print(
        f"{name}: version {report.version} active ({report.entities} entries); re-screened "
        f"{report.screened} open journeys: {report.hits} new hits"
    )


@watchlist_app.command("list")
def watchlist_list() -> None:
    """The active version of every list."""
    with _application() as application:
        versions = application.store.watchlists()
    for v in versions:
        out.print(
            f"{v.watchlist}  version {v.version}  {v.entities} entries  {v.format}  from {v.source}  "
            f"threshold {v.threshold}  since {v.updated_at.isoformat()}",
            highlight=False,
        )


@hit_app.command("list")
def hit_list(
    status: Annotated[str | None, typer.Option(help="open | confirmed | false_positive")] = None,
    train: Annotated[str | None, typer.Option(help="Train key NUMBER/DATE/DIRECTION")] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    format_: Annotated[Format, typer.Option("--format")] = "table",
) -> None:
    """Screening hits, oldest first, with the score and the explanation."""
    if status not in (None, "open", "confirmed", "false_positive"):
        raise typer.BadParameter("--status must be open, confirmed or false_positive")
    with _application() as application:
        found = application.store.hits(HitFilter(status=status, train_key=train, limit=limit))
    if format_ == "jsonl":
        _emit_jsonl([h.as_dict() for h in found])
        return
    for h in found:
        out.print(
            f"{h.hit_id}  {h.status:<14}  {h.score:.2f}  {h.name} ~ {h.caption} ({h.watchlist})  "
            f"{h.train_key or ''}",
            highlight=False,
            markup=False,
        )
    if not found:
        out.print("no hits")


@hit_app.command("review")
def hit_review(
    hit_id: str,
    decision: Annotated[
        Literal["confirmed", "false_positive"], typer.Option(help="confirmed | false_positive")
    ],
    by: Annotated[str, typer.Option(help="Who reviewed it")],
    reason: Annotated[str, typer.Option(help="Why (kept in the ledger)")],
) -> None:
    """open → confirmed or false_positive. A false positive is not raised again for the same person
    and listed entry until the entry changes."""
    try:
        with _application() as application:
            hit = application.screening.review(hit_id, decision, by, reason)
    except TransitguardError as exc:
        _fail(exc)
    out.print(f"{hit.hit_id} {hit.status} by {hit.reviewed_by}")


@app.command()
def export(
    kind: Annotated[
        Literal["journeys", "alerts", "hits", "freight"],
        typer.Argument(help="journeys, alerts, hits or freight"),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write")],
    format_: Annotated[Literal["csv", "parquet"], typer.Option("--format", help="csv or parquet")] = "csv",
) -> None:
    """Export journeys, alerts, screening hits or recorded freight decisions as CSV or Parquet (columns:
    docs/exports.md)."""
    try:
        with _application() as application:
            count = export_rows(application.store, kind, format_, output)
    except TransitguardError as exc:
        _fail(exc)
    err.print(f"{count} {kind} written to {output} ({format_})", highlight=False)


@freight_app.command("check")
def freight_check(
    input_file: Annotated[Path, typer.Option("--input", help="Consignments, JSON Lines")],
    output: Annotated[Path, typer.Option("--output", help="Decisions, JSON Lines")],
    baseline: Annotated[
        Path | None, typer.Option(help="CSV cn_prefix,annual_net_mass_kg: the 2019-2021 rail averages")
    ] = None,
    lists: Annotated[
        list[Path] | None, typer.Option("--list", help="Asset-freeze list to screen the parties against")
    ] = None,
    rules_path: Annotated[
        Path | None, typer.Option("--rules", help="A goods rule pack folder (default: the corridor's)")
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Also record the decisions in the ledger (freight.decided)")
    ] = False,
) -> None:
    """Decide each consignment line ALLOW, DENY or HOLD on its date, with the rule, legal basis and
    message (docs/freight.md). Every input line is checked first: a bad line writes no output."""
    _require_files(input_file, *([baseline] if baseline else []), *(lists or []))
    try:
        rules = load_goods_rules(rules_path or DEFAULT_GOODS_PACK)
        with _progress() as progress:
            task = progress.add_task("checking consignments", total=None)
            counts = check_freight_file(
                input_file,
                output,
                baseline=baseline,
                rules=rules,
                index=party_index(lists or []),
                on_line=lambda n: progress.advance(task, n),
            )
        if record:
            entries = decision_events(input_file, output, f"{rules.id} {rules.version}")
            with _application() as application:
                application.corridor.apply_batch(entries)
    except EventValidationError as exc:
        err.print("[bold red]error:[/] invalid consignments; no decisions were written", highlight=False)
        for problem in exc.problems[:20]:
            err.print(f"  {problem}", highlight=False, markup=False)
        raise typer.Exit(1) from None
    except TransitguardError as exc:
        _fail(exc)
    err.print(
        f"{counts['consignments']} consignments ({counts['lines']} lines): {counts['allow']} allowed, "
        f"{counts['deny']} denied, {counts['hold']} held for review (rule pack {counts['rule_pack']})",
        highlight=False,
    )


def _refused_input(exc: EventValidationError, what: str) -> None:
    err.print(f"[bold red]error:[/] invalid {what}; no decisions were written", highlight=False)
    for problem in exc.problems[:20]:
        err.print(f"  {problem}", highlight=False, markup=False)
    raise typer.Exit(1)


@eligibility_app.command("check")
def eligibility_check(
    input_file: Annotated[Path, typer.Option("--input", help="Persons, JSON Lines")],
    output: Annotated[Path, typer.Option("--output", help="Decisions, JSON Lines")],
) -> None:
    """ALLOW or REFUSE entry on each person's date, with the Schengen Borders Code refusal letter and
    the rules (docs/eligibility.md). Every input line is checked first: a bad line writes nothing."""
    _require_files(input_file)
    try:
        with _application() as application:
            rules = load_people_rules(application.pack.path)
        counts = check_eligibility_file(input_file, output, rules=rules)
    except EventValidationError as exc:
        _refused_input(exc, "persons")
    except TransitguardError as exc:
        _fail(exc)
    err.print(
        f"{counts['persons']} persons: {counts['allowed']} allowed, {counts['refused']} refused",
        highlight=False,
    )


@frtd_app.command("decide")
def frtd_decide(
    input_file: Annotated[Path, typer.Option("--input", help="Applications, JSON Lines")],
    output: Annotated[Path, typer.Option("--output", help="Decisions, JSON Lines")],
    lists: Annotated[
        list[Path] | None, typer.Option("--list", help="Watchlist to screen applicants against")
    ] = None,
    now: Annotated[str | None, typer.Option(help="Decide as of this time (default: now)")] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Also record the decisions in the ledger (frtd.decided)")
    ] = False,
) -> None:
    """Grant or refuse each FRTD application (Reg 694/2003 Art 4-6): travel document, entry bans and
    watchlists, earlier violations in this corridor (an absconding confirmed on a PASSENGER_MISSING
    alert). A grant gives the FRTD record the corridor then checks against (docs/eligibility.md)."""
    _require_files(input_file, *(lists or []))
    moment = _as_of(now) or datetime.now(UTC)
    try:
        index = build_index(load_lists(lists)) if lists else None
        with _application() as application:
            violations = violations_on_record(application.store)
            counts = decide_frtd_file(
                input_file,
                output,
                pack=application.pack,
                now=moment,
                screening_index=index,
                violations=violations,
            )
            if record:
                # The manifests' FRTDs are then checked against these records (docs/events.md).
                decisions = [orjson.loads(line) for line in output.read_bytes().splitlines() if line.strip()]
                application.corridor.apply_batch([frtd_decision_event(d) for d in decisions])
    except EventValidationError as exc:
        _refused_input(exc, "applications")
    except TransitguardError as exc:
        _fail(exc)
    err.print(
        f"{counts['applications']} applications: {counts['granted']} granted, {counts['refused']} refused, "
        f"{counts['referred']} referred to an officer, {counts['late']} decided after the 24 h limit",
        highlight=False,
    )


@rules_app.command("validate")
def rules_validate(
    pack: Annotated[str, typer.Argument(help="A pack name or folder")] = "kaliningrad",
) -> None:
    """Load the whole pack (corridor, goods, people) and check it; a pack that fails is named with the
    file and key and never used."""
    try:
        summary = validate_pack(load_full_pack(pack))
    except TransitguardError as exc:
        _fail(exc)
    _emit_jsonl([summary])


@rules_app.command("dump")
def rules_dump(pack: Annotated[str, typer.Argument(help="A pack name or folder")] = "kaliningrad") -> None:
    """The loaded pack as JSON."""
    try:
        dumped = dump_pack(load_full_pack(pack))
    except TransitguardError as exc:
        _fail(exc)
    sys.stdout.buffer.write(orjson.dumps(dumped, option=orjson.OPT_INDENT_2) + b"\n")


@rules_app.command("diff")
def rules_diff(
    old: Annotated[str, typer.Argument(help="The old pack (name or folder)")],
    new: Annotated[str, typer.Argument(help="The new pack (name or folder)")],
) -> None:
    """What changed between two packs: rules added, removed and changed, field by field."""
    try:
        changes = diff_packs(load_full_pack(old), load_full_pack(new))
    except TransitguardError as exc:
        _fail(exc)
    sys.stdout.buffer.write(orjson.dumps(changes, option=orjson.OPT_INDENT_2) + b"\n")


@rules_app.command("explain")
def rules_explain(
    rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. xvii-a")],
    pack: Annotated[str, typer.Option(help="A pack name or folder")] = "kaliningrad",
) -> None:
    """A rule with its legal basis, dates, scope and message."""
    try:
        text = explain_rule(load_full_pack(pack), rule_id)
    except TransitguardError as exc:
        _fail(exc)
    out.print(text, highlight=False, markup=False)


@paxlst_app.command("parse")
def paxlst_parse(
    path: Annotated[Path, typer.Argument(help="A PAXLST file (one or more interchanges)")],
    crew: Annotated[bool, typer.Option("--crew", help="Include crew lists and crew members")] = False,
) -> None:
    """Print each message as one JSON line: for a rail list the body of a manifest.submitted event
    (train, passengers), for air and sea lists the conveyance and the persons. Stores nothing; count
    mismatches (CNT, UNT, UNE, UNZ) are reported on standard error."""
    _require_files(path)
    try:
        with _application() as application:
            corridor = application.corridor.corridor
        messages = read_paxlst(path.read_bytes(), str(path))
        rows = [
            to_manifest_body(m, corridor, include_crew=crew)
            for m in messages
            if crew or m.list_kind != "crew"
        ]
    except TransitguardError as exc:
        _fail(exc)
    for line in warning_lines(messages):
        err.print(f"warning: {line}", highlight=False, markup=False)
    _emit_jsonl(rows)


@paxlst_app.command("write")
def paxlst_write(
    input_file: Annotated[
        Path, typer.Argument(help="JSON lines of manifest bodies (as paxlst parse prints); - for stdin")
    ],
    sender: Annotated[str, typer.Option(help="UNB sender id")] = "TRANSITGUARD",
    recipient: Annotated[str, typer.Option(help="UNB recipient id")] = "LTVSAT",
) -> None:
    """Write manifest bodies (rail lists) as one PAXLST D:05B interchange on standard output."""
    raw = sys.stdin.buffer.read() if str(input_file) == "-" else input_file.read_bytes()
    bodies: list[dict[str, Any]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            body = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            err.print(f"[bold red]error:[/] {input_file}:{number}: not valid JSON: {exc}", highlight=False)
            raise typer.Exit(1) from None
        if not isinstance(body, dict):
            err.print(f"[bold red]error:[/] {input_file}:{number}: expected a JSON object", highlight=False)
            raise typer.Exit(1)
        bodies.append(body)
    try:
        with _application() as application:
            text = write_paxlst(
                bodies,
                sender=sender,
                recipient=recipient,
                prepared_at=datetime.now(UTC),
                corridor=application.corridor.corridor,
            )
    except TransitguardError as exc:
        _fail(exc)
    sys.stdout.write(text)


@mrz_app.command("parse")
def mrz_parse() -> None:
    """Read MRZs from standard input (2 or 3 lines each, blocks separated by a blank line) and print
    one JSON line per document: format, valid, failed_checks, fields. A zone whose check digits fail
    is printed with valid false (exit 0); a block that is not an MRZ at all is named on standard error
    and the exit status is 1."""
    not_zones = 0
    for number, outcome in enumerate(parse_mrz_blocks(sys.stdin.read()), start=1):
        if isinstance(outcome, MrzError):
            not_zones += 1
            err.print(f"block {number}: not an MRZ: {outcome.message}", highlight=False, markup=False)
            continue
        _emit_jsonl([result_as_json(outcome)])
    if not_zones:
        raise typer.Exit(1)


@app.command()
def simulate(
    days: Annotated[int, typer.Option(min=1, help="How many service days")] = 7,
    seed: Annotated[int, typer.Option(help="The same seed gives the same stream")] = 1,
    start: Annotated[str, typer.Option(help="First service date YYYY-MM-DD")] = "2023-05-01",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout)")] = None,
) -> None:
    """Write a simulated event stream for the corridor (JSON Lines)."""
    from transitguard.adapters.sim import SimConfig, write_simulation
    from transitguard.rulepacks import load_rule_pack

    config = SimConfig(start=date.fromisoformat(start), days=days, seed=seed)
    corridor = load_rule_pack(os.environ.get("TRANSITGUARD_RULE_PACK", "kaliningrad")).corridor
    if output:
        with output.open("wb") as handle:
            count = write_simulation(handle, config, corridor)
    else:
        count = write_simulation(sys.stdout.buffer, config, corridor)
        sys.stdout.buffer.flush()
    err.print(f"simulated {days} days from {start} (seed {seed}): {count} events", highlight=False)


@app.command()
def demo(
    days: Annotated[int, typer.Option(min=1)] = 7,
    seed: Annotated[int, typer.Option()] = 1,
    start: Annotated[str, typer.Option(help="First service date YYYY-MM-DD")] = "2023-05-01",
    serve: Annotated[bool, typer.Option(help="Then serve the console with a sign-in per role")] = False,
    host: Annotated[str, typer.Option(help="With --serve: the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="With --serve: the port")] = 8000,
) -> None:
    """Simulate a week of traffic into the database, show the shift lead's summary, and with --serve
    start the console on it."""
    from transitguard.entrypoints.demo import run_demo, serve_demo

    try:
        run_demo(days=days, seed=seed, start=date.fromisoformat(start), out=out, err=err)
        if serve:
            serve_demo(host=host, port=port, out=out)
    except TransitguardError as exc:
        _fail(exc)


def main() -> None:
    # A bulk ingest or rebuild allocates millions of short-lived, acyclic objects while holding a few
    # trains' worth of events: the default collector thresholds spend a third of the time scanning.
    gc.set_threshold(100_000, 50, 100)
    # Errors the user can act on are printed as one clear message, never as a traceback.
    try:
        app()
    except TransitguardError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        sys.exit(1 if exc.http_status < 500 else 2)
    except KeyboardInterrupt:
        err.print("interrupted: nothing of the transaction in flight was written")
        sys.exit(130)
