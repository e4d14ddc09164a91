"""A person's record, by travel document: journeys, documents, screening hits, FRTDs, alerts and
whether they may enter today. Reading it is personal data, so the page asks why first; the read goes
through services/people.person_record, which records it in the audit trail with that reason."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import page, render, shown_as_page
from transitguard.services.people import DOCUMENT_KEY, MIN_REASON, person_record

router = APIRouter(include_in_schema=False)


def _ask(request: Request, who: Principal, document_key: str, reason: str, error: str = "") -> HTMLResponse:
    return render(
        request,
        "person_ask.html",
        who,
        {
            "title": _("Look up a person"),
            "document_key": document_key,
            "reason": reason,
            "error": error,
            "min_reason": MIN_REASON,
        },
        status=422 if error else 200,
    )


@router.get("/persons", response_class=HTMLResponse)
def person_search(
    request: Request,
    who: Annotated[Principal, page("persons.read")],
    document_key: str = "",
    reason: str = "",
) -> Response:
    key = document_key.strip().upper()
    if not key and not reason:
        return _ask(request, who, "", "")
    if not DOCUMENT_KEY.match(key):
        error = _("Travel document: ISSUING_STATE:NUMBER, e.g. RUS:751234567.")
        return _ask(request, who, document_key, reason, error)
    target = f"/persons/{quote(key, safe=':')}?reason={quote(reason.strip())}"
    return RedirectResponse(target, status_code=303)


@router.get("/persons/{document_key}", response_class=HTMLResponse)
def person_page(
    request: Request, who: Annotated[Principal, page("persons.read")], document_key: str, reason: str = ""
) -> HTMLResponse:
    if len(reason.strip()) < MIN_REASON:
        error = ""
        if reason:  # asked, but not enough said; a first visit just shows the question
            error = _("Say why you open this record (at least {count} letters).").format(count=MIN_REASON)
        return _ask(request, who, document_key, reason, error)
    with shown_as_page():
        record = person_record(application(request), document_key, who, reason)
    return render(
        request,
        "person.html",
        who,
        {
            "title": _("Person {key}").format(key=record.document_key),
            "record": record,
            "reason": reason.strip(),
        },
    )
