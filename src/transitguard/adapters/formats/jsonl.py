"""JSON Lines event files: each line one event. Parsing never raises on bad input; it reports a
Problem that names the source, the line, the field and the reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from transitguard.domain.corridor import Corridor
from transitguard.domain.events import EVENT_ADAPTER, EVENT_TYPES, Event, PassengerChecked, TrainCrossed
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


def _reason(error: dict[str, object]) -> str:
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "extra_forbidden":
        return "unknown field (not in the event contract)"
    if error.get("type") == "missing":
        return "required field is missing"
    return message.removeprefix("Value error, ")


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


def parse_line(raw: bytes | str, source: str, line: int, corridor: Corridor) -> ParsedLine | Problem:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Problem(source, line, "", f"not valid JSON: {exc}")
    if not isinstance(data, dict):
        return Problem(source, line, "", "expected a JSON object (one event per line)")
    event_type = data.get("type")
    if event_type is None:
        return Problem(source, line, "type", "required field is missing")
    if event_type not in EVENT_TYPES:
        known = ", ".join(EVENT_TYPES)
        return Problem(source, line, "type", f"unknown event type {event_type!r} (known: {known})")
    try:
        event = EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        return Problem(source, line, _field_path(tuple(first["loc"]), str(event_type)), _reason(dict(first)))
    problem = corridor_problem(event, corridor)
    if problem is not None:
        return Problem(source, line, problem[0], problem[1])
    return ParsedLine(source, line, LedgerEntry.of(event))


def parse_lines(lines: Iterable[bytes], source: str, corridor: Corridor) -> Iterator[ParsedLine | Problem]:
    """Parse a stream of lines; blank lines are skipped (but still counted for line numbers)."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        yield parse_line(raw, source, number, corridor)
