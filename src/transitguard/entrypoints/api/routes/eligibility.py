"""Entry eligibility: ALLOW or REFUSE entry into Lithuania on each person's date, with the Schengen
Borders Code refusal letter and the rules (what `transitguard eligibility check` does)."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Request

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.entrypoints.api.routes.bodies import as_json_lines, body_of, read_json_lines, request_files
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services.eligibility import check_file

router = APIRouter(tags=["eligibility"])

MAX_PERSONS = 1000

_PERSONS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {"schema": {"type": "string", "description": "JSON Lines, one person"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@cache
def _people_rules(path: str) -> PeopleRules:
    return load_people_rules(path)


@router.post("/eligibility/check", openapi_extra=_PERSONS_BODY, summary="Check entry eligibility")
async def check_eligibility(
    request: Request, who: Principal = require("eligibility.check")
) -> list[dict[str, Any]]:
    """One decision per person, in order: {id, decision, refusal_code?, reasons}. Stores nothing but
    the audit record; a bad line refuses the request naming line and field."""
    data = as_json_lines(await body_of(request), max_items=MAX_PERSONS)
    app = application(request)
    with request_files(data) as (source, output):
        counts = check_file(source, output, rules=_people_rules(str(app.pack.path)))
        decisions = read_json_lines(output)
    app.audit.record(
        who,
        "eligibility.check",
        subject=f"{counts['persons']} persons",
        detail={"allowed": counts["allowed"], "refused": counts["refused"]},
    )
    return decisions
