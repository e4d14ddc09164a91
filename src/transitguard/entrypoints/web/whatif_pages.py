"""Policy what-if: the simulator run under the shipped policies, side by side (analytics/whatif.py).

A GET form: the run is a pure simulation that changes nothing, so the result can be bookmarked and
shared in a briefing. Runs are kept short here (at most MAX_DAYS days a policy) so the page answers in
seconds; longer runs belong to `transitguard whatif`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from transitguard.domain.accounts import Principal
from transitguard.entrypoints.api.auth import application
from transitguard.entrypoints.web.i18n import _
from transitguard.entrypoints.web.rendering import PageError, page, render
from transitguard.entrypoints.web.train_pages import parse_day

router = APIRouter(include_in_schema=False)

MAX_DAYS = 31
DEFAULT_DAYS = 7


@router.get("/whatif", response_class=HTMLResponse)
def whatif_page(
    request: Request,
    who: Annotated[Principal, page("dashboard.read")],
    policy: Annotated[list[str] | None, Query()] = None,
    start: str | None = None,
    days: int = DEFAULT_DAYS,
) -> HTMLResponse:
    # Imported here, like the dashboard's analytics: the simulator is not needed by other pages.
    from transitguard.analytics import whatif

    app = application(request)
    shipped = [p.stem for p in whatif.shipped_policies(app.pack.path)]
    chosen = [p for p in (policy or []) if p]
    unknown = sorted(set(chosen) - set(shipped))
    if unknown:
        raise PageError(422, _("policy: unknown {names}").format(names=", ".join(unknown)))
    if not 1 <= days <= MAX_DAYS:
        raise PageError(422, _("days: between 1 and {most}").format(most=MAX_DAYS))
    first = parse_day(start, "start")
    outcomes = []
    for name in chosen:
        loaded = whatif.load_policy(whatif.resolve_policy(name, app.pack.path))
        run = loaded.policy.simulation.model_copy(
            update={"days": days, **({"start": first} if first else {})}
        )
        adjusted = replace(loaded, policy=loaded.policy.model_copy(update={"simulation": run}))
        outcomes.append(whatif.run_policy(adjusted, app.pack.corridor).as_dict())
    return render(
        request,
        "whatif.html",
        who,
        {
            "title": _("Policy what-if"),
            "shipped": shipped,
            "chosen": chosen,
            "start": start or "",
            "days": days,
            "max_days": MAX_DAYS,
            "columns": whatif.COLUMNS,
            "outcomes": outcomes,
        },
    )
