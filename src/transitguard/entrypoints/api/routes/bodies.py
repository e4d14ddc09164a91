"""Request bodies that carry files: JSON Lines, or a JSON array of the same objects, up to a size.

The file services (freight, eligibility, FRTD, watchlists) read files, as the CLI gives them; a route
writes the body to a temporary folder, calls the service, and names problems by the request's line
(the array's position, from 1) instead of the temporary file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from fastapi import Request

from transitguard.errors import EventValidationError, InputError, Problem

SOURCE = "request"
MAX_BYTES = 32 * 1024 * 1024


async def body_of(request: Request, max_bytes: int = MAX_BYTES) -> bytes:
    too_large = f"body: larger than {max_bytes // (1024 * 1024)} MiB; send it in several requests"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise InputError(too_large)
    data = await request.body()
    if len(data) > max_bytes:
        raise InputError(too_large)
    return data


def as_json_lines(data: bytes, *, max_items: int) -> bytes:
    """JSON Lines as they are, or a JSON array (or one object) as JSON Lines; at most `max_items`."""
    stripped = data.lstrip()
    if stripped[:1] == b"[":
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise EventValidationError([Problem(SOURCE, 1, "", f"not JSON: {exc}")]) from None
        items: list[Any] = decoded if isinstance(decoded, list) else [decoded]
        lines = [orjson.dumps(item) for item in items]
    else:
        lines = data.splitlines()
    if sum(1 for line in lines if line.strip()) > max_items:
        raise InputError(f"body: more than {max_items} items; send them in several requests")
    if not any(line.strip() for line in lines):
        raise EventValidationError([Problem(SOURCE, 1, "", "the body is empty: send JSON Lines or an array")])
    return b"\n".join(lines) + b"\n"


@contextmanager
def request_files(data: bytes, name: str = "input.jsonl") -> Iterator[tuple[Path, Path]]:
    """(the body as a file, a path for the output) in a temporary folder removed afterwards. Problems
    raised inside name the request, not the temporary file."""
    with tempfile.TemporaryDirectory(prefix="tg-api-") as folder:
        source = Path(folder) / name
        source.write_bytes(data)
        try:
            yield source, Path(folder) / "output.jsonl"
        except EventValidationError as exc:
            raise EventValidationError([replace(p, source=SOURCE) for p in exc.problems]) from None


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
