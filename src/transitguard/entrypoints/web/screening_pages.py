"""A screening hit (a passenger's name against a listed entry) and its review: confirmed or a false
positive, with the reason. The review goes through ScreeningService.review with the audit record in the
same transaction; a false positive is not raised again for that person and entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from transitguard.domain.accounts import Principal
from transitguard.domain.watchlists import Hit
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import N_, _
from transitguard.entrypoints.web.rendering import PageError, page, render, shown_as_page

router = APIRouter(include_in_schema=False)

DECISIONS = {
    "confirmed": N_("Confirmed: this is the listed person"),
    "false_positive": N_("False positive: not the listed person"),
}


def _hit(request: Request, hit_id: str) -> Hit:
    with application(request).store.writing() as session:
        hit = session.hit(hit_id)
    if hit is None:
        raise PageError(404, _("No screening hit {hit_id}.").format(hit_id=hit_id))
    return hit


@router.get("/hits/{hit_id}", response_class=HTMLResponse)
def hit_page(request: Request, who: Annotated[Principal, page("hits.read")], hit_id: str) -> HTMLResponse:
    hit = _hit(request, hit_id)
    return render(
        request,
        "hit.html",
        who,
        {"title": _("Screening hit"), "hit": hit, "decisions": DECISIONS, "train_path": _train_path(hit)},
    )


def _train_path(hit: Hit) -> str | None:
    return f"/trains/{hit.train_key}" if hit.train_key else None


@router.post("/hits/{hit_id}/review")
def review(
    request: Request,
    who: Annotated[Principal, page("hits.review")],
    hit_id: str,
    decision: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    app = application(request)
    with shown_as_page():
        _hit(request, hit_id)
        if decision not in DECISIONS:
            raise PageError(422, _("Choose whether the hit is confirmed or a false positive."))
        if not reason.strip():
            raise PageError(422, _("Say why: the reason is kept with the review."))
        audit = app.audit.entry(
            who, "hit.review", subject=hit_id, reason=reason.strip(), detail={"decision": decision}
        )
        app.screening.review(hit_id, decision, who.actor, reason.strip(), audit=audit)
    return RedirectResponse(f"/hits/{hit_id}", status_code=303)
