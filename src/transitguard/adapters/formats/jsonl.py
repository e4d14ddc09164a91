"""JSON Lines event files: each line one event. Parsing never raises on bad input; it reports a
Problem that names the source, the line, the field and the reason."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from transitguard.adapters.formats.mrz import MrzError, parse_mrz
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import (
    EVENT_TYPES,
    DocumentRef,
    Event,
    PassengerChecked,
    TrainCrossed,
    parse_event_json,
)
from transitguard.domain.ledger import LedgerEntry
from transitguard.errors import Problem


@dataclass(frozen=True)
class ParsedLine:
    source: str
    line: int
    entry: LedgerEntry


def _field_path(loc: tuple[int | str, ...], event_type: str | None) -> str:
    parts: list[str] = []
    for index, part in enumerate(loc):
        if index == 0 and part == event_type:
            continue  # pydantic names the union member first; the user never wrote that
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts)


def _reason(error: Mapping[str, Any]) -> str:
    kind = error.get("type")
    value = error.get("input")
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    detail = message.split(", ", 1)[1] if ", " in message else message
    if kind == "extra_forbidden":
        return "unknown field (not in the event contract)"
    if kind == "missing":
        return "required field is missing"
    if kind == "date_parsing":
        if "outside expected range" in detail or "out of range" in detail:
            return f"{value!r} is an impossible date ({detail})"
        return f"{value!r} is not a date in the form YYYY-MM-DD ({detail})"
    if kind == "date_type":
        return f"{value!r} is not a date in the form YYYY-MM-DD"
    if kind == "timezone_aware":
        return f"{value!r} has no UTC offset (RFC 3339 needs one, e.g. +03:00 or Z)"
    if kind in ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"):
        if "outside expected range" in detail or "out of range" in detail:
            return f"{value!r} is an impossible time ({detail})"
        return f"{value!r} is not an RFC 3339 timestamp with offset, e.g. 2023-05-01T10:15:00+03:00"
    return message


def corridor_problem(event: Event, corridor: Corridor) -> tuple[str, str] | None:
    """Checks that need the corridor definition: (field, reason) or None."""
    if isinstance(event, TrainCrossed | PassengerChecked):
        if event.checkpoint not in corridor.checkpoint_codes:
            known = ", ".join(sorted(corridor.checkpoint_codes))
            return "checkpoint", f"unknown checkpoint {event.checkpoint!r} (known: {known})"
        route = corridor.directions[event.train.direction]
        expected = route.entry if event.movement == "entry" else route.exit
        if event.checkpoint != expected:
            return "checkpoint", (
                f"a train going {event.train.direction} makes its {event.movement} at {expected}, "
                f"not {event.checkpoint}"
            )
    return None


def _event_or_problem(raw: bytes | str, source: str, line: int, corridor: Corridor) -> Event | Problem:
    try:
        event = parse_event_json(raw)
    except ValidationError as exc:
        return _explain(raw, exc, source, line)
    problem = corridor_problem(event, corridor)
    if problem is None and isinstance(event, PassengerChecked) and event.mrz is not None:
        read = with_mrz_document(event)
        if isinstance(read, tuple):
            problem = read
        else:
            event = read
    return Problem(source, line, problem[0], problem[1]) if problem is not None else event


def with_mrz_document(event: PassengerChecked) -> PassengerChecked | tuple[str, str]:
    """The check with its travel document read from the scanned MRZ, or (field, reason). A damaged
    scan is refused with what failed, never guessed: the officer rescans."""
    if event.mrz is None:
        return event
    try:
        zone = parse_mrz(event.mrz)
    except MrzError as exc:
        return "mrz", f"not a machine-readable zone: {exc.message}"
    if not zone.valid:
        details = "; ".join(zone.problems) or ", ".join(zone.failed_checks)
        return "mrz", f"the scan fails its check digits ({details}); scan it again"
    read = DocumentRef(number=zone.fields.document_number, issuing_state=zone.fields.issuing_state)
    given = event.travel_document
    if given is not None and given.key != read.key:
        return "travel_document", f"{given.key} is not the document in the MRZ ({read.key})"
    return event.model_copy(update={"travel_document": read})


def parse_line(raw: bytes | str, source: str, line: int, corridor: Corridor) -> ParsedLine | Problem:
    found = _event_or_problem(raw, source, line, corridor)
    return found if isinstance(found, Problem) else ParsedLine(source, line, LedgerEntry.of(found))


def check_line(raw: bytes | str, source: str, line: int, corridor: Corridor) -> Event | Problem:
    """Validate one line without preparing its ledger entry: the event or a Problem."""
    return _event_or_problem(raw, source, line, corridor)


def check_lines(lines: Iterable[bytes], source: str, corridor: Corridor) -> Iterator[Event | Problem]:
    """Validate without preparing ledger entries (the whole-input check of an ingest): the event or
    a Problem per non-blank line."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        yield _event_or_problem(raw, source, number, corridor)


def events_of(lines: Iterable[tuple[str, int, bytes]], corridor: Corridor) -> Iterator[Event]:
    """The events of lines already checked (source, line number, bytes), without preparing them for
    the ledger."""
    for source, number, raw in lines:
        found = _event_or_problem(raw, source, number, corridor)
        if isinstance(found, Problem):  # pragma: no cover - the lines were checked
            raise ValueError(f"{source}:{number}: {found.reason}")
        yield found


def _explain(raw: bytes | str, exc: ValidationError, source: str, line: int) -> Problem:
    """The slow path, for rejected lines only: say what is wrong in the producer's terms."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as decode_error:
        return Problem(source, line, "", f"not valid JSON: {decode_error}")
    if not isinstance(data, dict):
        return Problem(source, line, "", "expected a JSON object (one event per line)")
    event_type = data.get("type")
    if event_type is None:
        return Problem(source, line, "type", "required field is missing")
    if event_type not in EVENT_TYPES:
        known = ", ".join(EVENT_TYPES)
        return Problem(source, line, "type", f"unknown event type {event_type!r} (known: {known})")
    first = exc.errors()[0]
    return Problem(source, line, _field_path(tuple(first["loc"]), str(event_type)), _reason(first))


def parse_lines(lines: Iterable[bytes], source: str, corridor: Corridor) -> Iterator[ParsedLine | Problem]:
    """Parse a stream of lines; blank lines are skipped (but still counted for line numbers)."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        yield parse_line(raw, source, number, corridor)


def write_lines_atomically(output: Path, rows: Iterable[Any]) -> None:
    """Write each row as a JSON line to a temporary file beside `output`, renamed into place once all
    are written: a failure (a bad row, an interrupt) leaves no half-written output behind."""
    directory = output.parent if str(output.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for row in rows:
                handle.write(orjson.dumps(row) + b"\n")
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
