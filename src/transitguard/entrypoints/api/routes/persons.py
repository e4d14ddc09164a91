"""One person's record, by travel document (services/people.py; the console shows the same)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.services.people import person_record

router = APIRouter(tags=["persons"])


@router.get("/persons/{document_key}", summary="Read a person's record")
def read_person(
    request: Request,
    document_key: Annotated[
        str,
        Path(max_length=48, description="ISSUING_STATE:NUMBER of the travel document, e.g. RUS:751234567"),
    ],
    reason: Annotated[
        str, Query(min_length=3, max_length=2000, description="why you read it (kept in the audit trail)")
    ],
    who: Principal = require("persons.read"),
) -> dict[str, Any]:
    """Journeys, documents, screening hits, FRTDs, alerts and today's eligibility of the person who
    travels on the document. Every read is audited with its reason."""
    return person_record(application(request), document_key, who, reason).as_dict()
