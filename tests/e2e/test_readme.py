"""The README's quick tour runs as written, in a fresh folder; every CLI command is documented."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from transitguard.entrypoints.cli import (
    alert_app,
    app,
    eligibility_app,
    freight_app,
    frtd_app,
    hit_app,
    ledger_app,
    mrz_app,
    paxlst_app,
    rules_app,
    watchlist_app,
)
from transitguard.entrypoints.cli_accounts import token_app, user_app

README = Path(__file__).resolve().parents[2] / "README.md"


def tour() -> list[list[str]]:
    block = re.search(r"```console\n(.+?)\n```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert block, "README has no console block"
    return [
        shlex.split(line.removeprefix("$ ")) for line in block.group(1).splitlines() if line.startswith("$ ")
    ]


def test_the_quick_tour_runs(tmp_path: Path) -> None:
    env = {**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'tour.db'}"}
    commands = tour()
    assert len(commands) >= 6
    outputs = []
    for command in commands:
        assert command[0] == "transitguard"
        done = subprocess.run(
            [sys.executable, "-m", "transitguard", *command[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"
        outputs.append(done.stdout + done.stderr)
    joined = "\n".join(outputs)
    assert "PASSENGER_MISSING" in joined
    assert "ledger intact" in joined


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    names += [f"ledger {c.name or c.callback.__name__}" for c in ledger_app.registered_commands]  # type: ignore[union-attr]
    names += [f"alert {c.name or c.callback.__name__}" for c in alert_app.registered_commands]  # type: ignore[union-attr]
    names += [f"watchlist {c.name}" for c in watchlist_app.registered_commands]
    names += [f"hit {c.name}" for c in hit_app.registered_commands]
    names += [f"mrz {c.name}" for c in mrz_app.registered_commands]
    names += [f"paxlst {c.name}" for c in paxlst_app.registered_commands]
    names += [f"freight {c.name}" for c in freight_app.registered_commands]
    names += [f"eligibility {c.name}" for c in eligibility_app.registered_commands]
    names += [f"frtd {c.name}" for c in frtd_app.registered_commands]
    names += [f"rules {c.name}" for c in rules_app.registered_commands]
    names += [f"user {c.name}" for c in user_app.registered_commands]
    names += [f"token {c.name}" for c in token_app.registered_commands]
    missing = [n for n in names if f"transitguard {n}" not in text and f"make {n}" not in text]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    settings = (Path(__file__).resolve().parents[2] / "src" / "transitguard" / "settings.py").read_text()
    names = set(re.findall(r'environ\.get\("([A-Z_]+)"', settings))
    assert names >= {"TRANSITGUARD_DATABASE_URL", "TRANSITGUARD_RULE_PACK"}
    text = README.read_text(encoding="utf-8")
    assert [n for n in sorted(names) if f"`{n}`" not in text] == []


def test_the_screening_example_runs_as_written(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    queries = re.search(r"```json passengers.jsonl\n(.+?)\n```", text, flags=re.DOTALL)
    command = re.search(r"```console screening\n\$ (.+?)\n```", text, flags=re.DOTALL)
    assert queries
    assert command
    (tmp_path / "passengers.jsonl").write_text(queries.group(1) + "\n", encoding="utf-8")
    shared = README.parent.parent / "shared"
    argv = shlex.split(command.group(1).replace("../shared/", f"{shared}/"))
    assert argv[0] == "transitguard"
    done = subprocess.run(
        [sys.executable, "-m", "transitguard", *argv[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TRANSITGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}"},
    )
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "hits.jsonl").read_text(encoding="utf-8").splitlines()
    results = {r["id"]: r for r in map(json.loads, lines)}
    assert [m["name"] for m in results["p1"]["matches"]][:1] == ["Татьяна Владимировна ЖУРАВЛЕВА"]
    assert results["p2"]["matches"] == []
