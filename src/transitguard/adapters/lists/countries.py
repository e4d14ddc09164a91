"""Countries as the lists write them (ISO alpha-2 "ru", names such as "Russia", "Russian Federation" or
"Korea, North") to ISO 3166-1 alpha-3 ("RUS"), the one form the rest of transitguard uses.

A lookup that fails returns None; the importer decides what to keep and reports it as a warning.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from transitguard.adapters.lists.iso3166 import COUNTRIES, FORMER_COUNTRIES

# Names the lists use that ISO does not give (OFAC legacy names, UN and EU short forms, older names).
LIST_NAMES: dict[str, str] = {
    "Russia": "RUS",
    "Korea, North": "PRK",
    "North Korea": "PRK",
    "Korea, South": "KOR",
    "South Korea": "KOR",
    "Republic of Korea": "KOR",
    "Burma": "MMR",
    "Turkey": "TUR",
    "Macedonia": "MKD",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Swaziland": "SWZ",
    "Cape Verde": "CPV",
    "Ivory Coast": "CIV",
    "Holy See": "VAT",
    "Vatican City": "VAT",
    "Brunei": "BRN",
    "Macau": "MAC",
    "Palestine": "PSE",
    "Palestinian": "PSE",
    "West Bank": "PSE",
    "Gaza": "PSE",
    "Gaza Strip": "PSE",
    "Micronesia": "FSM",
    "East Timor": "TLS",
    "Bosnia-Herzegovina": "BIH",
    "Great Britain": "GBR",
    "Soviet Union": "SUN",
    "former Soviet Union": "SUN",
    "USSR": "SUN",
    "Yugoslavia": "YUG",
    "Czechoslovakia": "CSK",
    "Kosovo": "RKS",
}

# What the lists write where they know no country.
NOT_A_COUNTRY = frozenset({"na", "n/a", "unknown", "none", "none identified", "00"})

# Alpha-2 codes outside ISO 3166-1 that the lists use. Kosovo: EU and FollowTheMoney write the
# user-assigned "XK"; Kosovo's passports carry "RKS" in the MRZ (ICAO Doc 9303), which is what a
# scanned document will be compared with.
LIST_ALPHA2: dict[str, str] = {"XK": "RKS"}

ALPHA3 = frozenset({alpha3 for _, alpha3, _ in COUNTRIES} | {alpha3 for _, alpha3, _ in FORMER_COUNTRIES})
_BY_ALPHA2 = {alpha2: alpha3 for alpha2, alpha3, _ in COUNTRIES} | LIST_ALPHA2
_BY_ALPHA4 = {alpha4: alpha3 for alpha4, alpha3, _ in FORMER_COUNTRIES}


def _key(name: str) -> str:
    """Case, accents, punctuation and a leading "the" do not tell countries apart."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
    text = re.sub(r"\(([^)]*)\)", r", \1", text)  # "Iran (Islamic Republic of)" = "Iran, Islamic Republic of"
    text = re.sub(r"[^\w,]+", " ", text)
    text = re.sub(r"\bst\b", "saint", text)
    text = re.sub(r"\s*,\s*", ", ", text).strip(" ,")
    return re.sub(r"^the ", "", " ".join(text.split()))


def _keys(name: str) -> set[str]:
    """The name's key, and for an inverted name ("Korea, Republic of") the natural order too."""
    key = _key(name)
    keys = {key}
    if key.count(", ") == 1:
        head, tail = key.split(", ")
        keys.add(_key(f"{tail} {head}"))
    return keys


@cache
def _by_name() -> dict[str, str]:
    index: dict[str, str] = {}
    for _, alpha3, former_name in FORMER_COUNTRIES:
        index.update(dict.fromkeys(_keys(former_name), alpha3))
    for _, alpha3, names in COUNTRIES:
        for name in names:
            index.update(dict.fromkeys(_keys(name), alpha3))
    for name, alpha3 in LIST_NAMES.items():
        index.update(dict.fromkeys(_keys(name), alpha3))
    return index


def alpha3_from_code(code: str) -> str | None:
    """ISO alpha-2 ("ru", "RU"), an ISO 3166-3 alpha-4 of a former country ("suhh") or an alpha-3."""
    upper = code.strip().upper()
    if len(upper) == 3:
        return upper if upper in ALPHA3 else None
    return _BY_ALPHA2.get(upper) or _BY_ALPHA4.get(upper)


def alpha3_from_name(name: str) -> str | None:
    """An English country name in any of the forms the lists write."""
    index = _by_name()
    for key in _keys(name):
        if key in index:
            return index[key]
    return None


def alpha3(value: str) -> str | None:
    """A code (2, 3 or 4 letters) or a name."""
    text = value.strip()
    if re.fullmatch(r"[A-Za-z]{2,4}", text):
        found = alpha3_from_code(text)
        if found is not None:
            return found
    return alpha3_from_name(text)
