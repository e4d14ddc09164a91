"""OFAC SDN list, XML (`sdn.xml`, schema sdnList.xsd; namespace
https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML, or the older
http://tempuri.org/sdnList.xsd: both read the same, tags are matched without their namespace).

sdnEntry -> entity_id "ofac-" + uid; sdnType Individual -> Person, Entity -> Organization, Vessel,
Aircraft -> Airplane. akaList/aka with category "weak" are weak aliases, the others aliases. The dates
of birth are OFAC's texts ("12 Mar 1965", "circa 1965", "1960 to 1962"), read as in the CSV.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from transitguard.adapters.lists.draft import EntityDraft, ListCollector, ListRead, clean
from transitguard.adapters.lists.ofac_remarks import DOCUMENT_KINDS, birth_dates
from transitguard.adapters.lists.xmlstream import XmlRecords, line_of
from transitguard.domain.watchlists import NameKind

FORMAT = "ofac-xml"
ROOTS = frozenset({"sdnList"})
RECORDS = frozenset({"sdnEntry"})
SCHEMAS = {"individual": "Person", "entity": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}
VESSEL_EXTRA = (
    ("call_sign", "callSign"),
    ("vessel_type", "vesselType"),
    ("vessel_owner", "vesselOwner"),
    ("tonnage", "tonnage"),
    ("grt", "grossRegisteredTonnage"),
)


def _text(parent: ET.Element, path: str) -> str:
    child = parent.find(path)
    return clean(child.text) if child is not None else ""


def read_ofac_xml(path: Path) -> ListRead:
    collector = ListCollector(path, FORMAT)
    records = XmlRecords(path, ROOTS, RECORDS)
    for entry in records:
        _read_entry(entry, collector)
    published = records.header.get("Publish_Date", "")
    source_date = None
    if published:
        try:
            source_date = datetime.strptime(published, "%m/%d/%Y").date()
        except ValueError:
            collector.warn(1, f"Publish_Date {published!r} is not MM/DD/YYYY; the list's date is unknown")
    return collector.finish(source_date)


def _read_entry(entry: ET.Element, collector: ListCollector) -> None:
    uid = _text(entry, "uid")
    if not uid:
        collector.problem(line_of(entry), "sdnEntry", "no uid")
        return
    where = f"sdnEntry[{uid}]"
    sdn_type = _text(entry, "sdnType")
    schema = SCHEMAS.get(sdn_type.casefold())
    if schema is None:
        collector.problem(
            line_of(entry), f"{where}/sdnType", f"{sdn_type!r} is not Individual, Entity, Vessel or Aircraft"
        )
        return
    draft = EntityDraft(f"ofac-{uid}", schema, line_of(entry), f"sdnEntry {uid}")
    _add_name(draft, entry, "primary")
    for aka in entry.iterfind("akaList/aka"):
        _add_name(draft, aka, "weak" if _text(aka, "category").casefold() == "weak" else "alias")
    draft.programs += [clean(p.text) for p in entry.iterfind("programList/program")]
    draft.add_extra("title", _text(entry, "title"))
    draft.remarks.append(_text(entry, "remarks"))
    for item in entry.iterfind("dateOfBirthList/dateOfBirthItem/dateOfBirth"):
        try:
            dates = birth_dates(clean(item.text))
        except ValueError as exc:
            collector.problem(line_of(item), f"{where}/dateOfBirthList/dateOfBirthItem/dateOfBirth", str(exc))
            continue
        if dates is None:
            collector.warn(
                line_of(item), f"{draft.label}: {clean(item.text)!r} is not a date of birth OFAC writes"
            )
            draft.add_extra("birth_date_text", item.text)
        else:
            draft.birth_dates += dates
    for item in entry.iterfind("placeOfBirthList/placeOfBirthItem/placeOfBirth"):
        draft.add_extra("birth_place", item.text)
    for path in ("nationalityList/nationality/country", "citizenshipList/citizenship/country"):
        for country_element in entry.iterfind(path):
            country = collector.country(country_element.text, draft, "nationality", keep_unknown=False)
            if country:
                draft.nationalities.append(country)
    for identity in entry.iterfind("idList/id"):
        _read_id(identity, draft, collector)
    vessel = entry.find("vesselInfo")
    if vessel is not None:
        for key, tag in VESSEL_EXTRA:
            draft.add_extra(key, _text(vessel, tag))
        flag = collector.country(_text(vessel, "vesselFlag"), draft, "vesselFlag", keep_unknown=False)
        if flag:
            draft.nationalities.append(flag)
    collector.add(draft)


def _add_name(draft: EntityDraft, element: ET.Element, kind: NameKind) -> None:
    first, last = _text(element, "firstName"), _text(element, "lastName")
    if draft.is_person and first and last:
        draft.add_name(f"{last}, {first}", kind, first, None, last)
    else:
        draft.add_name(" ".join(p for p in (first, last) if p), kind)


def _read_id(identity: ET.Element, draft: EntityDraft, collector: ListCollector) -> None:
    kind, number = _text(identity, "idType"), _text(identity, "idNumber")
    if kind.casefold() == "gender":
        draft.sex = "M" if number.casefold() == "male" else "F" if number.casefold() == "female" else None
    elif kind in DOCUMENT_KINDS:
        country = collector.country(_text(identity, "idCountry"), draft, "idCountry", keep_unknown=False)
        draft.add_document(number, kind, country)
    else:
        draft.add_extra(kind or "id", number)
