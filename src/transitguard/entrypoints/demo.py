"""`make demo`: simulate a week of the corridor into SQLite and show what a shift lead needs."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from transitguard.adapters.sim import SimConfig, write_simulation
from transitguard.bootstrap import Application, bootstrap
from transitguard.domain.access import ROLE_TITLES, ROLES, Role
from transitguard.domain.accounts import SYSTEM
from transitguard.entrypoints import render
from transitguard.rulepacks.people import load_people_rules
from transitguard.services.eligibility import would_have_been_entitled
from transitguard.services.ingest import Source, ingest_sources
from transitguard.services.ports import AlertFilter, JourneyFilter

DEMO_DATABASE = Path("var") / "demo.db"


def demo_environ() -> dict[str, str]:
    environ = dict(os.environ)
    if not environ.get("TRANSITGUARD_DATABASE_URL"):
        environ["TRANSITGUARD_DATABASE_URL"] = f"sqlite:///{DEMO_DATABASE}"
    return environ


def run_demo(*, days: int, seed: int, start: date, out: Console, err: Console) -> None:
    environ = demo_environ()
    if not os.environ.get("TRANSITGUARD_DATABASE_URL"):
        # The demo owns this file: start it afresh so the figures are those of this run.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
    application = bootstrap(environ)
    try:
        with tempfile.TemporaryDirectory(prefix="tg-demo-") as folder:
            stream = Path(folder) / "events.jsonl"
            config = SimConfig(start=start, days=days, seed=seed)
            with stream.open("wb") as handle:
                count = write_simulation(handle, config, application.pack.corridor)
            err.print(f"simulated {days} days from {start} (seed {seed}): {count} events", highlight=False)
            with render.progress_bar(err) as progress:
                task = progress.add_task("ingesting through the ledger", total=count)
                report = ingest_sources(
                    application.corridor,
                    [Source(str(stream), stream)],
                    on_batch=lambda _r, n: progress.advance(task, n),
                )
        chain = application.store.verify_ledger()
        states = application.store.trains()
        open_alerts = application.store.alerts(AlertFilter(status="open"))
        missing = application.store.journeys(JourneyFilter(status="missing"))
        all_journeys = application.store.journeys(JourneyFilter())
    finally:
        application.close()

    out.rule(f"[bold]transitguard · {application.pack.corridor.name}")
    out.print(
        f"Database {application.settings.redacted_database_url} · rule pack {application.pack.id} "
        f"{application.pack.version} · {report.stored} events stored · ledger "
        + ("[green]intact[/]" if chain.intact else f"[bold red]BROKEN ({len(chain.problems)} problems)[/]"),
        highlight=False,
    )
    per_train = Counter(a.train.key for a in open_alerts)
    out.print(render.trains_table(states, per_train))

    statuses = Counter(j.status for j in all_journeys)
    people = Table(title="Passengers", title_justify="left")
    people.add_column("status")
    people.add_column("count", justify="right")
    for status in ("completed", "missing", "in_corridor", "refused", "held", "no_show", "expected"):
        if statuses.get(status):
            people.add_row(status, str(statuses[status]))
    people.add_row("[bold]all journeys", f"[bold]{len(all_journeys)}")
    out.print(people)

    by_type = Table(title=f"Open alerts by type ({len(open_alerts)})", title_justify="left")
    by_type.add_column("type")
    for severity in ("critical", "high", "medium", "low"):
        by_type.add_column(severity, justify="right")
    counts = Counter((a.type, a.severity) for a in open_alerts)
    for kind in sorted({a.type for a in open_alerts}):
        by_type.add_row(
            kind, *(str(counts.get((kind, s), "")) for s in ("critical", "high", "medium", "low"))
        )
    out.print(by_type)

    kinds = Counter(j.transit_kind for j in missing)
    out.print(
        f"[bold]{len(missing)} passengers missing[/] (checked in, not out): "
        + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        highlight=False,
    )
    # The seeds' central question: could they have entered anyway (a residence permit, a D visa)?
    rules = load_people_rules(application.pack.path)
    entitled = Counter(
        decision.decision if decision is not None else "unknown"
        for decision in (
            would_have_been_entitled(j, rules, j.entered_at.date())
            for j in missing
            if j.entered_at is not None
        )
    )
    out.print(
        f"of whom [bold]{entitled.get('ALLOW', 0)}[/] would have been entitled to enter Lithuania that day "
        f"and {entitled.get('REFUSE', 0)} would not (an FRTD or FTD covers the transit only)"
        + (f"; {entitled['unknown']} unknown" if entitled.get("unknown") else ""),
        highlight=False,
    )
    out.print(render.journeys_table(missing[:10], title="First missing passengers"))
    out.print(
        "Next: transitguard alerts --status open · transitguard journeys --status missing · "
        "transitguard ledger verify   (TRANSITGUARD_DATABASE_URL=sqlite:///var/demo.db)",
        highlight=False,
    )


def demo_users(application: Application) -> list[tuple[str, str, Role]]:
    """One user per role, each with a fresh random password: (username, password, role). An existing
    demo user gets a new password, so what is printed always works."""
    created: list[tuple[str, str, Role]] = []
    for role in ROLES:
        if role == "feed":
            continue  # a machine client: it gets a token, not a password
        username = f"demo.{role}"
        password = secrets.token_urlsafe(12)
        if application.accounts.accounts.user(username) is None:
            application.accounts.create_user(
                username, password, [role], display_name=f"Demo {ROLE_TITLES[role]}"
            )
        else:
            application.accounts.set_password(username, password, by=SYSTEM)
        created.append((username, password, role))
    return created


def serve_demo(*, host: str, port: int, out: Console) -> None:
    """The console on the demo database, with a printed sign-in per role (the passwords are new at
    each run, so a demo left running on a shared network is not open to anyone who read the README)."""
    import uvicorn

    from transitguard.entrypoints.api.app import create_app

    application = bootstrap(demo_environ())
    logins = demo_users(application)
    token, _ = application.accounts.create_token("demo feed", "feed")
    table = Table(title=f"Console: http://{host}:{port}/  (Ctrl-C stops it)", title_justify="left")
    for column in ("role", "username", "password"):
        table.add_column(column)
    for username, password, role in logins:
        table.add_row(ROLE_TITLES[role], username, password)
    out.print(table)
    out.print(f"API token of a demo feed (role feed): {token}", highlight=False)
    app = create_app(application, close_on_shutdown=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
