"""Users, tokens and the audit trail from the command line, as an administrator uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from transitguard.bootstrap import bootstrap

CLI = [sys.executable, "-m", "transitguard"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}", "COLUMNS": "200"}


def tg(
    env: dict[str, str], *args: str, stdin: str | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*CLI, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if ok:
        assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def test_an_administrator_creates_changes_and_disables_a_user(env: dict[str, str]) -> None:
    tg(
        env,
        "user",
        "create",
        "r.kazlauskas",
        "--role",
        "border_guard",
        "--display-name",
        "R. Kazlauskas",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    listed = tg(env, "user", "list").stdout
    assert "r.kazlauskas" in listed
    assert "border_guard" in listed
    tg(env, "user", "roles", "r.kazlauskas", "--role", "supervisor", "--reason", "promoted")
    tg(env, "user", "disable", "r.kazlauskas", "--reason", "left the service")
    assert "disabled" in tg(env, "user", "list").stdout

    application = bootstrap(env)
    try:
        user = application.accounts.accounts.user("r.kazlauskas")
        assert user is not None
        assert user.roles == ("supervisor",)
        assert user.password_hash.startswith("$argon2id$")  # never the password itself
        assert "a long enough password" not in user.password_hash
    finally:
        application.close()

    trail = [orjson.loads(line) for line in tg(env, "audit", "--limit", "10").stdout.splitlines()]
    actions = [(r["action"], r.get("subject"), r.get("reason")) for r in trail]
    assert actions[:3] == [
        ("user.disable", "r.kazlauskas", "left the service"),
        ("user.roles", "r.kazlauskas", "promoted"),
        ("user.create", "r.kazlauskas", None),
    ]
    assert all(r["actor"].startswith("cli:") for r in trail)
    assert "ledger intact" in tg(env, "ledger", "verify").stdout + tg(env, "ledger", "verify").stderr


def test_bad_user_input_is_refused_with_the_reason(env: dict[str, str]) -> None:
    short = tg(
        env, "user", "create", "x", "--role", "border_guard", "--password-stdin", stdin="short\n", ok=False
    )
    assert short.returncode == 1
    assert "password: at least 12 characters" in short.stderr
    role = tg(
        env,
        "user",
        "create",
        "x",
        "--role",
        "pilot",
        "--password-stdin",
        stdin="a long enough password\n",
        ok=False,
    )
    assert role.returncode != 0
    assert "'pilot' is not a role" in role.stderr
    missing = tg(env, "user", "roles", "nobody", "--role", "analyst", ok=False)
    assert "no user 'nobody'" in missing.stderr


def test_a_token_is_printed_once_works_and_stops_working_when_revoked(env: dict[str, str]) -> None:
    done = tg(env, "token", "create", "LTG passenger feed", "--role", "feed")
    token = done.stdout.strip()
    assert token.startswith("tg_")
    token_id = token.removeprefix("tg_").split("_", 1)[0]
    assert token_id in tg(env, "token", "list").stdout
    application = bootstrap(env)
    try:
        assert token not in str(application.accounts.accounts.token(token_id))  # only its hash is kept
        who = application.accounts.token_principal(token)
        assert who is not None
        assert who.may("events.write")
        assert not who.may("journeys.read")
    finally:
        application.close()
    tg(env, "token", "revoke", token_id, "--reason", "feed replaced")
    application = bootstrap(env)
    try:
        assert application.accounts.token_principal(token) is None
    finally:
        application.close()


def test_a_token_cannot_be_scoped_beyond_its_role(env: dict[str, str]) -> None:
    done = tg(env, "token", "create", "scanner", "--role", "feed", "--scope", "journeys.read", ok=False)
    assert done.returncode == 1
    assert "the role feed does not hold 'journeys.read'" in done.stderr
