"""UN Security Council Consolidated List, XML (schema https://www.un.org/sc/resources/sc-sanctions.xsd).

INDIVIDUAL -> Person, ENTITY -> Organization; entity_id "un-" + REFERENCE_NUMBER (DATAID when it is
missing). Name parts: FIRST_NAME is the given name and the last of SECOND..FOURTH_NAME the last part;
the UN does not say which part is a surname, so `last` is the last written part, nothing more.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from transitguard.adapters.lists.dates import day_month_year, iso_day, years_between
from transitguard.adapters.lists.draft import EntityDraft, ListCollector, ListRead, clean
from transitguard.adapters.lists.xmlstream import XmlRecords, line_of
from transitguard.domain.watchlists import PartialDate

FORMAT = "un"
ROOTS = frozenset({"CONSOLIDATED_LIST"})
RECORDS = frozenset({"INDIVIDUAL", "ENTITY"})
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# QUALITY of an alias: "Low" is a weak alias; "Good", "a.k.a.", "f.k.a." and none are aliases.
ALIAS_QUALITIES = frozenset({"good", "a.k.a.", "f.k.a.", "n.k.a.", ""})


def _text(parent: ET.Element, path: str) -> str:
    child = parent.find(path)
    return clean(child.text) if child is not None else ""


def read_un(path: Path) -> ListRead:
    collector = ListCollector(path, FORMAT)
    records = XmlRecords(path, ROOTS, RECORDS)
    for record in records:
        _read_record(record, collector)
    generated = records.root_attrib.get("dateGenerated", "")
    source_date = None
    if generated:
        try:
            source_date = iso_day(generated)
        except ValueError as exc:
            collector.warn(1, f"dateGenerated: {exc}; the list's date is unknown")
    return collector.finish(source_date)


def _read_record(record: ET.Element, collector: ListCollector) -> None:
    reference = _text(record, "REFERENCE_NUMBER") or _text(record, "DATAID")
    if not reference:
        collector.problem(line_of(record), record.tag, "no REFERENCE_NUMBER and no DATAID")
        return
    is_person = record.tag == "INDIVIDUAL"
    draft = EntityDraft(
        f"un-{reference}",
        "Person" if is_person else "Organization",
        line_of(record),
        f"{record.tag} {reference}",
    )
    where = f"{record.tag}[{reference}]"
    parts = [part for part in (_text(record, tag) for tag in NAME_PARTS) if part]
    if is_person and len(parts) > 1:
        draft.add_name(" ".join(parts), first=parts[0], middle=" ".join(parts[1:-1]) or None, last=parts[-1])
    else:
        draft.add_name(" ".join(parts))
    for original in record.findall("NAME_ORIGINAL_SCRIPT"):
        draft.add_name(original.text)
    for alias in record.findall(f"{record.tag}_ALIAS"):
        quality = _text(alias, "QUALITY")
        if quality.casefold() not in ALIAS_QUALITIES | {"low"}:
            collector.warn(
                line_of(alias), f"{draft.label}: alias QUALITY {quality!r} is unknown, read as alias"
            )
        draft.add_name(_text(alias, "ALIAS_NAME"), "weak" if quality.casefold() == "low" else "alias")
    draft.programs.append(_text(record, "UN_LIST_TYPE"))
    draft.remarks.append(_text(record, "COMMENTS1"))
    listed_on = record.find("LISTED_ON")
    if listed_on is not None and clean(listed_on.text):
        try:
            draft.listed_on = iso_day(listed_on.text or "")
        except ValueError as exc:
            collector.problem(line_of(listed_on), f"{where}/LISTED_ON", str(exc))
    if is_person:
        _read_person(record, where, draft, collector)
    collector.add(draft)


def _read_person(record: ET.Element, where: str, draft: EntityDraft, collector: ListCollector) -> None:
    gender = _text(record, "GENDER")
    if gender:
        draft.sex = "M" if gender.casefold() == "male" else "F" if gender.casefold() == "female" else None
    for value in record.iterfind("NATIONALITY/VALUE"):
        country = collector.country(value.text, draft, "nationality", keep_unknown=False)
        if country:
            draft.nationalities.append(country)
    for birth in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        draft.birth_dates += _birth_dates(birth, f"{where}/INDIVIDUAL_DATE_OF_BIRTH", draft, collector)
    for place in record.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
        draft.add_extra(
            "birth_place",
            ", ".join(t for t in (_text(place, p) for p in ("CITY", "STATE_PROVINCE", "COUNTRY")) if t),
        )
    for document in record.findall("INDIVIDUAL_DOCUMENT"):
        _read_document(document, draft, collector)
    for key, tag in (("title", "TITLE"), ("designation", "DESIGNATION")):
        for value in record.iterfind(f"{tag}/VALUE"):
            draft.add_extra(key, value.text)


def _birth_dates(
    birth: ET.Element, where: str, draft: EntityDraft, collector: ListCollector
) -> tuple[PartialDate, ...]:
    """DATE, else YEAR, else each year FROM_YEAR..TO_YEAR, else a month and year in the NOTE. A value
    that is no date is a problem named at its own element."""
    for tag in ("DATE", "YEAR"):
        element = birth.find(tag)
        if element is not None and clean(element.text):
            try:
                return (PartialDate.parse(clean(element.text)),)
            except ValueError as exc:
                collector.problem(line_of(element), f"{where}/{tag}", str(exc))
                return ()
    first, last = _text(birth, "FROM_YEAR"), _text(birth, "TO_YEAR")
    if first or last:
        try:
            if not (first.isdigit() and last.isdigit()):
                raise ValueError(f"FROM_YEAR {first!r} and TO_YEAR {last!r} are not both years")
            return years_between(int(first), int(last))
        except ValueError as exc:
            collector.problem(line_of(birth), f"{where}/FROM_YEAR", str(exc))
            return ()
    note = _text(birth, "NOTE")
    if note:
        # Some entries give the date only in the note: "Nov. 1973", "August 1961".
        try:
            from_note = day_month_year(note)
        except ValueError:
            from_note = None
        if from_note is not None:
            return (from_note,)
        collector.warn(line_of(birth), f"{draft.label}: date of birth note {note!r} is not a date, left out")
        draft.add_extra("birth_date_text", note)
    return ()


def _read_document(document: ET.Element, draft: EntityDraft, collector: ListCollector) -> None:
    number, kind = _text(document, "NUMBER"), _text(document, "TYPE_OF_DOCUMENT")
    if not number:
        if kind:
            note = _text(document, "NOTE") or _text(document, "TYPE_OF_DOCUMENT2")
            collector.warn(line_of(document), f"{draft.label}: {kind} without NUMBER left out ({note})")
            draft.add_extra("document_text", f"{kind}: {note}")
        return
    country_text = _text(document, "ISSUING_COUNTRY") or _text(document, "COUNTRY_OF_ISSUE")
    country = collector.country(country_text, draft, "document country", keep_unknown=False)
    draft.add_document(number, kind, country)
