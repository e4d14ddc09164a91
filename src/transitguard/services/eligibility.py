"""Entry eligibility as a use case: a file of persons → a file of decisions, and the question an alert asks.

`check_file` (the CLI's `transitguard eligibility check --input PERSONS.jsonl --output DECISIONS.jsonl`):

- input, one JSON object per line: `{"id", "date": "YYYY-MM-DD", "nationality": "RUS", "purpose"?,
  "documents": [{"kind", "valid_until"?, "issuing_state"?, "biometric"?, "valid_from"?}],
  "categories"?: [...], "listed"?: false}` (`biometric`, `valid_from` and `listed` are optional additions:
  a passport's chip as read at the checkpoint, a visa not valid yet, a travel-ban hit the caller found);
- output, one per input line, in order: `{"id", "decision": "ALLOW"|"REFUSE", "refusal_code"?,
  "reasons": [{"rule", "legal_basis", "message"}]}`.

Every line is checked before anything is written (EventValidationError names file, line and field, up
to 100 problems); the decisions go to a temporary file renamed into place at the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from transitguard.adapters.formats.jsonl import write_lines_atomically
from transitguard.domain.records import Journey
from transitguard.engines.eligibility import (
    EligibilityDecision,
    EligibilityRequest,
    PersonDocument,
    decide,
)
from transitguard.errors import EventValidationError, Problem
from transitguard.rulepacks.people import PeopleRules
from transitguard.services.sources import numbered_lines_of

__all__ = ["check_file", "read_persons", "would_have_been_entitled"]

MAX_PROBLEMS = 100


def _text_id(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


LineId = Annotated[str, BeforeValidator(_text_id), Field(min_length=1, max_length=200)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class _Line(BaseModel):
    # Strict, from JSON text: dates only as YYYY-MM-DD strings, booleans only as true/false.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class DocumentLine(_Line):
    kind: Annotated[str, Field(min_length=1)]
    valid_until: date | None = None
    issuing_state: CountryCode | None = None
    biometric: bool | None = None
    valid_from: date | None = None


class PersonLine(_Line):
    id: LineId
    on_date: date = Field(alias="date")
    nationality: CountryCode
    purpose: str | None = None
    documents: list[DocumentLine]
    categories: list[str] = []
    listed: bool = False


# -- shared by the file services (eligibility, frtd) --------------------------------------------------


def field_path(loc: Iterable[int | str]) -> str:
    parts: list[str] = []
    for part in loc:
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts)


def problem_from(exc: ValidationError, source: str, line: int) -> Problem:
    """The first thing wrong with a line, in the producer's terms."""
    first = exc.errors()[0]
    kind, value = first["type"], first.get("input")
    message = str(first["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        reason = "unknown field"
    elif kind == "missing":
        reason = "required field is missing"
    elif kind in ("date_parsing", "date_type", "date_from_datetime_parsing"):
        reason = f"{value!r} is not a date in the form YYYY-MM-DD"
    elif kind == "timezone_aware":
        reason = f"{value!r} has no UTC offset (RFC 3339 needs one, e.g. +03:00 or Z)"
    elif kind in ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"):
        reason = f"{value!r} is not an RFC 3339 timestamp with offset, e.g. 2025-07-01T10:15:00+03:00"
    elif kind == "json_invalid":
        return Problem(source, line, "", f"not valid JSON: {message}")
    elif kind == "model_type" and not first["loc"]:
        return Problem(source, line, "", "expected a JSON object (one per line)")
    else:
        reason = message
    return Problem(source, line, field_path(first["loc"]), reason)


# -- persons -------------------------------------------------------------------------------------------


def _request(person: PersonLine, rules: PeopleRules, source: str, line: int) -> EligibilityRequest | Problem:
    catalogue = rules.catalogue
    if person.on_date < rules.covers_from:
        return Problem(
            source, line, "date", f"{person.on_date} is before {rules.covers_from}, the rules' start"
        )
    if person.purpose is not None and person.purpose not in catalogue.purposes:
        known = ", ".join(catalogue.purposes)
        return Problem(source, line, "purpose", f"unknown purpose {person.purpose!r} (known: {known})")
    for index, document in enumerate(person.documents):
        if document.kind not in catalogue.documents:
            known = ", ".join(catalogue.documents)
            return Problem(
                source, line, f"documents[{index}].kind", f"unknown kind {document.kind!r} (known: {known})"
            )
    for index, category in enumerate(person.categories):
        if category not in catalogue.categories:
            known = ", ".join(catalogue.categories)
            return Problem(
                source, line, f"categories[{index}]", f"unknown category {category!r} (known: {known})"
            )
    return EligibilityRequest(
        on_date=person.on_date,
        nationality=person.nationality,
        purpose=person.purpose,
        documents=tuple(
            PersonDocument(d.kind, d.valid_until, d.issuing_state, d.biometric, d.valid_from)
            for d in person.documents
        ),
        categories=frozenset(person.categories),
        listed=person.listed,
    )


def read_persons(
    path: Path, rules: PeopleRules, source: str | None = None
) -> Iterator[tuple[int, str, EligibilityRequest | Problem]]:
    """(line, id, request or problem) for every non-blank line; never raises on bad input."""
    source = source or str(path)
    seen: dict[str, int] = {}
    for number, raw in numbered_lines_of(path):
        try:
            person = PersonLine.model_validate_json(raw)
        except ValidationError as exc:
            yield number, "", problem_from(exc, source, number)
            continue
        if person.id in seen:
            yield (
                number,
                person.id,
                Problem(source, number, "id", f"{person.id!r} was already used on line {seen[person.id]}"),
            )
            continue
        seen[person.id] = number
        yield number, person.id, _request(person, rules, source, number)


def check_file(
    input: Path,  # the name the CLI contract gives it
    output: Path,
    *,
    rules: PeopleRules,
    on_line: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Decide every person in `input`; write the decisions to `output` atomically.
    Returns {"persons", "allowed", "refused", "refusal_codes": {letter: count}}."""
    problems = [item for _, _, item in read_persons(input, rules) if isinstance(item, Problem)]
    if problems:
        raise EventValidationError(problems[:MAX_PROBLEMS])
    counts: Counter[str] = Counter()
    codes: Counter[str] = Counter()

    def rows() -> Iterator[dict[str, Any]]:
        for _, person_id, request in read_persons(input, rules):
            if isinstance(request, Problem):  # the file changed since it was checked
                raise EventValidationError([request])
            decision = decide(request, rules)
            counts[decision.decision] += 1
            if decision.refusal_code:
                codes[decision.refusal_code] += 1
            if on_line is not None:
                on_line(1)
            yield {"id": person_id, **decision.as_dict()}

    write_lines_atomically(output, rows())
    return {
        "persons": counts.total(),
        "allowed": counts["ALLOW"],
        "refused": counts["REFUSE"],
        "refusal_codes": dict(sorted(codes.items())),
    }


# -- the question a PASSENGER_MISSING alert asks -------------------------------------------------------


def would_have_been_entitled(
    journey: Journey, rules: PeopleRules, on_date: date, *, listed: bool = False
) -> EligibilityDecision | None:
    """Would this passenger have been entitled to enter Lithuania on `on_date`, from what the manifest
    says? None when the manifest does not say enough (no nationality, or no transit document kind) or
    the date is before the rules' coverage.

    The manifest gives the passport (its expiry and issuing state) and one transit document kind
    (FRTD, FTD, SCHENGEN_VISA, NATIONAL_VISA, RESIDENCE_PERMIT, EU_CITIZEN) with its validity; it gives
    no purpose, no categories and no chip, so the purpose counts as unstated and the passport as
    biometric: a diplomat or a family member of an EU citizen shows as REFUSE until the guard knows.
    """
    if journey.nationality is None or journey.transit_kind is None or on_date < rules.covers_from:
        return None
    if journey.transit_kind not in rules.catalogue.documents:
        return None
    issuer = journey.document_key.split(":", 1)[0] if journey.document_key else journey.nationality
    documents = [PersonDocument("PASSPORT", journey.travel_document_expires, issuer)]
    if journey.transit_kind == "EU_CITIZEN":
        documents = [PersonDocument("EU_CITIZEN", journey.travel_document_expires, issuer)]
    else:
        documents.append(
            PersonDocument(
                journey.transit_kind, journey.transit_valid_until, valid_from=journey.transit_valid_from
            )
        )
    request = EligibilityRequest(
        on_date=on_date,
        nationality=journey.nationality,
        purpose=None,
        documents=tuple(documents),
        listed=listed,
    )
    return decide(request, rules)
