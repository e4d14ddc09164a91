"""What OFAC writes as text: names ("SURNAME, Given Names"), dates of birth ("DOB 12 Mar 1965",
"DOB circa 1965", "DOB 1960 to 1962") and, in the legacy CSV, the Remarks field ("DOB ...; POB ...;
nationality Russia; Passport 123456 (Russia); Gender Male; a.k.a. 'ABU ALI'.").

Remarks are read item by item (they are separated by ";"); an item this module does not know stays
in the remarks text and nothing else is made of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transitguard.adapters.lists.dates import day_month_year, years_between
from transitguard.adapters.lists.draft import clean
from transitguard.domain.watchlists import PartialDate, Sex

# Identity documents, as OFAC labels them in remarks and in the XML idType. Other identifiers (tax and
# company numbers, phone numbers, digital currency addresses) are not documents a traveller carries.
DOCUMENT_KINDS = (
    "Passport",
    "Diplomatic Passport",
    "Passport Booklet",
    "National ID No.",
    "National Foreign ID Number",
    "Cedula No.",
    "Identification Number",
    "D.N.I.",
    "Personal ID Card",
    "Residency Number",
    "Travel Document Number",
    "Turkish Identification Number",
    "Citizen's Card Number",
    "Kenyan ID No.",
    "Tazkira National ID Card",
    "Driver's License No.",
    "SSN",
    "C.U.R.P.",
    "C.U.R.P. #",
    "Electoral Registry No.",
    "Credencial electoral",
    "Birth Certificate Number",
    "Numero de Identidad",
    "C.U.I.",
    "I.F.E.",
    "LE Number",
    "Seafarer's Identification Document",
)
_KINDS = "|".join(re.escape(kind) for kind in sorted(DOCUMENT_KINDS, key=len, reverse=True))
_DOCUMENT = re.compile(
    rf"^(?P<kind>{_KINDS}):?\s+#?\s*(?!issued|expires)(?P<number>[^()]*?\d[^()]*?)\s*"
    r"(?:\((?P<country>[^)]*)\))?(?:[\s,;]+(?:issued|expires|valid|Issue Date|Expire Date)\b.*)?$",
    flags=re.IGNORECASE,
)
_DOB = re.compile(r"^DOB\s+(?P<circa>circa\s+)?(?P<text>.+)$", flags=re.IGNORECASE)
_RANGE = re.compile(r"^(?P<first>.+?)\s*(?:\bto\b|-)\s*(?P<last>.+)$")
_NATIONALITY = re.compile(
    r"^(?:nationality|citizen)(?: of registration)?\s+(?P<country>.+)$", flags=re.IGNORECASE
)
_GENDER = re.compile(r"^Gender\s+(?P<sex>Male|Female)$", flags=re.IGNORECASE)
_POB = re.compile(r"^POB\s+(?P<place>.+)$")
_WEAK_ALIAS = re.compile(r"^[afn]\.k\.a\.\s+'(?P<name>.+)'$")


def split_name(text: str) -> tuple[str | None, str | None]:
    """(given names, surname) of an individual's "SURNAME, Given Names"; (None, None) with no comma."""
    surname, comma, given = text.partition(",")
    if not comma or not surname.strip() or not given.strip():
        return None, None
    return clean(given), clean(surname)


def birth_dates(text: str) -> tuple[PartialDate, ...] | None:
    """The dates of birth an OFAC date text means: "12 Mar 1965", "Mar 1965", "1965", "circa 1965", a
    range "1960 to 1962" or "01 Jan 1960 to 31 Dec 1962" (each year of it). None for a text of
    another form; ValueError for a date of this form that does not exist."""
    text = clean(text).rstrip(".")
    circa = re.match(r"^circa\s+", text, flags=re.IGNORECASE)
    if circa:
        text = text[circa.end() :]
    single = day_month_year(text)
    if single is not None:
        return (single,)
    found = _RANGE.match(text)
    if found is None:
        return None
    first, last = day_month_year(found["first"]), day_month_year(found["last"])
    if first is None or last is None:
        return None
    if first == last:
        return (first,)
    return years_between(first.year, last.year)


@dataclass
class RemarkFacts:
    """What the Remarks field says; `impossible` and `unread` are texts for problems and warnings."""

    birth_dates: list[PartialDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    sex: Sex | None = None
    documents: list[tuple[str, str, str | None]] = field(default_factory=list)  # kind, number, country text
    weak_aliases: list[str] = field(default_factory=list)
    impossible: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)


def document(kind_and_number: str) -> tuple[str, str, str | None] | None:
    """("Passport", "123456", "Russia") of "Passport 123456 (Russia) issued 01 Jan 2010"."""
    found = _DOCUMENT.match(kind_and_number.strip())
    if found is None:
        return None
    kind = next(k for k in DOCUMENT_KINDS if k.casefold() == found["kind"].casefold())
    return kind, clean(found["number"]), clean(found["country"]) or None


def read_remarks(remarks: str) -> RemarkFacts:
    facts = RemarkFacts()
    for raw in clean(remarks).rstrip(".").split(";"):
        item = raw.strip().removeprefix("alt. ")
        head = item.partition(" ")[0].casefold()  # the first word says what the item is: try only that
        if head == "dob" and (found := _DOB.match(item)):
            try:
                dates = birth_dates(found["text"])
            except ValueError as exc:
                facts.impossible.append(f"{item}: {exc}")
                continue
            if dates is None:
                facts.unread.append(item)
            else:
                facts.birth_dates.extend(dates)
        elif head == "pob" and (found := _POB.match(item)):
            facts.birth_places.append(found["place"])
        elif head in ("nationality", "citizen") and (found := _NATIONALITY.match(item)):
            facts.countries.append(found["country"])
        elif head == "gender" and (found := _GENDER.match(item)):
            facts.sex = "M" if found["sex"].casefold() == "male" else "F"
        elif head.endswith(".k.a.") and (found := _WEAK_ALIAS.match(item)):
            facts.weak_aliases.append(found["name"])
        elif item.startswith(DOCUMENT_KINDS) and (parsed := document(item)) is not None:
            facts.documents.append(parsed)
    return facts
