"""Read views of what decisions are made against: the watchlists in force and the rule pack."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import page, render
from transitguard.services.rules import FullPack, load_full_pack

router = APIRouter(include_in_schema=False)


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists(request: Request, who: Annotated[Principal, page("watchlists.read")]) -> HTMLResponse:
    versions = sorted(application(request).store.watchlists(), key=lambda v: v.watchlist)
    return render(request, "watchlists.html", who, {"title": _("Watchlists"), "versions": versions})


@cache
def _full_pack(path: str) -> FullPack:
    return load_full_pack(path)


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request, who: Annotated[Principal, page("rules.read")]) -> HTMLResponse:
    pack = _full_pack(str(application(request).pack.path))
    return render(
        request,
        "rules.html",
        who,
        {
            "title": _("Rule pack"),
            "pack": pack.corridor,
            "corridor": pack.corridor.corridor,
            "goods": pack.goods,
            "people": pack.people,
        },
    )
