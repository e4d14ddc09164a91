"""`transitguard user|token|audit|serve`: accounts, machine tokens, the audit trail, the web server.

Run by whoever administers the machine (shell access is already the keys to the database): changes
are recorded in the audit trail as made by `cli:<login name>`.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from transitguard.bootstrap import Application, bootstrap
from transitguard.domain.access import ROLES
from transitguard.domain.accounts import Principal
from transitguard.errors import InputError, TransitguardError

user_app = typer.Typer(no_args_is_help=True, help="Users of the console and the API: create, list, change.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens for machine clients: create, list, revoke.")

err = Console(stderr=True)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def cli_operator() -> Principal:
    name = f"cli:{getpass.getuser()}"
    return Principal(actor=name, display_name=name, roles=("admin",), permissions=frozenset(), via="cli")


@contextmanager
def _application() -> Iterator[Application]:
    application = bootstrap(os.environ)
    try:
        yield application
    except TransitguardError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        raise typer.Exit(1 if exc.http_status < 500 else 2) from None
    finally:
        application.close()


def _roles(values: list[str]) -> list[str]:
    for value in values:
        if value not in ROLES:
            raise typer.BadParameter(f"{value!r} is not a role ({', '.join(ROLES)})")
    return values


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ")
    return first


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[list[str], typer.Option("--role", help="A role (repeat for several)")],
    display_name: Annotated[str | None, typer.Option(help="The name shown in the console")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Create a user (the password is asked for, never given on the command line)."""
    roles = _roles(role)
    with _application() as application:
        password = _read_password(password_stdin)
        application.accounts.create_user(
            username, password, roles, display_name=display_name, by=cli_operator()
        )
    out.print(f"user {username} created with roles {', '.join(roles)}", highlight=False)


@user_app.command("list")
def user_list() -> None:
    """Users, their roles, and whether they are disabled or locked."""
    with _application() as application:
        users = application.accounts.accounts.users()
        now = application.clock()
    table = Table(title="Users", title_justify="left")
    for column in ("username", "name", "roles", "state"):
        table.add_column(column)
    for user in users:
        state = (
            "disabled"
            if user.disabled
            else ("locked" if user.locked_until and user.locked_until > now else "")
        )
        table.add_row(user.username, user.display_name, ", ".join(user.roles), state)
    out.print(table)


@user_app.command("roles")
def user_roles(
    username: str,
    role: Annotated[list[str], typer.Option("--role", help="The new roles (repeat for several)")],
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit trail)")] = None,
) -> None:
    """Replace a user's roles (their sessions end: the new rights apply at the next sign-in)."""
    with _application() as application:
        application.accounts.set_roles(username, _roles(role), by=cli_operator(), reason=reason)
    out.print(f"{username}: roles {', '.join(role)}", highlight=False)


@user_app.command("disable")
def user_disable(
    username: str,
    enable: Annotated[bool, typer.Option("--enable", help="Enable again instead")] = False,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit trail)")] = None,
) -> None:
    """Disable a user (ends their sessions), or --enable again (also lifts a lockout)."""
    with _application() as application:
        application.accounts.set_disabled(username, not enable, by=cli_operator(), reason=reason)
    out.print(f"{username}: {'enabled' if enable else 'disabled'}", highlight=False)


@user_app.command("password")
def user_password(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Set a user's password (ends their sessions, lifts a lockout)."""
    with _application() as application:
        application.accounts.set_password(username, _read_password(password_stdin), by=cli_operator())
    out.print(f"{username}: password set", highlight=False)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who uses it, e.g. 'LTG passenger-list feed'")],
    role: Annotated[str, typer.Option(help="The role it acts in (usually feed)")] = "feed",
    scope: Annotated[list[str] | None, typer.Option("--scope", help="Narrow to these permissions")] = None,
    expires: Annotated[
        str | None, typer.Option(help="RFC 3339 expiry, e.g. 2027-01-01T00:00:00+00:00")
    ] = None,
) -> None:
    """Create an API token and print it once (only its hash is kept)."""
    _roles([role])
    expires_at = datetime.fromisoformat(expires) if expires else None
    if expires_at is not None and expires_at.tzinfo is None:
        raise typer.BadParameter("--expires needs a UTC offset")
    with _application() as application:
        token, record = application.accounts.create_token(
            name, role, scopes=scope, expires_at=expires_at, by=cli_operator()
        )
    err.print(f"token {record.token_id} for {record.name!r} ({role}); shown this once:", highlight=False)
    out.print(token, highlight=False)


@token_app.command("list")
def token_list() -> None:
    with _application() as application:
        tokens = application.accounts.accounts.tokens()
    table = Table(title="API tokens", title_justify="left")
    for column in ("id", "name", "role", "scopes", "created", "expires", "revoked"):
        table.add_column(column)
    for t in tokens:
        table.add_row(
            t.token_id,
            t.name,
            t.role,
            str(len(t.scopes)),
            t.created_at.isoformat(timespec="seconds"),
            t.expires_at.isoformat(timespec="seconds") if t.expires_at else "",
            t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else "",
        )
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: str, reason: Annotated[str | None, typer.Option(help="Why (kept in the audit trail)")] = None
) -> None:
    with _application() as application:
        application.accounts.revoke_token(token_id, by=cli_operator(), reason=reason)
    out.print(f"token {token_id} revoked", highlight=False)


def audit(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    actor: Annotated[str | None, typer.Option(help="Only this user (or token:<id>)")] = None,
) -> None:
    """The audit trail, newest first, as JSON Lines: who did or saw what, when and why."""
    with _application() as application:
        records = application.audit.recent(limit=limit, actor=actor)
    for record in records:
        row = {
            "seq": record.seq,
            "recorded_at": record.recorded_at.isoformat(),
            **record.event.model_dump(mode="json", exclude_none=True),
        }
        sys.stdout.buffer.write(orjson.dumps(row) + b"\n")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    https: Annotated[bool, typer.Option(help="Behind TLS: mark cookies Secure, send HSTS")] = False,
) -> None:
    """Serve the HTTP API (/api/v1) and the console (/)."""
    import uvicorn

    from transitguard.entrypoints.api.app import create_app

    application = bootstrap(os.environ)
    app = create_app(application, https=https, close_on_shutdown=True)
    err.print(
        f"transitguard on http://{host}:{port}/  (API: /api/v1, OpenAPI: /api/openapi.json)", highlight=False
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
