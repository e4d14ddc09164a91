"""Watchlists: named lists of listed persons and entities, as every list format is read into.

The importers (adapters/lists) turn FollowTheMoney, UN, OFAC, EU and national CSV files into these
records; the screening engine indexes them. Values are kept as the list gives them (names in their own
script, dates as precise as the list knows them); normalising is the engine's job.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import orjson

NameKind = Literal["primary", "alias", "weak"]
Sex = Literal["M", "F"]

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day ("1965", "1965-03", "1965-03-12")."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2200:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day without a month")
        if self.month is not None:
            # date() checks the month and, with a day, that the day exists in that month.
            date(self.year, self.month, self.day or 1)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """ISO 8601 at year, month or day precision; raises ValueError naming the text."""
        found = _PARTIAL.match(text.strip())
        if found is None:
            raise ValueError(f"{text!r} is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = found.groups()
        try:
            return cls(int(year), int(month) if month else None, int(day) if day else None)
        except ValueError as exc:
            raise ValueError(f"{text!r} is an impossible date ({exc})") from None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class ListedName:
    """One name of a listed entity. `full` as the list writes it; the parts where the list gives
    them (first = given names, middle = patronymic or middle names, last = surname)."""

    full: str
    kind: NameKind = "primary"
    first: str | None = None
    middle: str | None = None
    last: str | None = None


@dataclass(frozen=True, slots=True)
class ListedDocument:
    number: str
    kind: str | None = None  # passport, id card, ... as the list says
    country: str | None = None  # ISO 3166-1 alpha-3


@dataclass(frozen=True, slots=True)
class ListedEntity:
    """One entry of a list. `entity_id` is the list's own id (unique within the list)."""

    entity_id: str
    schema: str  # FollowTheMoney schema name: Person, Organization, Company, LegalEntity, Vessel, ...
    names: tuple[ListedName, ...]
    birth_dates: tuple[PartialDate, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO 3166-1 alpha-3
    sex: Sex | None = None
    documents: tuple[ListedDocument, ...] = ()
    programs: tuple[str, ...] = ()  # sanctions programmes or legal bases
    listed_on: date | None = None
    remarks: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_person(self) -> bool:
        return self.schema == "Person"

    @property
    def caption(self) -> str:
        primary = [n for n in self.names if n.kind == "primary"]
        return (primary or list(self.names))[0].full if self.names else self.entity_id

    def as_dict(self) -> dict[str, object]:
        return {
            "entity_id": self.entity_id,
            "schema": self.schema,
            "names": [
                {
                    k: v
                    for k, v in (
                        ("full", n.full),
                        ("kind", n.kind),
                        ("first", n.first),
                        ("middle", n.middle),
                        ("last", n.last),
                    )
                    if v is not None
                }
                for n in self.names
            ],
            "birth_dates": [d.iso() for d in self.birth_dates],
            "nationalities": list(self.nationalities),
            "sex": self.sex,
            "documents": [{"number": d.number, "kind": d.kind, "country": d.country} for d in self.documents],
            "programs": list(self.programs),
            "listed_on": self.listed_on.isoformat() if self.listed_on else None,
            "remarks": self.remarks,
            "extra": [list(pair) for pair in self.extra],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListedEntity:
        """The inverse of as_dict (entries are stored as its JSON)."""
        return cls(
            entity_id=data["entity_id"],
            schema=data["schema"],
            names=tuple(
                ListedName(
                    n["full"], n.get("kind", "primary"), n.get("first"), n.get("middle"), n.get("last")
                )
                for n in data["names"]
            ),
            birth_dates=tuple(PartialDate.parse(d) for d in data.get("birth_dates", ())),
            nationalities=tuple(data.get("nationalities", ())),
            sex=data.get("sex"),
            documents=tuple(
                ListedDocument(d["number"], d.get("kind"), d.get("country"))
                for d in data.get("documents", ())
            ),
            programs=tuple(data.get("programs", ())),
            listed_on=date.fromisoformat(data["listed_on"]) if data.get("listed_on") else None,
            remarks=data.get("remarks"),
            extra=tuple((str(k), str(v)) for k, v in data.get("extra", ())),
        )

    def canonical(self) -> bytes:
        return orjson.dumps(self.as_dict(), option=orjson.OPT_SORT_KEYS)

    def fingerprint(self) -> str:
        """A hash of the entry's content: a suppressed false positive comes back when it changes."""
        return hashlib.sha256(orjson.dumps(self.as_dict(), option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


HitStatus = Literal["open", "confirmed", "false_positive"]


@dataclass(frozen=True, slots=True)
class WatchlistVersion:
    """The active version of one named list."""

    watchlist: str
    version: str
    format: str
    source: str
    entities: int
    digest: str
    threshold: float
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Hit:
    """A screening hit and where its review stands."""

    hit_id: str
    watchlist: str
    version: str
    entity_id: str
    entity_fingerprint: str
    caption: str
    subject: str
    name: str
    train_key: str | None
    passenger_ref: str | None
    score: float
    explanation: str
    raised_at: datetime
    evidence: str  # the screening.hit event id
    status: HitStatus = "open"
    reviewed_by: str | None = None
    review_reason: str | None = None
    reviewed_at: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "hit_id": self.hit_id,
            "watchlist": self.watchlist,
            "version": self.version,
            "entity_id": self.entity_id,
            "caption": self.caption,
            "subject": self.subject,
            "name": self.name,
            "train_key": self.train_key,
            "passenger_ref": self.passenger_ref,
            "score": self.score,
            "explanation": self.explanation,
            "raised_at": self.raised_at.isoformat(),
            "status": self.status,
            "reviewed_by": self.reviewed_by,
            "review_reason": self.review_reason,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "evidence": [self.evidence],
        }
