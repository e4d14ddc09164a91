"""The audit trail (who did or saw what, when and why) and the ledger's hash chain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require

router = APIRouter(tags=["audit"])


@router.get("/audit", summary="List audit records")
def list_audit(
    request: Request,
    actor: Annotated[str | None, Query(max_length=120, description="a username or token:<id>")] = None,
    before_seq: Annotated[int | None, Query(ge=1, description="records before this ledger seq")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    who: Principal = require("audit.read"),
) -> list[dict[str, Any]]:
    """Audit records, newest first; page back with before_seq = the last seq of a page."""
    del who
    records = application(request).audit.recent(limit=limit, before_seq=before_seq, actor=actor)
    return [
        {
            "seq": r.seq,
            "recorded_at": r.recorded_at.isoformat(),
            "event_id": r.event.event_id,
            "occurred_at": r.event.occurred_at.isoformat(),
            "actor": r.event.actor,
            "roles": list(r.event.roles),
            "action": r.event.action,
            "subject": r.event.subject,
            "reason": r.event.reason,
            "outcome": r.event.outcome,
            "detail": r.event.detail,
        }
        for r in records
    ]


@router.get("/ledger/verify", summary="Verify the ledger")
def verify_ledger(request: Request, who: Principal = require("ledger.verify")) -> dict[str, Any]:
    """Walk the hash chain (`transitguard ledger verify`): intact, or every row that does not fit."""
    app = application(request)
    report = app.store.verify_ledger()
    app.audit.record(who, "ledger.verify", detail={"rows": report.rows, "intact": report.intact})
    return {
        "intact": report.intact,
        "rows": report.rows,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash,
        "problems": [{"seq": p.seq, "event_id": p.event_id, "reason": p.reason} for p in report.problems],
    }
