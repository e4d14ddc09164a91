"""Decisions on record: FRTD applications decided (the consular officer's queue) and freight
consignments decided (the customs officer's), each with its reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from transitguard.domain.accounts import Principal
from transitguard.domain.events import FrtdDecided
from transitguard.domain.records import FreightLineRecord
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import page, render
from transitguard.rulepacks.goods import GoodsRule, GoodsRules, load_goods_rules

router = APIRouter(include_in_schema=False)

FRTD_LIMIT = 200
FREIGHT_LIMIT = 300


@dataclass(frozen=True)
class FrtdRow:
    recorded_at: datetime
    decision: FrtdDecided


@router.get("/frtd", response_class=HTMLResponse)
def frtd_queue(request: Request, who: Annotated[Principal, page("frtd.read")]) -> HTMLResponse:
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
