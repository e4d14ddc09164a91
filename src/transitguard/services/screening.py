"""Screening use cases: import a watchlist version, screen passengers against the active lists, review
hits. Every list update, hit and review is an event in the ledger; the hits and WATCHLIST_HIT alerts
are folded from those events, so `rebuild` gives them back exactly.

When it runs: on every ingest batch (the passengers of each new manifest; documents checked at a
checkpoint that no manifest names) and on every list update (every journey still open, including the
trains due). A hit reviewed as a false positive is not raised again for the same person and the same
listed entry until that entry changes (its fingerprint).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from transitguard.adapters.formats.mrz import MrzResult
from transitguard.adapters.lists import read_list
from transitguard.domain.events import (
    PassengerChecked,
    ScreeningHit,
    ScreeningReviewed,
    WatchlistUpdated,
)
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import Alert, Journey, content_id
from transitguard.domain.watchlists import Hit, ListedEntity, WatchlistVersion
from transitguard.engines.screening import DEFAULT_THRESHOLD, Query, ScreeningIndex
from transitguard.errors import ConflictError, NotFoundError
from transitguard.services.ports import Store, Workflow, WriteSession

SCREENING_TYPES = ("watchlist.updated", "screening.hit", "screening.reviewed")

Clock = Callable[[], datetime]


@dataclass
class ImportReport:
    watchlist: str
    version: str
    entities: int
    changed: bool
    screened: int = 0
    hits: int = 0
    warnings: tuple[str, ...] = ()


@dataclass
class ScreenReport:
    screened: int = 0
    hits: list[Hit] = field(default_factory=list)
    suppressed: int = 0


@dataclass(frozen=True)
class ActiveMatch:
    """One match of a query against an active list version (ScreeningService.screen_queries)."""

    watchlist: str
    version: str
    entity_id: str
    caption: str
    name: str
    score: float
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "watchlist": self.watchlist,
            "version": self.version,
            "entity_id": self.entity_id,
            "caption": self.caption,
            "name": self.name,
            "score": self.score,
            "explanation": self.explanation,
        }


def _digest(bodies: Sequence[tuple[str, bytes]]) -> str:
    hasher = hashlib.sha256()
    for _, body in bodies:
        hasher.update(body + b"\n")
    return hasher.hexdigest()


def query_of(journey: Journey) -> Query | None:
    """What to screen for one journey: the manifest name and details, or just the checked document."""
    document = journey.document_key.split(":", 1)[1] if journey.document_key else None
    name = " ".join(p for p in (journey.surname, journey.given_names) if p)
    if not name and not document:
        return None
    return Query(
        id=journey.journey_id,
        name=name,
        birth_date=journey.birth_date.isoformat() if journey.birth_date else None,
        nationality=journey.nationality,
        sex=journey.sex,
        document_number=document,
    )


def query_of_mrz(zone: MrzResult, query_id: str = "mrz") -> Query:
    """What to screen for a scanned document: the name field as printed (the engine reads `<<` and a
    name cut at the field's length), date of birth, nationality, sex and document number."""
    fields = zone.fields
    return Query(
        id=query_id,
        name=zone.raw_name,
        birth_date=fields.birth_date,
        nationality=fields.nationality or None,
        sex=fields.sex if fields.sex in ("M", "F") else None,
        document_number=fields.document_number or None,
    )


def subject_of(journey: Journey) -> str:
    """Who was screened, the same across trains: the travel document, else this journey."""
    return f"doc:{journey.document_key}" if journey.document_key else f"journey:{journey.journey_id}"


class ScreeningService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._indexes: dict[tuple[str, str], tuple[ScreeningIndex, dict[str, ListedEntity]]] = {}

    # -- lists ------------------------------------------------------------------------------------

    def import_list(
        self, watchlist: str, path: Path, fmt: str | None = None, threshold: float | None = None
    ) -> ImportReport:
        """Read a list file whole (a bad file changes nothing), make it the active version of
        `watchlist` and re-screen every open journey against it, in one transaction."""
        read = read_list(path, fmt)
        bodies = sorted((e.entity_id, e.canonical()) for e in read.entities)
        digest = _digest(bodies)
        now = self.clock()
        with self.store.writing() as session:
            current = next((v for v in session.watchlist_versions() if v.watchlist == watchlist), None)
            wanted = (
                threshold if threshold is not None else (current.threshold if current else DEFAULT_THRESHOLD)
            )
            if current is not None and current.digest == digest and current.threshold == wanted:
                return ImportReport(watchlist, current.version, len(bodies), False, warnings=read.warnings)
            day = (read.source_date or now.date()).isoformat()
            event = WatchlistUpdated(
                event_id=f"watchlist-{watchlist}-{digest[:12]}-{now.strftime('%Y%m%dT%H%M%S%f')}",
                type="watchlist.updated",
                occurred_at=now,
                watchlist=watchlist,
                version=f"{day}-{digest[:8]}",
                format=read.format,
                source=path.name,
                entities=len(bodies),
                digest=digest,
                threshold=wanted,
            )
            session.append([LedgerEntry.of(event)], recorded_at=now)
            session.save_watchlist(_version_of(event), bodies)
            report = self._screen(session, session.open_journeys(), now, only=watchlist)
        return ImportReport(
            watchlist, event.version, len(bodies), True, report.screened, len(report.hits), read.warnings
        )

    def _active(
        self, session: WriteSession
    ) -> list[tuple[WatchlistVersion, ScreeningIndex, dict[str, ListedEntity]]]:
        active = []
        versions = session.watchlist_versions()
        wanted = {(v.watchlist, v.version) for v in versions}
        for key in [k for k in self._indexes if k not in wanted]:
            del self._indexes[key]  # an old version: its index is no longer needed
        for version in versions:
            key = (version.watchlist, version.version)
            if key not in self._indexes:
                entities = [ListedEntity.from_dict(_loads(b)) for b in session.watchlist_bodies(*key)]
                self._indexes[key] = (ScreeningIndex.build(entities), {e.entity_id: e for e in entities})
            index, by_id = self._indexes[key]
            active.append((version, index, by_id))
        return active

    def screen_queries(
        self, queries: Sequence[Query], *, threshold: float | None = None, limit: int = 5
    ) -> list[list[ActiveMatch]]:
        """Screen queries (from the API, a console form) against every active list, writing nothing:
        for each query, its matches across the lists, best first, at or above `threshold` (default:
        each list's own threshold), at most `limit`. The lists' indexes are the cached ones."""
        with self.store.writing() as session:
            active = self._active(session)
        results: list[list[ActiveMatch]] = []
        for query in queries:
            found: list[ActiveMatch] = []
            for version, index, by_id in active:
                wanted = version.threshold if threshold is None else threshold
                for match in index.screen(query, threshold=wanted, limit=limit):
                    entity = by_id[match.entity_id]
                    found.append(
                        ActiveMatch(
                            watchlist=version.watchlist,
                            version=version.version,
                            entity_id=match.entity_id,
                            caption=entity.caption,
                            name=match.name,
                            score=match.score,
                            explanation=match.explanation,
                        )
                    )
            found.sort(key=lambda m: (-m.score, m.watchlist, m.entity_id))
            results.append(found[:limit])
        return results

    # -- screening --------------------------------------------------------------------------------

    def _screen(
        self, session: WriteSession, journeys: Iterable[Journey], now: datetime, only: str | None = None
    ) -> ScreenReport:
        report = ScreenReport()
        active = [a for a in self._active(session) if only is None or a[0].watchlist == only]
        if not active:
            return report
        suppressed = session.false_positives()
        found: dict[str, ScreeningHit] = {}
        for journey in journeys:
            query = query_of(journey)
            if query is None:
                continue
            report.screened += 1
            subject = subject_of(journey)
            for version, index, by_id in active:
                for match in index.screen(query, threshold=version.threshold, limit=3):
                    entity = by_id[match.entity_id]
                    fingerprint = entity.fingerprint()
                    if (subject, entity.entity_id, fingerprint) in suppressed:
                        report.suppressed += 1
                        continue
                    hit_id = content_id(
                        "H", journey.train.key, subject, version.watchlist, entity.entity_id, fingerprint
                    )
                    found[hit_id] = ScreeningHit(
                        event_id=f"hit-{hit_id}",
                        type="screening.hit",
                        occurred_at=now,
                        hit_id=hit_id,
                        watchlist=version.watchlist,
                        version=version.version,
                        entity_id=entity.entity_id,
                        entity_fingerprint=fingerprint,
                        caption=entity.caption,
                        subject=subject,
                        name=query.name or query.document_number or subject,
                        on_train=journey.train,
                        passenger_ref=journey.passenger_ref,
                        score=match.score,
                        explanation=match.explanation[:4000],
                    )
        known = session.hit_ids(found)
        events = [found[h] for h in sorted(found) if h not in known]
        if events:
            session.append([LedgerEntry.of(e) for e in events], recorded_at=now)
            for event in events:
                report.hits.append(self.apply_hit(session, event))
        return report

    def on_batch(self, session: WriteSession, stored: Sequence[LedgerEntry], now: datetime) -> ScreenReport:
        """Screen what an ingest batch brought: new manifests' passengers, and checked documents
        that no manifest names. Also folds screening events the batch itself carried."""
        self.apply_entries(session, stored, strict=True)
        # Types and train keys first, events parsed last: without a watchlist nothing is parsed.
        manifests = {e.train_key for e in stored if e.type == "manifest.submitted" and e.train_key}
        checks = [e for e in stored if e.type == "passenger.checked" and e.train_key]
        if not (manifests or checks) or not session.watchlist_versions():
            return ScreenReport()
        checked = {
            e.train_key
            for e in checks
            if isinstance(e.event, PassengerChecked) and e.event.travel_document and e.train_key
        }
        journeys = [
            j
            for j in session.journeys_of_trains(manifests | checked)
            if j.train.key in manifests or (not j.on_manifest and j.document_key)
        ]
        return self._screen(session, journeys, now)

    # -- folding the events -----------------------------------------------------------------------

    def apply_entries(self, session: WriteSession, entries: Iterable[LedgerEntry], *, strict: bool) -> None:
        for entry in entries:
            if entry.type not in SCREENING_TYPES:
                continue
            event = entry.event
            if isinstance(event, WatchlistUpdated):
                stored = session.watchlist_bodies(event.watchlist, event.version)
                if _digest([("", b) for b in stored]) != event.digest:
                    raise ConflictError(
                        f"{event.event_id}: the entries of {event.watchlist} {event.version} are not in the "
                        "store (import a list with `transitguard watchlist import`)"
                    )
                session.save_watchlist(_version_of(event), None)
            elif isinstance(event, ScreeningHit):
                if not session.hit_ids([event.hit_id]):
                    self.apply_hit(session, event)
            elif isinstance(event, ScreeningReviewed):
                self.apply_review(session, event, strict=strict)

    def apply_hit(self, session: WriteSession, event: ScreeningHit) -> Hit:
        hit = Hit(
            hit_id=event.hit_id,
            watchlist=event.watchlist,
            version=event.version,
            entity_id=event.entity_id,
            entity_fingerprint=event.entity_fingerprint,
            caption=event.caption,
            subject=event.subject,
            name=event.name,
            train_key=event.on_train.key if event.on_train else None,
            passenger_ref=event.passenger_ref,
            score=event.score,
            explanation=event.explanation,
            raised_at=event.occurred_at,
            evidence=event.event_id,
        )
        alert = None
        if event.on_train is not None:
            alert = Alert(
                alert_id=hit_alert_id(event.hit_id),
                type="WATCHLIST_HIT",
                severity="critical",
                train=event.on_train,
                raised_at=event.occurred_at,
                message=(
                    f"{event.name} may be {event.caption} ({event.watchlist}, score {event.score:.2f}) "
                    f"on train {event.on_train.number}"
                ),
                evidence=(event.event_id,),
                passenger_ref=event.passenger_ref,
                document_key=event.subject.removeprefix("doc:") if event.subject.startswith("doc:") else None,
                details={
                    "hit_id": event.hit_id,
                    "watchlist": event.watchlist,
                    "version": event.version,
                    "entity_id": event.entity_id,
                    "score": event.score,
                    "explanation": event.explanation,
                },
            )
        session.save_hit(hit, alert)
        return hit

    def apply_review(self, session: WriteSession, event: ScreeningReviewed, *, strict: bool) -> None:
        hit = session.hit(event.hit_id)
        if hit is None or hit.status != "open":
            if strict:
                if hit is None:
                    raise NotFoundError(f"hit {event.hit_id!r} does not exist")
                raise ConflictError(f"hit {event.hit_id} is already reviewed ({hit.status})")
            return
        session.review_hit(event.hit_id, event.decision, event.by, event.reason, event.occurred_at)
        alert = session.alert(hit_alert_id(event.hit_id)) if hit.train_key else None
        if alert is None:
            return
        if event.decision == "false_positive" and alert.status in ("open", "acknowledged"):
            session.save_workflow(
                Workflow(alert.alert_id, "resolved", "false_alarm", event.by, event.occurred_at)
            )
        elif event.decision == "confirmed" and alert.status == "open":
            session.save_workflow(Workflow(alert.alert_id, "acknowledged", None, event.by, event.occurred_at))

    # -- reviewing --------------------------------------------------------------------------------

    def review(
        self, hit_id: str, decision: str, by: str, reason: str, *, audit: LedgerEntry | None = None
    ) -> Hit:
        """Record the review; with `audit`, that record is appended in the same transaction, so the
        review and the record of who made it are in the ledger together or not at all."""
        now = self.clock()
        event = ScreeningReviewed(
            event_id=f"review-{uuid.uuid4()}",  # two reviews in the same instant are two events
            type="screening.reviewed",
            occurred_at=now,
            hit_id=hit_id,
            decision=decision,  # type: ignore[arg-type]
            by=by,
            reason=reason,
        )
        with self.store.writing() as session:
            if session.hit(hit_id) is None:
                raise NotFoundError(f"hit {hit_id!r} does not exist")
            session.append([LedgerEntry.of(event), *([audit] if audit else [])], recorded_at=now)
            self.apply_review(session, event, strict=True)
            reviewed = session.hit(hit_id)
        if reviewed is None:  # pragma: no cover - saved in the same transaction
            raise NotFoundError(f"hit {hit_id!r} does not exist")
        return reviewed

    def rescreen(self) -> ScreenReport:
        """Screen every open journey against every active list (after a threshold change, say)."""
        now = self.clock()
        with self.store.writing() as session:
            return self._screen(session, session.open_journeys(), now)


def hit_alert_id(hit_id: str) -> str:
    return content_id("A", "WATCHLIST_HIT", hit_id)


def _version_of(event: WatchlistUpdated) -> WatchlistVersion:
    return WatchlistVersion(
        watchlist=event.watchlist,
        version=event.version,
        format=event.format,
        source=event.source,
        entities=event.entities,
        digest=event.digest,
        threshold=event.threshold if event.threshold is not None else DEFAULT_THRESHOLD,
        updated_at=event.occurred_at,
    )


def _loads(body: bytes) -> dict[str, Any]:
    data = orjson.loads(body)
    if not isinstance(data, dict):
        raise ValueError("a stored watchlist entry is not a JSON object")
    return data
