"""Decisions on record: FRTD applications decided (the consular officer's queue) and freight
consignments decided (the customs officer's), each with its reasons."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse

from transitguard.domain.accounts import Principal
from transitguard.domain.events import FrtdDecided
from transitguard.domain.records import FreightLineRecord
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import PageError, page, render, shown_as_page
from transitguard.rulepacks.goods import GoodsRule, GoodsRules, load_goods_rules
from transitguard.services.frtd_decisions import decide_applications

router = APIRouter(include_in_schema=False)

FRTD_LIMIT = 200
FREIGHT_LIMIT = 300
MAX_UPLOAD = 5_000_000  # a day of applications is well under a megabyte


@dataclass(frozen=True)
class FrtdRow:
    recorded_at: datetime
    decision: FrtdDecided


@router.get("/frtd", response_class=HTMLResponse)
def frtd_queue(request: Request, who: Annotated[Principal, page("frtd.read")]) -> HTMLResponse:
    return _frtd_page(request, who)


@router.post("/frtd/decide", response_class=HTMLResponse)
async def frtd_decide(
    request: Request,
    who: Annotated[Principal, page("frtd.decide")],
    applications: Annotated[UploadFile, File()],
) -> HTMLResponse:
    """A consular officer uploads the day's applications (JSON Lines, as the railway sends them): each is
    decided and recorded, and the page shows what was just decided first."""
    data = await applications.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise PageError(413, _("applications: larger than {size} MB").format(size=MAX_UPLOAD // 1_000_000))
    name = applications.filename or "applications.jsonl"
    with tempfile.TemporaryDirectory(prefix="tg-frtd-") as folder:
        path = Path(folder) / "applications.jsonl"
        path.write_bytes(data)
        with shown_as_page():
            decided = decide_applications(application(request), path, who, record=True, source=name)
    return _frtd_page(request, who, decided=decided)


def _frtd_page(request: Request, who: Principal, decided: list[dict[str, Any]] | None = None) -> HTMLResponse:
    app = application(request)
    entries = app.accounts.accounts.entries_of_type("frtd.decided", before_seq=None, limit=FRTD_LIMIT)
    rows = [FrtdRow(at, entry.event) for _seq, at, entry in entries if isinstance(entry.event, FrtdDecided)]
    with app.store.writing() as session:
        issued = session.frtds()
    # Applicants' travel documents are personal data: the read is recorded, as the API's is.
    app.audit.record(who, "frtd.read", subject="console queue", detail={"rows": len(rows)})
    return render(
        request,
        "frtd.html",
        who,
        {
            "title": _("FRTD applications"),
            "rows": rows,
            "counts": Counter(r.decision.decision for r in rows),
            "issued": sorted(issued.values(), key=lambda f: f.valid_from, reverse=True)[:FRTD_LIMIT],
            "issued_total": len(issued),
            "decided": decided,
        },
    )


@dataclass
class Consignment:
    consignment_id: str
    date: date
    mode: str
    direction: str
    decision: str
    rule_pack: str
    lines: list[FreightLineRecord] = field(default_factory=list)


@cache
def _goods_rules(pack_path: str) -> GoodsRules:
    return load_goods_rules(Path(pack_path) / "goods")


@router.get("/freight", response_class=HTMLResponse)
def freight_decisions(request: Request, who: Annotated[Principal, page("freight.read")]) -> HTMLResponse:
    app = application(request)
    consignments: dict[str, Consignment] = {}
    for line in app.store.freight_decisions():
        found = consignments.setdefault(
            line.event_id,
            Consignment(
                line.consignment_id,
                line.date,
                line.mode,
                line.direction,
                line.consignment_decision,
                line.rule_pack,
            ),
        )
        found.lines.append(line)
    ordered = sorted(consignments.values(), key=lambda c: (c.date, c.consignment_id), reverse=True)
    rules = _goods_rules(str(app.pack.path))
    by_id: dict[str, GoodsRule] = {r.id: r for r in rules.rules}
    return render(
        request,
        "freight.html",
        who,
        {
            "title": _("Freight decisions"),
            "consignments": ordered[:FREIGHT_LIMIT],
            "total": len(ordered),
            "counts": Counter(c.decision for c in ordered),
            "rules": by_id,
        },
    )
