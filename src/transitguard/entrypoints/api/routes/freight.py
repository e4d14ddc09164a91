"""Freight consignments against the goods sanctions rules (what `transitguard freight check` does),
and the decisions recorded so far."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.entrypoints.api.routes.bodies import as_json_lines, body_of, read_json_lines, request_files
from transitguard.rulepacks.goods import GoodsRules, load_goods_rules
from transitguard.services.freight import check_file
from transitguard.services.freight_record import decision_events

router = APIRouter(tags=["freight"])

MAX_CONSIGNMENTS = 10_000

_CONSIGNMENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "JSON Lines, one consignment per line"}
            },
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@cache
def _goods_rules(path: str) -> GoodsRules:
    return load_goods_rules(Path(path) / "goods")


@router.post("/freight/check", openapi_extra=_CONSIGNMENTS_BODY, summary="Check freight consignments")
async def check_freight(
    request: Request,
    record: Annotated[bool, Query(description="also record the decisions in the ledger")] = False,
    who: Principal = require("freight.check"),
) -> list[dict[str, Any]]:
    """ALLOW, DENY or HOLD each consignment on its date, line by line, with the rule, legal basis and
    message (docs/freight.md). Quotas are not counted here (no baseline): `freight check --baseline`."""
    data = as_json_lines(await body_of(request), max_items=MAX_CONSIGNMENTS)
    app = application(request)
    rules = _goods_rules(str(app.pack.path))
    with request_files(data) as (source, output):
        counts = check_file(source, output, baseline=None, rules=rules)
        decisions = read_json_lines(output)
        entries = decision_events(source, output, f"{rules.id} {rules.version}") if record else []
    detail: dict[str, str | int | float | bool | None] = {
        "consignments": len(decisions),
        "deny": int(counts["deny"]),
        "hold": int(counts["hold"]),
        "recorded": record,
    }
    subject = f"{len(decisions)} consignments"
    if record:
        audit = app.audit.entry(who, "freight.check", subject=subject, detail=detail)
        app.corridor.apply_batch([*entries, audit])
    else:
        app.audit.record(who, "freight.check", subject=subject, detail=detail)
    return decisions


@router.get("/freight/decisions", summary="List freight decisions")
def list_freight_decisions(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    who: Principal = require("freight.read"),
) -> list[dict[str, Any]]:
    """The recorded freight decisions, one row per consignment line (the columns of `export freight`)."""
    del who
    return [
        {
            "consignment_id": r.consignment_id,
            "line_no": r.line_no,
            "date": r.date.isoformat(),
            "mode": r.mode,
            "direction": r.direction,
            "consignment_decision": r.consignment_decision,
            "cn_code": r.cn_code,
            "decision": r.decision,
            "rules": list(r.rules),
            "net_mass_kg": r.net_mass_kg,
            "value_eur": r.value_eur,
            "rule_pack": r.rule_pack,
            "event_id": r.event_id,
        }
        for r in application(request).store.freight_decisions()[:limit]
    ]
