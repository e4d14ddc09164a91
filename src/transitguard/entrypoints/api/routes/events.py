"""Events in: the event contract (JSON Lines or a JSON array), PAXLST lists, MRZ scans.

A request is one batch: every line is validated first and a bad line refuses the whole request, naming
line, field and reason (as `transitguard ingest` does). Only the corridor's facts come in here
(manifest.submitted, train.crossed, passenger.checked, train.stopped); decisions, alert transitions and
audit records are made through their own routes, by a signed-in person the ledger then names.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from transitguard.adapters.formats.jsonl import ParsedLine, parse_line
from transitguard.adapters.formats.mrz import parse_mrz, result_as_json
from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.errors import EventValidationError, InputError, Problem
from transitguard.services.ingest import paxlst_source

router = APIRouter(tags=["events"])

FEED_TYPES = frozenset({"manifest.submitted", "train.crossed", "passenger.checked", "train.stopped"})
MAX_EVENTS = 50_000
MAX_BYTES = 64 * 1024 * 1024
SOURCE = "request"


class BatchResult(BaseModel):
    received: int = Field(description="events in the request")
    stored: int = Field(description="new events appended to the ledger")
    duplicates: int = Field(description="events already in the ledger with the same body")
    trains: int = Field(description="trains whose journeys and alerts were brought up to date")
    head_seq: int = Field(description="the ledger's last sequence number after this batch")


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
        raise InputError(f"body: larger than {MAX_BYTES // (1024 * 1024)} MiB; send it in several requests")
    data = await request.body()
    if len(data) > MAX_BYTES:
        raise InputError(f"body: larger than {MAX_BYTES // (1024 * 1024)} MiB; send it in several requests")
    return data


def _lines(data: bytes, content_type: str) -> list[bytes]:
    """JSON Lines, or one JSON array of events, or one event object."""
    stripped = data.lstrip()
    if content_type.startswith("application/json") or stripped[:1] == b"[":
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise EventValidationError([Problem(SOURCE, 1, "", f"not JSON: {exc}")]) from None
        items = decoded if isinstance(decoded, list) else [decoded]
        return [orjson.dumps(item) for item in items]
    return data.splitlines()


def _parsed(app_lines: list[bytes], request: Request) -> list[ParsedLine]:
    corridor = application(request).corridor.corridor
    parsed: list[ParsedLine] = []
    problems: list[Problem] = []
    for number, raw in enumerate(app_lines, start=1):
        if not raw.strip():
            continue
        found = parse_line(raw, SOURCE, number, corridor)
        if isinstance(found, Problem):
            problems.append(found)
        elif found.entry.type not in FEED_TYPES:
            problems.append(
                Problem(
                    SOURCE, number, "type", f"{found.entry.type} is not accepted here: it has its own route"
                )
            )
        else:
            parsed.append(found)
        if len(problems) >= 100:
            break
    if problems:
        raise EventValidationError(problems)
    if len(parsed) > MAX_EVENTS:
        raise InputError(f"body: more than {MAX_EVENTS} events; send them in several requests")
    return parsed


def _apply(request: Request, who: Principal, parsed: list[ParsedLine], what: str) -> BatchResult:
    app = application(request)
    audit = app.audit.entry(who, "events.submit", subject=what, detail={"events": len(parsed)})
    report = app.corridor.apply_batch([*(p.entry for p in parsed), audit])
    return BatchResult(
        received=len(parsed),
        stored=report.stored - 1,
        duplicates=report.duplicates,
        trains=report.trains,
        head_seq=report.head_seq,
    )


_EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "JSON Lines, one event per line"}
            },
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@router.post(
    "/events", response_model=BatchResult, openapi_extra=_EVENTS_BODY, summary="Append corridor events"
)
async def post_events(request: Request, who: Principal = require("events.write")) -> BatchResult:
    """Append corridor events (docs/events.md), all or nothing, and reconcile the trains they touch."""
    parsed = _parsed(_lines(await _body(request), request.headers.get("content-type", "")), request)
    return _apply(request, who, parsed, "events")


_PAXLST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/edifact": {"schema": {"type": "string", "description": "a PAXLST interchange"}}
        },
    }
}


@router.post(
    "/paxlst",
    response_model=BatchResult,
    openapi_extra=_PAXLST_BODY,
    summary="Append a PAXLST passenger list",
)
async def post_paxlst(request: Request, who: Principal = require("events.write")) -> BatchResult:
    """A PAXLST interchange of the corridor's trains: each message becomes a manifest.submitted."""
    data = await _body(request)
    app = application(request)
    with tempfile.TemporaryDirectory(prefix="tg-paxlst-") as folder:
        path = Path(folder) / "request.edi"
        path.write_bytes(data)
        source = paxlst_source(SOURCE, path, app.corridor.corridor, Path(folder) / "events.jsonl")
        lines = list(source.lines())
    return _apply(request, who, _parsed(lines, request), "paxlst")


class MrzIn(BaseModel):
    mrz: str = Field(min_length=1, max_length=400, description="the zone's lines joined by newlines")


@router.post("/mrz/parse", summary="Read a machine-readable zone")
def post_mrz_parse(body: MrzIn, who: Principal = require("mrz.parse")) -> dict[str, Any]:
    """Read a machine-readable zone: fields, check digits, problems. Stores nothing. To record a
    scan at a checkpoint, send a passenger.checked event with its `mrz` to /events."""
    del who
    return result_as_json(parse_mrz(body.mrz, today=datetime.now(UTC).date()))
