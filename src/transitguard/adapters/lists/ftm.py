"""FollowTheMoney entities, one JSON object a line (OpenSanctions exports, yente fixtures).

Screenable schemas become entries; the rest (Address, Sanction, Ownership, Family, ...) are not
screened and are counted in one warning. Two kinds of them still add to an entry they point at:
a Passport or Identification (`holder`) gives the entry its document, a Sanction (`entity`) its
programme and listing date. The file is read once; such links are resolved at its end, so they may
come before or after the entry they name.

Countries: FtM writes ISO alpha-2 in lower case ("ru"); a person's `nationality` and `citizenship`
are their nationalities, an organisation's or a vessel's `country`, `jurisdiction` and `flag` its.
A person's `country` (residence or other ties) is kept in `extra`, not as a nationality.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from transitguard.adapters.lists.dates import iso_day
from transitguard.adapters.lists.draft import EntityDraft, ListCollector, ListRead, clean
from transitguard.domain.watchlists import NameKind, PartialDate, Sex

FORMAT = "ftm"
SCREENED = frozenset({"Person", "Organization", "Company", "LegalEntity", "PublicBody", "Vessel", "Airplane"})
IDENTIFICATIONS = frozenset({"Passport", "Identification"})
NAME_KINDS: tuple[tuple[str, NameKind], ...] = (
    ("name", "primary"),
    ("alias", "alias"),
    ("previousName", "alias"),
    ("weakAlias", "weak"),
)
SEX: dict[str, Sex] = {"male": "M", "female": "F"}
ORGANISATION_COUNTRIES = ("jurisdiction", "country", "flag")


@dataclass(frozen=True)
class _Link:
    """A Passport/Identification or Sanction pointing at an entry by id."""

    line: int
    schema: str
    source_id: str
    target: str
    properties: dict[str, list[str]]

    @property
    def label(self) -> str:
        return f"{self.schema} {self.source_id}"


def read_ftm(path: Path) -> ListRead:
    collector = ListCollector(path, FORMAT)
    documents: list[_Link] = []
    sanctions: list[_Link] = []
    skipped: Counter[str] = Counter()
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            parsed = _parse_line(raw, number, collector)
            if parsed is None:
                continue
            entity_id, schema, properties = parsed
            if schema in SCREENED:
                collector.add(_read_entity(entity_id, schema, properties, number, collector))
            elif schema in IDENTIFICATIONS:
                documents += [
                    _Link(number, schema, entity_id, holder, properties)
                    for holder in properties.get("holder", [])
                ]
            elif schema == "Sanction":
                sanctions += [
                    _Link(number, schema, entity_id, target, properties)
                    for target in properties.get("entity", [])
                ]
                skipped[schema] += 1
            else:
                skipped[schema] += 1
    for link in documents:
        _attach_document(link, collector)
    for link in sanctions:
        _attach_sanction(link, collector)
    if skipped:
        counts = ", ".join(f"{schema} {count}" for schema, count in skipped.most_common())
        collector.warnings.append(
            f"{collector.source}: {sum(skipped.values())} entities not screened ({counts})"
        )
    return collector.finish()


def _parse_line(
    raw: bytes, number: int, collector: ListCollector
) -> tuple[str, str, dict[str, list[str]]] | None:
    try:
        body: Any = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        collector.problem(number, "", f"not a JSON object: {exc}")
        return None
    if not isinstance(body, dict):
        collector.problem(number, "", f"a line must be one JSON object, not {type(body).__name__}")
        return None
    entity_id, schema, properties = body.get("id"), body.get("schema"), body.get("properties", {})
    for key, value in (("id", entity_id), ("schema", schema)):
        if not isinstance(value, str) or not value.strip():
            collector.problem(number, key, "required, a non-empty string")
            return None
    if not isinstance(properties, dict) or not all(
        isinstance(values, list) and all(isinstance(v, str) for v in values) for values in properties.values()
    ):
        collector.problem(number, "properties", "must map each property to a list of strings")
        return None
    return str(entity_id).strip(), str(schema).strip(), properties


def _read_entity(
    entity_id: str, schema: str, properties: dict[str, list[str]], line: int, collector: ListCollector
) -> EntityDraft:
    draft = EntityDraft(entity_id, schema, line, f"{schema} {entity_id}")

    def values(name: str) -> list[str]:
        return [text for text in (clean(v) for v in properties.get(name, [])) if text]

    firsts, lasts = values("firstName"), values("lastName")
    middles = values("middleName") + values("fatherName")
    for prop, kind in NAME_KINDS:
        for full in values(prop):
            first, middle, last = _parts_in(full, firsts, middles, lasts)
            draft.add_name(full, kind, first, middle, last)
    if not draft.names and (firsts or lasts):
        draft.add_name(None, "primary", _first(firsts), _first(middles), _first(lasts))
    for index, text in enumerate(values("birthDate")):
        try:
            draft.birth_dates.append(PartialDate.parse(text))
        except ValueError as exc:
            collector.problem(line, f"properties.birthDate[{index}]", str(exc))
    person = schema == "Person"
    for prop in ("nationality", "citizenship") if person else ORGANISATION_COUNTRIES:
        for code in values(prop):
            country = collector.country(code, draft, prop, keep_unknown=True)
            if country:
                draft.nationalities.append(country)
    if person:
        for code in values("country"):
            draft.add_extra("country", collector.country(code, draft, "country", keep_unknown=True))
    genders = {SEX[g.casefold()] for g in values("gender") if g.casefold() in SEX}
    draft.sex = genders.pop() if len(genders) == 1 else None
    for number in values("passportNumber"):
        draft.add_document(number, "passport")
    for number in values("idNumber"):
        draft.add_document(number, "id")
    draft.programs += values("programId") + values("program")
    draft.remarks += values("notes")
    draft.listed_on = _earliest_day(values("createdAt"))
    for key, prop in (("topic", "topics"), ("birth_place", "birthPlace"), ("imo_number", "imoNumber")):
        for value in values(prop):
            draft.add_extra(key, value)
    return draft


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _parts_in(
    full: str, firsts: list[str], middles: list[str], lasts: list[str]
) -> tuple[str | None, str | None, str | None]:
    """The given, middle and last name that this name spells out. FtM keeps the parts apart from the
    names (in every script at once), so a part belongs to a name only when the name spells it out and
    it shares no word with a part already taken: the last name first, then the middle one, then the
    given one, the longest fitting candidate each time, as the name writes it ("ZAKHAROV")."""
    taken: set[str] = set()

    def pick(candidates: list[str]) -> str | None:
        found = {}
        for candidate in candidates:
            spelled = re.search(rf"(?<!\w){re.escape(candidate)}(?!\w)", full, flags=re.IGNORECASE)
            if spelled and not _words(candidate) & taken:
                found[candidate] = spelled.group(0)
        if not found:
            return None
        best = found[max(found, key=len)]
        taken.update(_words(best))
        return best

    last = pick(lasts)
    middle = pick(middles) if last else None
    first = pick(firsts) if last else None
    return (first, middle, last) if first else (None, None, None)


def _earliest_day(texts: list[str]) -> date | None:
    days = []
    for text in texts:
        try:
            days.append(iso_day(text))
        except ValueError:
            continue  # a record date that is a year alone says nothing about a listing day
    return min(days, default=None)


def _attach_document(link: _Link, collector: ListCollector) -> None:
    holder = collector.get(link.target)
    numbers = [
        clean(n) for n in link.properties.get("number", []) + link.properties.get("passportNumber", [])
    ]
    numbers = [n for n in numbers if n]
    if holder is None:
        collector.warn(
            link.line, f"{link.label}: its holder {link.target} is not a screened entity here, left out"
        )
        return
    if not numbers:
        collector.warn(link.line, f"{link.label}: no number, nothing added to {link.target}")
        return
    kind = clean(" ".join(link.properties.get("type", []))) or link.schema.lower()
    country = None
    for code in link.properties.get("country", []):
        country = collector.country(code, holder, "document country", keep_unknown=True)
    for number in numbers:
        holder.add_document(number, kind, country)


def _attach_sanction(link: _Link, collector: ListCollector) -> None:
    target = collector.get(link.target)
    if target is None:
        return  # sanctions on entities that are not screened (or not in this file) do not matter here
    programs = link.properties.get("programId") or link.properties.get("program", [])
    target.programs += programs
    days = _earliest_day(link.properties.get("listingDate", []) + link.properties.get("startDate", []))
    if days is not None and (target.listed_on is None or days < target.listed_on):
        target.listed_on = days
