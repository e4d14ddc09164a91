"""The rule pack: dumped, one rule explained, and the installed pack validated again."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application, require
from transitguard.services.rules import FullPack, dump, explain, load_full_pack, validate

router = APIRouter(tags=["rules"])


@cache
def _pack(path: str) -> FullPack:
    return load_full_pack(path)


@cache
def _dumped(path: str) -> dict[str, Any]:
    return dump(_pack(path))


@router.get("/rules", summary="Dump the rule pack")
def dump_rules(request: Request, who: Principal = require("rules.read")) -> dict[str, Any]:
    """The loaded pack as JSON (`transitguard rules dump`): corridor, goods and people rules."""
    del who
    return _dumped(str(application(request).pack.path))


@router.get("/rules/{rule_id}", summary="Explain a rule")
def explain_rule(
    request: Request,
    rule_id: Annotated[str, Path(max_length=120, description="e.g. xvii-a")],
    who: Principal = require("rules.read"),
) -> dict[str, str]:
    """One rule of the goods or people rules with its legal basis, dates and scope."""
    del who
    return {"rule_id": rule_id, "explanation": explain(_pack(str(application(request).pack.path)), rule_id)}


@router.post("/rules/validate", summary="Validate the rule pack")
def validate_rules(request: Request, who: Principal = require("rules.manage")) -> dict[str, Any]:
    """Load the installed pack afresh from its files and check it; a pack that fails is named with
    the file and key (500, configuration_error). Answers the counts of what it holds."""
    app = application(request)
    summary = validate(load_full_pack(app.pack.path))
    app.audit.record(who, "rules.validate", subject=f"{summary['pack']} {summary['version']}")
    return summary
