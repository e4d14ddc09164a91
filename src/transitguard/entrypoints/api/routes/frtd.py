"""FRTD applications decided (Regulation 694/2003 Art 4–6), and the FRTDs granted so far.

The body is what `transitguard frtd decide` reads (JSON Lines, or a JSON array of the same
applications); every line is checked first, and a bad one refuses the request naming line and field.
Applicants are screened against the active watchlists, and earlier abscondings in the corridor count.
With record=true the decisions go into the ledger (frtd.decided) with the audit record, in one batch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.entrypoints.api.routes.bodies import (
    SOURCE,
    as_json_lines,
    body_of,
    request_files,
)
from transitguard.errors import InputError
from transitguard.services.frtd_decisions import decide_applications as decide_file

router = APIRouter(tags=["frtd"])

MAX_APPLICATIONS = 1000

_APPLICATIONS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "JSON Lines, one application per line"}
            },
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@router.post("/frtd/applications", openapi_extra=_APPLICATIONS_BODY, summary="Decide FRTD applications")
async def decide_applications(
    request: Request,
    record: Annotated[bool, Query(description="also record the decisions in the ledger")] = False,
    now: Annotated[
        datetime | None, Query(description="decide as of this time, with offset (not with record=true)")
    ] = None,
    who: Principal = require("frtd.decide"),
) -> list[dict[str, Any]]:
    """GRANT, REFUSE or REFER each application, with the reasons and, on a grant, the FRTD record."""
    if now is not None and (record or now.tzinfo is None):
        raise InputError("query:now: a time with its UTC offset, and only without record=true")
    data = as_json_lines(await body_of(request), max_items=MAX_APPLICATIONS)
    app = application(request)
    with request_files(data) as (path, _):
        return decide_file(app, path, who, record=record, source=SOURCE, now=now)


@router.get("/frtd", summary="List granted FRTDs")
def list_frtds(request: Request, who: Principal = require("frtd.read")) -> list[dict[str, Any]]:
    """The FRTDs granted and recorded, by number: what manifests are checked against."""
    app = application(request)
    with app.store.writing() as session:
        issued = session.frtds()
    app.audit.record(who, "frtd.read", subject="all", detail={"rows": len(issued)})
    return [
        {
            "number": f.number,
            "document_key": f.document_key,
            "valid_from": f.valid_from.isoformat(),
            "valid_until": f.valid_until.isoformat(),
            "authorised_transit_hours": f.authorised_transit_hours,
            "trains": [{"number": n, "service_date": d.isoformat()} for n, d in sorted(f.trains)],
            "event_id": f.event_id,
        }
        for f in sorted(issued.values(), key=lambda f: f.number)
    ]
