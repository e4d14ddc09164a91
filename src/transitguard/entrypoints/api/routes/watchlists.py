"""Watchlists: the active version of each list, and a new version uploaded as a file."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from transitguard.adapters.lists import FORMATS, ListFormatError
from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.entrypoints.api.routes.bodies import SOURCE, body_of
from transitguard.errors import EventValidationError, InputError

router = APIRouter(tags=["watchlists"])

MAX_LIST_BYTES = 256 * 1024 * 1024


@router.get("/watchlists", summary="List watchlists")
def list_watchlists(request: Request, who: Principal = require("watchlists.read")) -> list[dict[str, Any]]:
    """The active version of every list."""
    del who
    return [
        {
            "watchlist": v.watchlist,
            "version": v.version,
            "format": v.format,
            "source": v.source,
            "entities": v.entities,
            "digest": v.digest,
            "threshold": v.threshold,
            "updated_at": v.updated_at.isoformat(),
        }
        for v in application(request).store.watchlists()
    ]


class Imported(BaseModel):
    watchlist: str
    version: str
    entities: int
    changed: bool
    screened: int
    hits: int
    warnings: list[str]


_LIST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary", "description": "the list file"}
            }
        },
    }
}


@router.post(
    "/watchlists/{name}",
    response_model=Imported,
    openapi_extra=_LIST_BODY,
    summary="Load a watchlist version",
)
async def import_watchlist(
    request: Request,
    name: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", description="e.g. eu-fsf")],
    format: Annotated[
        str | None, Query(description=f"one of {', '.join(FORMATS)} (default: sniffed)")
    ] = None,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    who: Principal = require("watchlists.manage"),
) -> Imported:
    """Make the uploaded file the active version of the list (recorded in the ledger) and re-screen
    every open journey against it. A file that does not read changes nothing."""
    if format is not None and format not in FORMATS:
        raise InputError(f"query:format: one of {', '.join(FORMATS)}")
    data = await body_of(request, MAX_LIST_BYTES)
    if not data.strip():
        raise InputError("body: the list file is empty")
    app = application(request)
    with tempfile.TemporaryDirectory(prefix="tg-list-") as folder:
        path = FilePath(folder) / f"{name}.list"
        path.write_bytes(data)
        try:
            report = app.screening.import_list(name, path, format, threshold)
        except ListFormatError as exc:
            raise EventValidationError([replace(p, source=SOURCE) for p in exc.problems]) from None
    app.audit.record(
        who,
        "watchlist.import",
        subject=name,
        detail={"version": report.version, "entities": report.entities, "changed": report.changed},
    )
    return Imported(
        watchlist=report.watchlist,
        version=report.version,
        entities=report.entities,
        changed=report.changed,
        screened=report.screened,
        hits=report.hits,
        warnings=list(report.warnings[:100]),
    )
