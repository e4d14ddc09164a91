"""EU Financial Sanctions Files (FSF), the consolidated list as XML (root <export>, namespace
http://eu.europa.ec/fpi/fsd/export; tags are matched without it).

sanctionEntity -> entity_id "eu-" + @logicalId (the FSF's own key; @euReferenceNumber goes to extra);
subjectType/@code person -> Person, enterprise -> Organization. Every nameAlias is a name, in whatever
language and script the EU gives it (Cyrillic next to Latin): the first strong one is the primary
name, other strong ones aliases, strong="false" weak aliases. Dates of birth come as @birthdate
("1965-03-12") or as @year/@monthOfYear/@dayOfMonth; a @yearRangeFrom/@yearRangeTo range gives each
year. listed_on is @designationDate, else the earliest regulation's publicationDate.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from transitguard.adapters.lists.dates import iso_day, years_between
from transitguard.adapters.lists.draft import EntityDraft, ListCollector, ListRead, clean
from transitguard.adapters.lists.xmlstream import XmlRecords, line_of
from transitguard.domain.watchlists import NameKind, PartialDate

FORMAT = "eu"
ROOTS = frozenset({"export"})
RECORDS = frozenset({"sanctionEntity"})
SCHEMAS = {"person": "Person", "enterprise": "Organization"}


def read_eu(path: Path) -> ListRead:
    collector = ListCollector(path, FORMAT)
    records = XmlRecords(path, ROOTS, RECORDS)
    for entity in records:
        _read_entity(entity, collector)
    generated = records.root_attrib.get("generationDate", "")
    source_date = None
    if generated:
        try:
            source_date = iso_day(generated)
        except ValueError as exc:
            collector.warn(1, f"generationDate: {exc}; the list's date is unknown")
    return collector.finish(source_date)


def _read_entity(entity: ET.Element, collector: ListCollector) -> None:
    logical_id = clean(entity.get("logicalId"))
    if not logical_id:
        collector.problem(line_of(entity), "sanctionEntity", "no logicalId")
        return
    where = f"sanctionEntity[{logical_id}]"
    subject = entity.find("subjectType")
    code = clean(subject.get("code")) if subject is not None else ""
    schema = SCHEMAS.get(code.casefold())
    if schema is None:
        collector.problem(
            line_of(entity), f"{where}/subjectType", f"code {code!r} is not person or enterprise"
        )
        return
    draft = EntityDraft(f"eu-{logical_id}", schema, line_of(entity), f"sanctionEntity {logical_id}")
    draft.add_extra("eu_reference_number", entity.get("euReferenceNumber"))
    draft.add_extra("un_reference_number", entity.get("unitedNationId"))
    draft.remarks += [clean(remark.text) for remark in entity.findall("remark")]
    _read_names(entity, draft)
    _read_regulations(entity, where, draft, collector)
    for birth in entity.findall("birthdate"):
        try:
            dates = _birth_dates(birth)
        except ValueError as exc:
            collector.problem(line_of(birth), f"{where}/birthdate", str(exc))
            continue
        draft.birth_dates += dates
        if birth.get("circa") == "true":
            for circa in dates:
                draft.add_extra("birth_date_circa", circa.iso())
        place = (clean(birth.get(key)) for key in ("city", "region", "countryDescription"))
        draft.add_extra("birth_place", ", ".join(p for p in place if p and p != "UNKNOWN"))
    for citizenship in entity.findall("citizenship"):
        country = collector.country(
            citizenship.get("countryIso2Code"), draft, "citizenship", keep_unknown=True
        )
        if country:
            draft.nationalities.append(country)
    for identification in entity.findall("identification"):
        country = collector.country(
            identification.get("countryIso2Code"), draft, "identification country", keep_unknown=True
        )
        kind = identification.get("identificationTypeCode")
        draft.add_document(identification.get("number"), kind, country)
        if clean(identification.get("latinNumber")) != clean(identification.get("number")):
            draft.add_document(identification.get("latinNumber"), kind, country)
    collector.add(draft)


def _read_names(entity: ET.Element, draft: EntityDraft) -> None:
    primary_taken = False
    for alias in entity.findall("nameAlias"):
        strong = alias.get("strong", "true") != "false"
        kind: NameKind = "primary" if strong and not primary_taken else "alias" if strong else "weak"
        before = len(draft.names)
        draft.add_name(
            alias.get("wholeName"),
            kind,
            alias.get("firstName"),
            alias.get("middleName"),
            alias.get("lastName"),
        )
        primary_taken = primary_taken or (kind == "primary" and len(draft.names) > before)
        if draft.sex is None and alias.get("gender") in ("M", "F"):
            draft.sex = "M" if alias.get("gender") == "M" else "F"
        draft.add_extra("function", alias.get("function"))


def _read_regulations(entity: ET.Element, where: str, draft: EntityDraft, collector: ListCollector) -> None:
    published = []
    for regulation in entity.findall("regulation"):
        draft.programs.append(clean(regulation.get("programme")))
        if clean(regulation.get("publicationDate")):
            try:
                published.append(iso_day(regulation.get("publicationDate", "")))
            except ValueError as exc:
                collector.problem(line_of(regulation), f"{where}/regulation/@publicationDate", str(exc))
    designated = clean(entity.get("designationDate"))
    if designated:
        try:
            draft.listed_on = iso_day(designated)
        except ValueError as exc:
            collector.problem(draft.line, f"{where}/@designationDate", str(exc))
    else:
        draft.listed_on = min(published, default=None)


def _birth_dates(birth: ET.Element) -> tuple[PartialDate, ...]:
    full = clean(birth.get("birthdate"))
    if full:
        return (PartialDate.parse(full),)
    year, month, day = (clean(birth.get(key)) for key in ("year", "monthOfYear", "dayOfMonth"))
    if year:
        if not all(part.isdigit() for part in (year, month or "0", day or "0")):
            raise ValueError(f"year {year!r}, month {month!r}, day {day!r} are not numbers")
        try:
            return (PartialDate(int(year), int(month) if month else None, int(day) if day else None),)
        except ValueError as exc:
            raise ValueError(
                f"year {year}, month {month or '-'}, day {day or '-'} is an impossible date ({exc})"
            ) from None
    first, last = clean(birth.get("yearRangeFrom")), clean(birth.get("yearRangeTo"))
    if first or last:
        if not (first.isdigit() and last.isdigit()):
            raise ValueError(
                f"a range needs yearRangeFrom and yearRangeTo as years, not {first!r} and {last!r}"
            )
        return years_between(int(first), int(last))
    return ()
