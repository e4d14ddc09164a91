"""Bulk screening of a query file against list files: `transitguard screen`.

Queries are JSON Lines `{"id", "name", "birth_date"?, "nationality"?, "sex"?, "document_number"?}`;
results are JSON Lines `{"id", "matches": [{"entity_id", "score", "explanation", ...}]}`, matches at or
above the threshold, best first. Every query line is checked before any result is written, and the
results go to a temporary file renamed into place at the end: a bad line leaves no output file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from transitguard.adapters.formats.jsonl import write_lines_atomically
from transitguard.adapters.lists import read_list
from transitguard.domain.watchlists import ListedEntity, PartialDate
from transitguard.engines.screening import DEFAULT_THRESHOLD, Query, ScreeningIndex
from transitguard.errors import EventValidationError, Problem

_FIELDS = {"id", "name", "birth_date", "nationality", "sex", "document_number"}


@dataclass(frozen=True)
class LoadedList:
    name: str
    path: Path
    entities: tuple[ListedEntity, ...]
    warnings: tuple[str, ...]


def load_lists(paths: Sequence[Path], fmt: str | None = None) -> list[LoadedList]:
    loaded = []
    for path in paths:
        read = read_list(path, fmt)
        loaded.append(LoadedList(path.name, path, read.entities, read.warnings))
    return loaded


def build_index(lists: Sequence[LoadedList]) -> ScreeningIndex:
    return ScreeningIndex.build(entity for listed in lists for entity in listed.entities)


def _query(raw: bytes, source: str, line: int) -> Query | Problem:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Problem(source, line, "", f"not valid JSON: {exc}")
    if not isinstance(data, dict):
        return Problem(source, line, "", "expected a JSON object (one query per line)")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        return Problem(source, line, unknown[0], "unknown field (known: " + ", ".join(sorted(_FIELDS)) + ")")
    for name in ("id", "name"):
        value = data.get(name)
        if isinstance(value, int) and name == "id" and not isinstance(value, bool):
            data[name] = str(value)
        elif not isinstance(value, str) or not value.strip():
            return Problem(source, line, name, "required field is missing or empty")
    for name in _FIELDS - {"id", "name"}:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            return Problem(source, line, name, f"expected a string, got {type(value).__name__}")
    birth = data.get("birth_date")
    if birth:
        try:
            PartialDate.parse(birth)
        except ValueError as exc:
            return Problem(source, line, "birth_date", str(exc))
    sex = data.get("sex")
    if sex and sex.upper() not in ("M", "F", "X", "U"):
        return Problem(source, line, "sex", f"{sex!r} is not M, F or X")
    return Query(
        id=data["id"],
        name=data["name"],
        birth_date=birth or None,
        nationality=data.get("nationality") or None,
        sex=sex or None,
        document_number=data.get("document_number") or None,
    )


def read_queries(path: Path, source: str) -> Iterator[tuple[int, Query | Problem]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, _query(raw, source, number)


def check_queries(path: Path, source: str) -> int:
    """Count the queries; raise EventValidationError naming every bad line (up to 100)."""
    problems: list[Problem] = []
    count = 0
    for _, item in read_queries(path, source):
        if isinstance(item, Problem):
            if len(problems) < 100:
                problems.append(item)
        else:
            count += 1
    if problems:
        raise EventValidationError(problems)
    return count


def screen_file(
    index: ScreeningIndex,
    queries: Path,
    output: Path,
    *,
    source: str,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
    on_query: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Screen every query; write the results atomically. Returns counts for the summary line."""
    total = check_queries(queries, source)
    hits = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal hits
        for _, query in read_queries(queries, source):
            if isinstance(query, Problem):  # the file changed since it was checked
                raise EventValidationError([query])
            matches = index.screen(query, threshold=threshold, limit=limit)
            hits += bool(matches)
            if on_query is not None:
                on_query(1)
            yield {
                "id": query.id,
                "matches": [
                    {"entity_id": m.entity_id, "score": m.score, "explanation": m.explanation, "name": m.name}
                    for m in matches
                ],
            }

    write_lines_atomically(output, rows())
    return {"queries": total, "with_matches": hits}
