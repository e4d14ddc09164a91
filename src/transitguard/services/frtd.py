"""FRTD decisions as a use case: the railway's applications (JSON Lines) → decisions (JSON Lines).

The CLI's `transitguard frtd decide --input APPLICATIONS.jsonl --output DECISIONS.jsonl`.

Input, one application per line:

    {"application_id": "A-1", "received_at": "2025-07-01T09:00:00+03:00",
     "person": {"surname", "given_names", "birth_date", "sex", "nationality"},
     "travel_document": {"type": "PASSPORT", "number", "issuing_state", "expires", "biometric"?},
     "trains": {"outbound": {"number", "service_date", "departure_at"}, "return"?: {...}}}

`type` is a travel-document kind of the people catalogue (PASSPORT, DIPLOMATIC_PASSPORT,
INTERNAL_PASSPORT). A missing person, document or train field is an incomplete application: decided
(REFUSE, naming the fields), not rejected. Unknown fields, wrong types, impossible dates, times without
an offset, an unknown document type or an application id used twice reject the file: nothing is written.

Output, one decision per application, in order:

    {"application_id", "decision": "GRANT"|"REFUSE"|"REFER", "decided_at", "deadline", "late",
     "reasons": [{"rule", "legal_basis", "message"}],
     "frtd": {"number", "issuing_state", "territory", "valid_from", "valid_until",
              "authorised_transit_hours", "max_transits", "outbound": {...}, "return": {...}|null,
              "surname", "given_names", "birth_date", "sex", "nationality",
              "travel_document": {"type", "number", "issuing_state", "expires"}} | null,
     "screening": [{"entity_id", "name", "score", "explanation"}]}

Earlier violations are looked up under the applicant's keys (engines/frtd.py `applicant_keys`): the
travel document key (`RUS:751234567`) and the person key (`person:SURNAME|GIVEN NAMES|YYYY-MM-DD`); a
violation recorded under both counts once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transitguard.adapters.formats.jsonl import write_lines_atomically
from transitguard.engines.frtd import (
    FrtdApplication,
    FrtdContext,
    FrtdDecision,
    WatchlistMatch,
    applicant_keys,
    decide_frtd,
)
from transitguard.engines.screening import DEFAULT_THRESHOLD, Query, ScreeningIndex
from transitguard.errors import EventValidationError, Problem
from transitguard.rulepacks.loader import RulePack
from transitguard.rulepacks.people import PeopleRules, load_people_rules
from transitguard.services.eligibility import MAX_PROBLEMS, problem_from
from transitguard.services.sources import numbered_lines_of

__all__ = ["decide_file", "decide_one", "read_applications", "screen_applicant", "violations_of"]


def read_applications(
    path: Path, rules: PeopleRules, source: str | None = None
) -> Iterator[tuple[int, FrtdApplication | Problem]]:
    """(line, application or problem) for every non-blank line; never raises on bad input."""
    source = source or str(path)
    travel_kinds = [k for k, spec in rules.catalogue.documents.items() if spec.travel_document]
    seen: dict[str, int] = {}
    for number, raw in numbered_lines_of(path):
        try:
            application = FrtdApplication.model_validate_json(raw)
        except ValidationError as exc:
            yield number, problem_from(exc, source, number)
            continue
        kind = application.travel_document.type
        if kind is not None and kind not in travel_kinds:
            reason = f"{kind!r} is not a travel document kind (known: {', '.join(travel_kinds)})"
            yield number, Problem(source, number, "travel_document.type", reason)
            continue
        first = seen.setdefault(application.application_id, number)
        if first != number:
            reason = f"{application.application_id!r} was already used on line {first}"
            yield number, Problem(source, number, "application_id", reason)
            continue
        yield number, application


def screen_applicant(
    application: FrtdApplication, index: ScreeningIndex, threshold: float = DEFAULT_THRESHOLD, limit: int = 5
) -> tuple[WatchlistMatch, ...]:
    person = application.person
    name = " ".join(part for part in (person.given_names, person.surname) if part)
    if not person.surname:
        return ()
    query = Query(
        id=application.application_id,
        name=name,
        birth_date=person.birth_date.isoformat() if person.birth_date else None,
        nationality=person.nationality,
        sex=person.sex,
        document_number=application.travel_document.number,
    )
    return tuple(
        WatchlistMatch(m.entity_id, m.score, m.explanation, m.name)
        for m in index.screen(query, threshold=threshold, limit=limit)
    )


def violations_of(application: FrtdApplication, violations: Mapping[str, list[str]]) -> tuple[str, ...]:
    """The applicant's earlier violations: for each kind, the most times any one key records it."""
    most: Counter[str] = Counter()
    for key in applicant_keys(application):
        for kind, times in Counter(violations.get(key, ())).items():
            most[kind] = max(most[kind], times)
    return tuple(sorted(most.elements()))


def decide_file(
    input: Path,  # the name the CLI contract gives it
    output: Path,
    *,
    pack: RulePack,
    now: datetime,
    screening_index: ScreeningIndex | None = None,
    violations: Mapping[str, list[str]] | None = None,
    rules: PeopleRules | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    on_line: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Decide every application in `input`; write the decisions to `output` atomically.
    Returns {"applications", "granted", "refused", "referred", "late"}."""
    if now.tzinfo is None:
        raise ValueError("now must carry its UTC offset")
    rules = rules or load_people_rules(pack.path)
    problems = [item for _, item in read_applications(input, rules) if isinstance(item, Problem)]
    if problems:
        raise EventValidationError(problems[:MAX_PROBLEMS])
    counts: Counter[str] = Counter()

    def decisions() -> Iterator[dict[str, Any]]:
        for _, application in read_applications(input, rules):
            if isinstance(application, Problem):  # the file changed since it was checked
                raise EventValidationError([application])
            decision = decide_one(application, pack, rules, now, screening_index, violations or {}, threshold)
            counts[decision.decision] += 1
            counts["late"] += decision.late
            if on_line is not None:
                on_line(1)
            yield decision.as_dict()

    write_lines_atomically(output, decisions())
    return {
        "applications": counts["GRANT"] + counts["REFUSE"] + counts["REFER"],
        "granted": counts["GRANT"],
        "refused": counts["REFUSE"],
        "referred": counts["REFER"],
        "late": counts["late"],
    }


def decide_one(
    application: FrtdApplication,
    pack: RulePack,
    rules: PeopleRules,
    now: datetime,
    screening_index: ScreeningIndex | None = None,
    violations: Mapping[str, list[str]] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    entry_ban: str | None = None,
) -> FrtdDecision:
    """One application: screen the name (when an index is given), look up earlier violations, decide."""
    hits = screen_applicant(application, screening_index, threshold) if screening_index is not None else ()
    context = FrtdContext(
        now=now,
        entry_ban=entry_ban,
        watchlist_hits=hits,
        violations=violations_of(application, violations or {}),
    )
    return decide_frtd(application, context, corridor=pack.corridor, rules=rules)
