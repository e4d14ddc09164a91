"""Administration: the users and their roles, and the audit trail with the ledger's chain status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import page, render

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 100


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, who: Annotated[Principal, page("users.manage")]) -> HTMLResponse:
    app = application(request)
    listed = sorted(app.accounts.accounts.users(), key=lambda u: u.username)
    return render(request, "users.html", who, {"title": _("Users"), "users": listed})


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_trail(
    request: Request,
    who: Annotated[Principal, page("audit.read")],
    before: int | None = None,
    actor: str = "",
) -> HTMLResponse:
    app = application(request)
    records = app.audit.recent(limit=AUDIT_PAGE, before_seq=before, actor=actor.strip() or None)
    return render(
        request,
        "audit.html",
        who,
        {
            "title": _("Audit trail"),
            "records": records,
            "actor": actor.strip(),
            "older": records[-1].seq if len(records) == AUDIT_PAGE else None,
            "can_verify": who.may("ledger.verify"),
        },
    )


@router.get("/admin/audit/chain", response_class=HTMLResponse)
def chain_status(request: Request, who: Annotated[Principal, page("ledger.verify")]) -> HTMLResponse:
    """The chain check walks the whole ledger: the audit page loads it after itself (htmx), so the
    trail shows at once and the verdict follows."""
    report = application(request).store.verify_ledger()
    return render(request, "fragments/chain.html", who, {"report": report})
