"""Screening people against the active watchlists, and the hits the corridor raised.

POST /screening and /screening/batch screen what the request names and store nothing but the audit
record; the corridor's own screening (each manifest, each list update) raises hits, which are listed
and reviewed here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from transitguard.domain.accounts import Principal
from transitguard.domain.watchlists import PartialDate
from transitguard.engines.screening import Query as ScreeningQuery
from transitguard.entrypoints.api.auth import application, require
from transitguard.errors import InputError
from transitguard.services.ports import HitFilter

router = APIRouter(tags=["screening"])

MAX_BATCH = 1000
HitStatus = Literal["open", "confirmed", "false_positive"]


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200, description="the caller's reference, echoed back")
    name: str = Field(
        min_length=1, max_length=400, description="as the document writes it, any script or MRZ form"
    )
    birth_date: str | None = Field(
        default=None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="YYYY-MM-DD, or YYYY-MM or YYYY when that is all the document says",
        examples=["1967-12-19", "1967"],
    )
    nationality: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$", description="ISO 3166-1")
    sex: Literal["M", "F", "X"] | None = None
    document_number: str | None = Field(default=None, min_length=1, max_length=40)

    @field_validator("birth_date")
    @classmethod
    def _possible(cls, value: str | None) -> str | None:
        # The pattern lets 1967-02-30 through; the matcher would silently ignore it.
        return None if value is None else PartialDate.parse(value).iso()

    def query(self) -> ScreeningQuery:
        return ScreeningQuery(
            id=self.id,
            name=self.name,
            birth_date=self.birth_date,
            nationality=self.nationality,
            sex=self.sex if self.sex in ("M", "F") else None,
            document_number=self.document_number,
        )


Threshold = Field(
    default=None, ge=0.0, le=1.0, description="report matches at or above this score (default: each list's)"
)


class ScreenOne(Person):
    threshold: float | None = Threshold
    limit: int = Field(default=5, ge=1, le=50)


class ScreenBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persons: list[Person] = Field(min_length=1, max_length=MAX_BATCH)
    threshold: float | None = Threshold
    limit: int = Field(default=5, ge=1, le=50)


class MatchOut(BaseModel):
    watchlist: str
    version: str
    entity_id: str
    caption: str
    name: str = Field(description="the listed name that matched")
    score: float
    explanation: str


class Screened(BaseModel):
    id: str
    matches: list[MatchOut]


def _screen(
    request: Request, who: Principal, persons: list[Person], threshold: float | None, limit: int
) -> list[Screened]:
    app = application(request)
    found = app.screening.screen_queries([p.query() for p in persons], threshold=threshold, limit=limit)
    answers = [
        Screened(id=p.id, matches=[MatchOut(**m.as_dict()) for m in matches])
        for p, matches in zip(persons, found, strict=True)
    ]
    app.audit.record(
        who,
        "screening.run",
        subject=persons[0].id if len(persons) == 1 else f"{len(persons)} persons",
        detail={"persons": len(persons), "matched": sum(1 for a in answers if a.matches)},
    )
    return answers


@router.post("/screening", response_model=Screened, summary="Screen one person")
def screen_one(body: ScreenOne, request: Request, who: Principal = require("screening.run")) -> Screened:
    """Screen one person against every active watchlist; stores nothing but the audit record."""
    (answer,) = _screen(request, who, [body], body.threshold, body.limit)
    return answer


@router.post("/screening/batch", response_model=list[Screened], summary="Screen a batch of persons")
def screen_batch(
    body: ScreenBatch, request: Request, who: Principal = require("screening.run")
) -> list[Screened]:
    """Screen up to 1000 persons (a train's manifest) at once, in the order given."""
    seen: dict[str, int] = {}
    for position, person in enumerate(body.persons):
        first = seen.setdefault(person.id, position)
        if first != position:
            raise InputError(f"body:persons[{position}].id: {person.id!r} is already persons[{first}]")
    return _screen(request, who, body.persons, body.threshold, body.limit)


@router.get("/hits", summary="List screening hits")
def list_hits(
    request: Request,
    status: HitStatus | None = None,
    train: Annotated[str | None, Query(max_length=120, description="NUMBER/SERVICE_DATE/DIRECTION")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    who: Principal = require("hits.read"),
) -> list[dict[str, Any]]:
    """Screening hits, oldest first, with the score and the explanation. The read is audited."""
    app = application(request)
    found = app.store.hits(HitFilter(status=status, train_key=train, limit=limit))
    subject = " ".join(f"{k}={v}" for k, v in (("status", status), ("train", train)) if v)
    app.audit.record(who, "hits.read", subject=subject or "all", detail={"rows": len(found)})
    return [h.as_dict() for h in found]


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirmed", "false_positive"]
    reason: str = Field(min_length=1, max_length=2000, description="why (kept in the ledger)")


@router.post(
    "/hits/{hit_id}/review",
    summary="Review a screening hit",
    responses={409: {"description": "the hit is already reviewed"}},
)
def review_hit(
    hit_id: Annotated[str, Path(max_length=200)],
    body: Review,
    request: Request,
    who: Principal = require("hits.review"),
) -> dict[str, Any]:
    """open → confirmed or false_positive, by the signed-in person. A false positive is not raised
    again for the same person and listed entry until the entry changes."""
    app = application(request)
    audit = app.audit.entry(
        who, "hit.review", subject=hit_id, reason=body.reason, detail={"decision": body.decision}
    )
    hit = app.screening.review(hit_id, body.decision, who.actor, body.reason, audit=audit)
    return hit.as_dict()
