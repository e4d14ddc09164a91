"""Border data formats from the command line: MRZ zones from standard input."""

from __future__ import annotations

from pathlib import Path

import orjson
from test_cli import env, tg  # noqa: F401 - the fixture and helper shared by the e2e tests

GOOD = "P<RUSIVANOV<<ANDREI<<<<<<<<<<<<<<<<<<<<<<<<<\n7512345672RUS8503127M3001019<<<<<<<<<<<<<<06"
MISREAD = GOOD.replace("7512345672RUS", "7512845672RUS")


def test_mrz_parse_prints_one_line_per_zone_and_names_the_failed_checks(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    done = tg(env, "mrz", "parse", stdin=f"{GOOD}\n\n{MISREAD}\n".encode())
    good, misread = (orjson.loads(line) for line in done.stdout.splitlines())
    assert (good["format"], good["valid"], good["failed_checks"]) == ("TD3", True, [])
    assert good["fields"]["document_number"] == "751234567"
    assert good["fields"]["birth_date"] == "1985-03-12"
    assert (good["fields"]["surname"], good["fields"]["given_names"]) == ("IVANOV", "ANDREI")
    assert (misread["valid"], misread["failed_checks"]) == (False, ["document_number", "composite"])


def test_a_block_that_is_not_an_mrz_is_named_and_the_exit_status_says_so(
    env: dict[str, str],  # noqa: F811
) -> None:
    done = tg(env, "mrz", "parse", stdin=f"{GOOD}\n\nhello\nworld\n".encode(), ok=False)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 1
    assert "block 2: not an MRZ: line 1" in done.stderr
