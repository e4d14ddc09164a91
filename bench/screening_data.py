"""Labelled person-screening benchmark data: a watchlist, passenger queries and their truth.

    python bench/screening_data.py OUT [--seed 7] [--persons 5000] [--queries 5000]
    python bench/screening_data.py OUT --scale [N]          # OUT/scale.ftm.jsonl, N = 1,000,000
    python bench/screening_data.py --check-schemas          # the transliterator against iuliia's samples

Writes into OUT:
  list.ftm.jsonl   listed persons as FollowTheMoney entities, names as real lists carry them: the Cyrillic
                   form plus 1-3 Latin transliterations (BGN/PCGN, ICAO, Wikipedia, GOST, French, German).
  queries.jsonl    passenger-style queries: the name as a document writes it (MRZ, ICAO, an old passport,
                   a Lithuanian/Polish/German record, Cyrillic), birth date, nationality, sex, document no.
  labels.jsonl     {"query_id", "entity_id" | null, "kind": "match" | "non_match", "variations": [...]}:
                   40% true matches labelled with every variation applied, 60% non-matches of which half
                   are hard negatives (same surname, Ivanov/Ivanova, a namesake born years apart, ...).

Everything is drawn from one `random.Random(seed)`: the same seed gives byte-identical files. The names
come from the real Russian name inventories in shared/data/names_translit (see its README).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
import unicodedata
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

NAMES_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "names_translit"

# --------------------------------------------------------------------------------------------------
# Transliteration: the iuliia schemas (mapping + prev/next/ending context rules)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    name: str
    mapping: dict[str, str]
    prev: dict[str, str]  # "xy" -> how y is written after x ("" as x = at the start of a word)
    next: dict[str, str]  # "xy" -> how x is written before y
    ending: dict[str, str]  # the last two letters of a word
    samples: tuple[tuple[str, str], ...] = ()


def load_schemas(folder: Path) -> dict[str, Schema]:
    schemas = {}
    for path in sorted(folder.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        schemas[raw["name"]] = Schema(
            raw["name"],
            raw["mapping"],
            raw.get("prev_mapping") or {},
            raw.get("next_mapping") or {},
            raw.get("ending_mapping") or {},
            tuple((a, b) for a, b in raw.get("samples") or ()),
        )
    return schemas


def _translit_lower(word: str, schema: Schema) -> str:
    """One lower-case word, as iuliia does it: the ending rule when the last two letters have one
    (and the word is longer than them), then letter by letter with the previous/next letter as context."""
    stem, tail = word, ""
    if len(word) > 2 and word[-2:] in schema.ending:
        stem, tail = word[:-2], schema.ending[word[-2:]]
    out = []
    for i, letter in enumerate(stem):
        prev = stem[i - 1] if i else ""
        nxt = stem[i + 1] if i + 1 < len(stem) else ""
        found = schema.prev.get(prev + letter)
        if found is None:
            found = schema.next.get(letter + nxt)
        if found is None:
            found = schema.mapping.get(letter, letter)
        out.append(found)
    return "".join(out) + tail


_WORD = re.compile(r"[^\W\d_]+")


def translit(text: str, schema: Schema) -> str:
    """Transliterate every word; keeps the case shape (UPPER, Title, lower) of each source word."""

    def one(found: re.Match[str]) -> str:
        word = found.group(0)
        latin = _translit_lower(word.lower(), schema)
        if word.isupper() and len(word) > 1:
            return latin.upper()
        if word[0].isupper():
            return latin[:1].upper() + latin[1:]
        return latin

    return _WORD.sub(one, text)


def check_schemas(schemas: dict[str, Schema]) -> list[str]:
    """Every schema's own samples; returns the failures (empty when the transliterator is right)."""
    failures = []
    for schema in schemas.values():
        for cyrillic, expected in schema.samples:
            got = translit(cyrillic, schema)
            if got != expected:
                failures.append(f"{schema.name}: {cyrillic!r} -> {got!r}, expected {expected!r}")
    return failures


# --------------------------------------------------------------------------------------------------
# National spellings of Russian names that no iuliia schema covers (rule sets, simplified but standard)
# --------------------------------------------------------------------------------------------------

_VOWELS = set("аеёиоуыэюя")
_HUSHING = set("жшчщц")

_LT = dict(zip("абвгдзийклмнопрстуфхцчшщыэ", "abvgdzijklmnoprstufhcčššyė", strict=True))
_LT.update({"х": "ch", "щ": "šč", "ж": "ž", "э": "e", "ъ": "", "ь": ""})
_PL = dict(zip("абгдзийкмнопрстуфц", "abgdzijkmnoprstufc", strict=True))
_PL.update({"в": "w", "ж": "ż", "х": "ch", "ч": "cz", "ш": "sz", "щ": "szcz", "ы": "y", "э": "e", "ъ": ""})
_DE = dict(zip("абгдийклмнопртуф", "abgdiiklmnoprtuf", strict=True))
_DE.update({"в": "w", "ж": "sch", "з": "s", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch"})
_DE.update({"с": "s", "ы": "y", "э": "e", "ъ": "", "ь": ""})
_IOTATED = {"е": "e", "ё": "o", "ю": "u", "я": "a"}


def _iotated(word: str, i: int, after_consonant: str, elsewhere: str = "j") -> str:
    """How е/ё/ю/я are written: a `j` at the start of a word or after a vowel or a soft/hard sign,
    `after_consonant` (Polish `i`, German nothing) after a consonant, nothing after ж ш ч щ ц."""
    prev = word[i - 1] if i else ""
    if not prev or prev in _VOWELS or prev in "ьъ":
        return elsewhere + _IOTATED[word[i]]
    if prev in _HUSHING or (prev == "л" and after_consonant == "i"):
        return _IOTATED[word[i]]  # жена -> żona, and Polish writes ле/ля as le/la (Aleksiej)
    return after_consonant + _IOTATED[word[i]]


def _national(word: str, table: dict[str, str], after_consonant: str, lang: str) -> str:
    out = []
    for i, letter in enumerate(word):
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if letter in _IOTATED:
            if lang == "lt" and letter == "е" and i and word[i - 1] not in _VOWELS | {"ь", "ъ"}:
                out.append("e")  # Lithuanian writes plain e after a consonant (Kuznecovas)
            else:
                out.append(_iotated(word, i, after_consonant))
        elif letter == "ь" and nxt == "и":
            out.append("j")  # Ильин -> Iljin
        elif lang == "pl" and letter == "л":
            out.append("l" if nxt in {"ь", "е", "ё", "и", "ю", "я"} else "ł")
        elif lang == "pl" and letter == "и" and i and word[i - 1] in "жшц":
            out.append("y")
        elif lang == "pl" and letter == "ь":
            out.append({"н": "ń", "с": "ś", "з": "ź", "т": "ć", "д": "dź"}.get(word[i - 1], ""))
            if out[-1]:
                out[-2] = ""  # ń replaces n
        elif lang == "de" and letter == "с" and i and word[i - 1] in _VOWELS and nxt in _VOWELS:
            out.append("ss")  # Duden: intervocalic s is written ss
        elif lang == "de" and letter == "к" and nxt == "с":
            out.append("x")
        elif lang == "de" and letter == "с" and i and word[i - 1] == "к":
            out.append("")
        else:
            out.append(table.get(letter, letter))
    return "".join(out)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def polish(word: str) -> str:
    """Polish spelling of a Russian name: Кузнецов -> Kuzniecow, Щукин -> Szczukin, Андрей -> Andriej."""
    low = word.lower()
    for end, repl in (("ский", "ski"), ("цкий", "cki"), ("ская", "ska"), ("цкая", "cka")):
        if low.endswith(end):
            return _cap(_national(low[: -len(end)], _PL, "i", "pl") + repl)
    if low.endswith(("ий", "ый")):
        return _cap(_national(low[:-2], _PL, "i", "pl") + ("ij" if low.endswith("ий") else "y"))
    return _cap(_national(low, _PL, "i", "pl"))


def german(word: str) -> str:
    """German (Duden) spelling: Кузнецов -> Kusnezow, Ходорковский -> Chodorkowski, Юлия -> Julija."""
    low = word.lower()
    for end, repl in (("ский", "ski"), ("цкий", "zki"), ("ий", "i"), ("ый", "y")):
        if low.endswith(end):
            return _cap(_national(low[: -len(end)], _DE, "", "de") + repl)
    return _cap(_national(low, _DE, "", "de"))


# Lithuanian records often give a Russian man the Lithuanian form of his given name (Андрей -> Andrius).
LT_COGNATES = {
    "Андрей": "Andrius",
    "Петр": "Petras",
    "Пётр": "Petras",
    "Павел": "Paulius",
    "Иван": "Jonas",
    "Николай": "Mikalojus",
    "Георгий": "Jurgis",
    "Юрий": "Jurgis",
    "Степан": "Steponas",
    "Антон": "Antanas",
    "Матвей": "Motiejus",
    "Анна": "Ona",
    "Екатерина": "Kotryna",
    "Елена": "Elena",
}


def lithuanian(word: str, male: bool) -> str:
    """Lithuanian record spelling with Lithuanian masculine endings: Кузнецов -> Kuznecovas,
    Сергей -> Sergejus, Дмитрий -> Dmitrijus, Козловский -> Kozlovskis, Игорь -> Igoris."""
    low = word.lower()
    if not male:
        return _cap(_national(low, _LT, "", "lt"))
    for end, repl in (("ий", "ijus"), ("ый", "is"), ("ей", "ejus"), ("ай", "ajus"), ("ой", "ojus")):
        if low.endswith(end):
            if end == "ий" and low.endswith(("ский", "цкий")):
                repl = "is"
            return _cap(_national(low[:-2], _LT, "", "lt") + repl)
    if low.endswith("ь"):
        return _cap(_national(low[:-1], _LT, "", "lt") + "is")
    if low[-1] in _VOWELS or low.endswith(("ых", "их")):
        return _cap(_national(low, _LT, "", "lt"))  # Никита, Шевченко, Черных: no ending added
    return _cap(_national(low, _LT, "", "lt") + "as")


def lithuanian_feminine(masculine_lt: str, married: bool) -> str:
    """A Lithuanian woman's surname from the masculine one: Kuznecovas -> Kuznecovienė (married)
    or Kuznecovaitė (unmarried); -is/-ys stems take -ytė, -us takes -ūtė."""
    for end, maiden in (("as", "aitė"), ("is", "ytė"), ("ys", "ytė"), ("us", "ūtė")):
        if masculine_lt.endswith(end):
            stem = masculine_lt[: -len(end)]
            return stem + ("ienė" if married else maiden)
    return masculine_lt


def ascii_upper(text: str) -> str:
    """What a machine-readable zone keeps of a Latin name: A-Z, no diacritics."""
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in folded if not unicodedata.combining(c)).upper()


# --------------------------------------------------------------------------------------------------
# Name inventories
# --------------------------------------------------------------------------------------------------

_CLEAN = re.compile(r"^[А-ЯЁ][а-яё]{1,}$")
_RARE_ENDINGS = ("ов", "ев", "ёв", "ин", "ын", "ский", "цкий")


@dataclass
class Weighted:
    """Items with cumulative weights, for `rng.choices(..., cum_weights=...)`."""

    items: list
    cum: list[float]

    @classmethod
    def of(cls, pairs: list[tuple[object, float]]) -> Weighted:
        return cls([p[0] for p in pairs], list(accumulate(p[1] for p in pairs)))

    def pick(self, rng: random.Random) -> object:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]

    def picks(self, rng: random.Random, k: int) -> list:
        return rng.choices(self.items, cum_weights=self.cum, k=k)


@dataclass(frozen=True)
class Surname:
    male: str
    female: str
    father: str  # the given name it derives from (Иванов <- Иван), "" if none


@dataclass(frozen=True)
class Father:
    name: str
    son: str  # patronymic of a son (Сергеевич)
    daughter: str  # of a daughter (Сергеевна)


@dataclass
class Inventory:
    given: dict[str, Weighted]  # "M"/"F" -> given names
    fathers: Weighted  # Father
    common: Weighted  # Surname, the clean top weighted by count
    rare: list[Surname]  # the tail: count 20-40, typical Russian endings
    unisex: Weighted  # Коваленко, Черных: one form for both sexes
    by_father: dict[str, list[Surname]]  # Сергей -> [Сергеев, ...]
    by_prefix: dict[str, list[Surname]]  # first four letters -> surnames, for look-alike negatives
    foreign: dict[str, dict[str, list[str]]]  # country -> "M"/"F"/"S" -> Latin names


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def load_inventory(folder: Path, top_given: int = 400, top_surnames: int = 4000) -> Inventory:
    given: dict[str, list[tuple[object, float]]] = {"M": [], "F": []}
    for row in _rows(folder / "ru_given_names.csv"):
        sex = {"m": "M", "f": "F"}.get(row["gender"])
        if sex and _CLEAN.match(row["text"]) and len(given[sex]) < top_given:
            given[sex].append((row["text"], float(row["count"])))

    # A father's name gives both patronymic forms; keep only fathers the corpus has both for.
    forms: dict[str, dict[str, str]] = defaultdict(dict)
    weight: dict[str, float] = defaultdict(float)
    for row in _rows(folder / "ru_patronymics.csv"):
        if row["fname"] and _CLEAN.match(row["text"]) and _CLEAN.match(row["fname"]):
            forms[row["fname"]].setdefault(row["gender"], row["text"])
            weight[row["fname"]] += float(row["count"])
    fathers = [
        (Father(name, f["m"], f["f"]), weight[name]) for name, f in forms.items() if "m" in f and "f" in f
    ]
    fathers.sort(key=lambda p: -p[1])

    common, rare, unisex = [], [], []
    for row in _rows(folder / "ru_surnames_count_ge20.csv"):
        text, count = row["text"], float(row["count"])
        if not _CLEAN.match(text):
            continue
        if row["gender"] == "m" and row["f_form"] and _CLEAN.match(row["f_form"]):
            surname = Surname(text, row["f_form"], row["fname"])
            if len(common) < top_surnames:
                common.append((surname, count))
            elif count <= 40 and text.endswith(_RARE_ENDINGS):
                rare.append(surname)
        elif row["gender"] == "u" and len(unisex) < 800:
            unisex.append((Surname(text, text, row["fname"]), count))

    by_father: dict[str, list[Surname]] = defaultdict(list)
    by_prefix: dict[str, list[Surname]] = defaultdict(list)
    for surname in [s for s, _ in common] + rare + [s for s, _ in unisex]:
        if surname.father:
            by_father[surname.father].append(surname)
        by_prefix[surname.male[:4]].append(surname)

    return Inventory(
        given={sex: Weighted.of(pairs) for sex, pairs in given.items()},
        fathers=Weighted.of(fathers[:500]),
        common=Weighted.of(common),
        rare=rare,
        unisex=Weighted.of(unisex),
        by_father=dict(by_father),
        by_prefix=dict(by_prefix),
        foreign=load_foreign(folder),
    )


FOREIGN = ("LT", "UA", "BY", "PL", "LV", "DE")
ALPHA3 = {"RU": "RUS", "LT": "LTU", "UA": "UKR", "BY": "BLR", "PL": "POL", "LV": "LVA", "DE": "DEU"}


def load_foreign(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Common Latin given names (by sex) and surnames of neighbouring countries (sigpwned)."""
    found: dict[str, dict[str, list[str]]] = {c: {"M": [], "F": [], "S": []} for c in FOREIGN}
    for row in _rows(folder / "sigpwned_common_forenames_by_country.csv"):
        if row["Country"] in found and row["Romanized Name"] and row["Gender"] in ("M", "F"):
            found[row["Country"]][row["Gender"]].append(row["Romanized Name"])
    for row in _rows(folder / "sigpwned_common_surnames_by_country.csv"):
        name = row["Romanized Name"]
        # The masculine/base form only: Lithuanian -ienė and Belarusian Cyrillic duplicates are skipped.
        if row["Country"] in found and name and not name.endswith(("ienė", "aitė", "ytė")):
            found[row["Country"]]["S"].append(name)
    return found


def foreign_feminine(surname: str, country: str) -> str:
    if country == "LT":
        return lithuanian_feminine(surname, married=True)
    if country == "PL" and surname.endswith(("ski", "cki", "dzki")):
        return surname[:-1] + "a"
    if country == "LV" and surname.endswith("š"):
        return surname[:-2] + "a" if surname.endswith("ņš") else surname[:-1] + "a"
    if country == "LV" and surname.endswith("s"):
        return surname[:-1] + ("e" if surname.endswith("is") else "a")
    if country in ("UA", "BY") and surname.endswith(("ov", "ev", "in", "oŭ", "eŭ")):
        return surname.replace("ŭ", "v") + "a"
    return surname


# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    sex: str  # "M" / "F"
    surname: str  # in the person's own form: Кузнецова for a woman
    given: str
    patronymic: str  # "" for foreign persons
    birth: date
    country: str = "RU"
    father: str = ""  # the father's given name (for surname-from-patronymic negatives)
    surname_male: str = ""  # the masculine form (for the Ivanov/Ivanova negatives)
    surname_female: str = ""

    def key(self) -> tuple[str, str, str]:
        return (self.surname.lower(), self.given.lower(), self.patronymic.lower())


def random_birth(rng: random.Random, first: int = 1940, last: int = 2000) -> date:
    return date(first, 1, 1) + timedelta(days=rng.randrange((date(last, 12, 31) - date(first, 1, 1)).days))


def russian_person(inv: Inventory, rng: random.Random, sex: str | None = None, rare: float = 0.25) -> Person:
    sex = sex or rng.choice("MMMF")  # lists and passengers alike are mostly men
    roll = rng.random()
    if roll < rare:
        surname = rng.choice(inv.rare)
    elif roll < rare + 0.08:
        surname = inv.unisex.pick(rng)
    else:
        surname = inv.common.pick(rng)
    father = inv.fathers.pick(rng)
    return Person(
        sex=sex,
        surname=surname.male if sex == "M" else surname.female,
        given=inv.given[sex].pick(rng),
        patronymic=father.son if sex == "M" else father.daughter,
        birth=random_birth(rng),
        father=father.name,
        surname_male=surname.male,
        surname_female=surname.female,
    )


def foreign_person(inv: Inventory, rng: random.Random, country: str | None = None) -> Person:
    country = country or rng.choice(FOREIGN)
    names = inv.foreign[country]
    sex = rng.choice("MMF")
    surname = rng.choice(names["S"])
    female = foreign_feminine(surname, country)
    return Person(
        sex=sex,
        surname=surname if sex == "M" else female,
        given=rng.choice(names[sex]),
        patronymic="",
        birth=random_birth(rng),
        country=country,
        surname_male=surname,
        surname_female=female,
    )


# --------------------------------------------------------------------------------------------------
# The list side: FollowTheMoney entities
# --------------------------------------------------------------------------------------------------

# How often a list spells a Russian name with each system (UK/US lists use BGN/PCGN, EU lists the
# passport spelling, press-derived entries Wikipedia's, a few French/German/scholarly ones).
LIST_SYSTEMS = (
    ("bgn_pcgn", 5),
    ("icao_doc_9303", 5),
    ("wikipedia", 3),
    ("mvd_310", 2),
    ("mvd_310_fr", 1),
    ("german", 1),
    ("gost_779", 1),
    ("scientific", 1),
    ("ungegn_1987", 1),
)


class Spellings:
    """Transliterates name parts with a named system; cached, since the same names recur."""

    def __init__(self, schemas: dict[str, Schema]) -> None:
        self.schemas = schemas

    @lru_cache(maxsize=200_000)  # noqa: B019 (one instance per run)
    def part(self, system: str, word: str, male: bool = True) -> str:
        if system == "german":
            return german(word)
        if system == "polish":
            return polish(word)
        if system == "lithuanian":
            return lithuanian(word, male)
        if system == "cyrillic":
            return word
        latin = translit(word, self.schemas[system])
        # Lists write the soft sign as an apostrophe or not at all; the hard sign's quote marks are dropped.
        return latin.replace("’", "'").replace("”", "").replace('"', "").replace("·", "")

    def parts(self, system: str, person: Person) -> tuple[str, str, str]:
        if person.country != "RU":
            return person.surname, person.given, person.patronymic
        male = person.sex == "M"
        return (
            self.part(system, person.surname, male),
            self.part(system, person.given, male),
            self.part(system, person.patronymic, male),
        )


def list_birth_dates(person: Person, rng: random.Random) -> list[str]:
    """As precise as lists know them: mostly a full date, some a year, some two candidates, some none."""
    roll = rng.random()
    if roll < 0.55:
        return [person.birth.isoformat()]
    if roll < 0.70:
        return [str(person.birth.year)]
    if roll < 0.80:
        other = person.birth.replace(year=person.birth.year + rng.choice((-1, 1)))
        if person.birth.month == 2 and person.birth.day == 29:
            other = date(other.year, 2, 28)
        return sorted([person.birth.isoformat(), other.isoformat()])
    return []


def passport_number(rng: random.Random) -> str:
    """A Russian international passport number: two-digit series and seven digits."""
    return f"{rng.randint(70, 77)}{rng.randrange(10**7):07d}"


def list_entity(
    entity_id: str, person: Person, spell: Spellings, rng: random.Random, passport: str | None
) -> dict:
    names: list[str] = []
    first, father, last = [], [], []
    if person.country == "RU":
        cyr = (person.surname, person.given, person.patronymic)
        names.append(" ".join(cyr) if rng.random() < 0.7 else f"{cyr[1]} {cyr[2]} {cyr[0]}")
        systems = [s for s, _ in LIST_SYSTEMS]
        weights = [w for _, w in LIST_SYSTEMS]
        chosen: list[str] = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            system = rng.choices(systems, weights)[0]
            if system not in chosen:
                chosen.append(system)
        parts = [cyr] + [spell.parts(system, person) for system in chosen]
        for surname, given, patronymic in parts[1:]:
            style = rng.random()
            if style < 0.6:
                full = f"{given} {patronymic} {surname}"
            elif style < 0.8:
                full = f"{surname.upper()}, {given} {patronymic}"
            else:
                full = f"{surname} {given} {patronymic}"
            if full not in names:
                names.append(full)
    else:
        parts = [(person.surname, person.given, "")]
        names.append(f"{person.given} {person.surname}")
        if ascii_upper(person.surname) != person.surname.upper():
            names.append(f"{person.given} {ascii_upper(person.surname).title()}")
    for surname, given, patronymic in parts:
        for values, value in ((last, surname), (first, given), (father, patronymic)):
            if value and value not in values:
                values.append(value)
    properties: dict[str, list[str]] = {"name": names, "firstName": first, "lastName": last}
    if father:
        properties["fatherName"] = father
    birth = list_birth_dates(person, rng)
    if birth:
        properties["birthDate"] = birth
    properties["nationality"] = [person.country.lower()]
    properties["gender"] = ["male" if person.sex == "M" else "female"]
    if passport:
        properties["passportNumber"] = [passport]
    return {"id": entity_id, "schema": "Person", "properties": properties}


# --------------------------------------------------------------------------------------------------
# The query side: a name as a document or a record writes it, then noise
# --------------------------------------------------------------------------------------------------

# style -> weight. "icao" is the visual zone of a post-2014 passport, "mrz" the raw name field,
# "mvd_310" the pre-2010 passport spelling (YULIYA), "gost_52535" the 2010-2014 one (TC for Ц).
QUERY_STYLES = (
    ("icao", 40),
    ("mrz", 12),
    ("mvd_310", 9),
    ("gost_52535", 5),
    ("bgn_pcgn", 4),
    ("lithuanian", 10),
    ("polish", 5),
    ("german", 5),
    ("cyrillic", 10),
)
STYLE_SYSTEM = {"icao": "icao_doc_9303", "mrz": "icao_doc_9303"}


@dataclass
class Rendered:
    name: str
    variations: list[str] = field(default_factory=list)


def render_name(person: Person, style: str, spell: Spellings, rng: random.Random) -> Rendered:
    """The name string of a query and the variation kinds that rendering applied."""
    out = Rendered("", [style])
    if person.country != "RU":
        out.variations = ["foreign"]
        surname, given = ascii_upper(person.surname), ascii_upper(person.given)
        if rng.random() < 0.2:
            out.variations.append("order_swap")
            out.name = f"{given} {surname}"
        else:
            out.name = f"{surname} {given}"
        return out
    male = person.sex == "M"
    drop_patronymic = rng.random() < 0.5  # international passports print no patronymic in Latin

    if style == "lithuanian":
        given = person.given
        if person.given in LT_COGNATES and rng.random() < 0.4:
            given_lt = LT_COGNATES[person.given]
            out.variations.append("lt_cognate")
        else:
            given_lt = lithuanian(given, male)
        if male:
            surname_lt = lithuanian(person.surname, True)
        elif rng.random() < 0.25 and person.surname_male != person.surname_female:
            surname_lt = lithuanian_feminine(lithuanian(person.surname_male, True), rng.random() < 0.6)
            out.variations.append("lt_feminine_suffix")
        else:
            surname_lt = lithuanian(person.surname, False)
        out.variations.append("no_patronymic")  # Lithuanian records carry no patronymic
        out.name = f"{given_lt} {surname_lt}"
        if rng.random() < 0.3:
            out.name = out.name.upper()
        return out

    system = STYLE_SYSTEM.get(style, style)
    surname, given, patronymic = spell.parts(system, person)
    if drop_patronymic:
        patronymic = ""
        out.variations.append("no_patronymic")
    if style == "mrz":
        field_ = f"{ascii_upper(surname)}<<{ascii_upper(given)}"
        if patronymic:
            field_ += f"<{ascii_upper(patronymic)}"
        field_ = field_.replace(" ", "<").replace("-", "<").replace("'", "")
        if rng.random() < 0.5:
            field_ = field_.ljust(39, "<")  # the raw line pads the field with fillers
        out.name = field_[:39]
        return out
    given_first = rng.random() < (0.6 if style in ("polish", "german") else 0.15)
    if given_first and style not in ("polish", "german"):
        out.variations.append("order_swap")
    words = [given, patronymic, surname] if given_first else [surname, given, patronymic]
    name = " ".join(w for w in words if w)
    if style in ("icao", "mvd_310", "gost_52535", "bgn_pcgn") or rng.random() < 0.5:
        name = name.upper()
    out.name = name
    return out


_OCR = {"O": "0", "I": "1", "S": "5", "B": "8"}


def ocr_confuse(name: str, rng: random.Random) -> str | None:
    """One or two of the OCR confusions O->0, I->1, S->5, B->8 in an upper-case Latin name."""
    spots = [i for i, c in enumerate(name) if c in _OCR]
    if not spots:
        return None
    chars = list(name)
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 1, 2)))):
        chars[i] = _OCR[chars[i]]
    return "".join(chars)


def one_typo(name: str, rng: random.Random) -> str | None:
    """One keying error inside a word of four letters or more (not its first letter)."""
    spots = [m.start() + k for m in re.finditer(r"[^\W\d_]{4,}", name) for k in range(1, len(m.group(0)) - 1)]
    if not spots:
        return None
    i = rng.choice(spots)
    kind = rng.choice(("substitute", "delete", "transpose", "double"))
    if kind == "delete":
        return name[:i] + name[i + 1 :]
    if kind == "transpose" and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    pool = "АЕИОУНТСР" if "\u0400" <= name[i] <= "\u04ff" else "AEIOUNTSR"
    letter = rng.choice([c for c in pool if c != name[i].upper()])
    return name[:i] + (letter if name[i].isupper() else letter.lower()) + name[i + 1 :]


def mrz_misread(name: str, rng: random.Random) -> str | None:
    """The `<<` separator read as one `<`, or a filler read as a `K`."""
    if "<<" not in name:
        return None
    return name.replace("<<", rng.choice(("<", "<", "K<", "<K")), 1)


def add_noise(rendered: Rendered, rng: random.Random, rate: float) -> None:
    """OCR confusions on machine-read names, a keying typo, MRZ separator misreads."""
    latin_upper = rendered.name.isupper() and rendered.name.isascii()
    if "mrz" in rendered.variations and rng.random() < 0.3:
        changed = mrz_misread(rendered.name, rng)
        if changed:
            rendered.name, rendered.variations = changed, [*rendered.variations, "mrz_filler_misread"]
    if latin_upper and rng.random() < rate:
        changed = ocr_confuse(rendered.name, rng)
        if changed:
            rendered.name, rendered.variations = changed, [*rendered.variations, "ocr"]
    if rng.random() < rate * 0.8:
        changed = one_typo(rendered.name, rng)
        if changed:
            rendered.name, rendered.variations = changed, [*rendered.variations, "typo"]


def query_birth_date(birth: date, rng: random.Random) -> tuple[str | None, str | None]:
    """The birth date a query carries for a person born on `birth`, and the variation applied."""
    roll = rng.random()
    if roll < 0.45:
        return birth.isoformat(), None
    if roll < 0.55:
        return str(birth.year), "dob_year_only"
    if roll < 0.63 and birth.day <= 12 and birth.day != birth.month:
        return date(birth.year, birth.day, birth.month).isoformat(), "dob_day_month_swap"
    if roll < 0.70:
        shifted = birth.year + rng.choice((-1, 1))
        return date(shifted, birth.month, min(birth.day, 28)).isoformat(), "dob_year_off"
    if roll < 0.75:
        return f"{birth.year}-01-01", "dob_placeholder"
    if roll < 0.95:
        return None, "dob_missing"
    return birth.isoformat(), None


def latin_tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[^A-Z]+", ascii_upper(text)) if t}


# --------------------------------------------------------------------------------------------------
# The benchmark set
# --------------------------------------------------------------------------------------------------

NEGATIVE_KINDS = (
    "same_surname",
    "opposite_sex_form",
    "same_given_patronymic",
    "surname_from_patronymic",
    "similar_surname",
    "name_swap",
    "same_name_diff_dob",
)
# Given names with an exact counterpart of the other sex (Александр / Александра).
PAIRED_GIVEN = {
    "Александр": "Александра",
    "Евгений": "Евгения",
    "Валентин": "Валентина",
    "Валерий": "Валерия",
    "Виктор": "Виктория",
    "Ян": "Яна",
    "Станислав": "Станислава",
    "Владислав": "Владислава",
    "Ярослав": "Ярослава",
    "Юлиан": "Юлиана",
    "Даниил": "Даниэла",
    "Антон": "Антонина",
    "Василий": "Василиса",
}
PAIRED_GIVEN.update({v: k for k, v in list(PAIRED_GIVEN.items())})


@dataclass
class Listed:
    entity_id: str
    person: Person
    entity: dict


def levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _surname_of(person: Person) -> dict[str, str]:
    return {
        "surname": person.surname,
        "surname_male": person.surname_male,
        "surname_female": person.surname_female,
    }


class Generator:
    def __init__(self, seed: int, names_dir: Path) -> None:
        self.rng = random.Random(seed)
        self.inv = load_inventory(names_dir)
        self.spell = Spellings(load_schemas(names_dir / "iuliia_schemas"))
        self.listed: list[Listed] = []
        self.keys: set[tuple[str, str, str]] = set()
        self.passports: set[str] = set()

    # ---- the list ----------------------------------------------------------------------------------

    def make_list(self, count: int) -> None:
        rng = self.rng
        while len(self.listed) < count:
            person = foreign_person(self.inv, rng) if rng.random() < 0.06 else russian_person(self.inv, rng)
            if person.key() in self.keys:
                continue  # one listed person per name: a namesake on the list would blur the truth
            passport = passport_number(rng) if rng.random() < 0.12 else None
            if passport:
                self.passports.add(passport)
            entity_id = f"tg-{person.country.lower()}-{len(self.listed) + 1:05d}"
            entity = list_entity(entity_id, person, self.spell, rng, passport)
            self.listed.append(Listed(entity_id, person, entity))
            self.keys.add(person.key())

    # ---- queries -----------------------------------------------------------------------------------

    def _style(self) -> str:
        return self.rng.choices([s for s, _ in QUERY_STYLES], [w for _, w in QUERY_STYLES])[0]

    def _query(self, person: Person, noise: float) -> tuple[dict, list[str]]:
        """A query for `person` (name, nationality, sex; no date or document yet) and its variations."""
        rng = self.rng
        rendered = render_name(person, self._style(), self.spell, rng)
        add_noise(rendered, rng, noise)
        query: dict = {"name": rendered.name}
        variations = list(rendered.variations)
        if rng.random() < 0.85:
            query["nationality"] = ALPHA3[person.country]
        else:
            variations.append("nationality_missing")
        if rng.random() < 0.8:
            query["sex"] = person.sex
        return query, variations

    def match(self, listed: Listed) -> tuple[dict, dict]:
        rng = self.rng
        query, variations = self._query(listed.person, noise=0.12)
        # "other_translit": the query spells a name part no Latin name of the entry spells that way.
        if listed.person.country == "RU" and not any(v in variations for v in ("cyrillic", "foreign")):
            known = set().union(*(latin_tokens(n) for n in listed.entity["properties"]["name"]))
            words = latin_tokens(query["name"].replace("<", " "))
            if words - known and not {"ocr", "typo", "mrz_filler_misread"} & set(variations):
                variations.append("other_translit")
        birth, kind = query_birth_date(listed.person.birth, rng)
        if birth:
            query["birth_date"] = birth
        if kind:
            variations.append(kind)
        passport = listed.entity["properties"].get("passportNumber")
        if passport and rng.random() < 0.4:
            query["document_number"] = passport[0]
            variations.append("doc_number_match")
        elif rng.random() < 0.6:
            query["document_number"] = self._other_passport()
        label = {"entity_id": listed.entity_id, "kind": "match", "variations": variations}
        return query, label

    def _other_passport(self) -> str:
        while True:
            number = passport_number(self.rng)
            if number not in self.passports:
                return number

    def non_match(self, person: Person, kind: str, near: Listed | None, birth: date | None = None) -> tuple:
        rng = self.rng
        query, variations = self._query(person, noise=0.06)
        if birth is not None:
            query["birth_date"] = birth.isoformat()
        else:
            value, _ = query_birth_date(person.birth, rng)
            if value:
                query["birth_date"] = value
        if rng.random() < 0.6:
            query["document_number"] = self._other_passport()
        label = {
            "entity_id": None,
            "kind": "non_match",
            "variations": [kind, *variations],
            "near_entity_id": near.entity_id if near else None,
        }
        return query, label

    def _russian_listed(self) -> Listed:
        while True:
            listed = self.rng.choice(self.listed)
            if listed.person.country == "RU":
                return listed

    def _fresh(self, person: Person) -> Person | None:
        """`person` if no listed person has that name, else None (a negative must be someone else)."""
        return None if person.key() in self.keys else person

    def hard_negative(self, kind: str) -> tuple[dict, dict]:
        """A different person who looks like a listed one in the way `kind` names."""
        rng, inv = self.rng, self.inv
        for _ in range(1000):
            near = self._russian_listed()
            p = near.person
            other = russian_person(inv, rng, sex=p.sex)
            birth = None
            if kind == "same_surname":
                cand = replace(other, **_surname_of(p))
            elif kind == "opposite_sex_form":
                if p.surname_male == p.surname_female:
                    continue
                sex = "F" if p.sex == "M" else "M"
                father = next((f for f in inv.fathers.items if f.name == p.father), None)
                if father is None:
                    continue
                given = PAIRED_GIVEN.get(p.given) or inv.given[sex].pick(rng)
                cand = replace(
                    p,
                    sex=sex,
                    given=given,
                    surname=p.surname_female if sex == "F" else p.surname_male,
                    patronymic=father.daughter if sex == "F" else father.son,
                    birth=p.birth if rng.random() < 0.2 else random_birth(rng),  # a twin, sometimes
                )
            elif kind == "same_given_patronymic":
                cand = replace(other, given=p.given, patronymic=p.patronymic, father=p.father)
            elif kind == "surname_from_patronymic":
                derived = inv.by_father.get(p.father)
                if not derived:
                    continue
                s = rng.choice(derived)
                cand = replace(
                    other,
                    given=p.given,
                    surname=s.male if p.sex == "M" else s.female,
                    surname_male=s.male,
                    surname_female=s.female,
                )
            elif kind == "similar_surname":
                pool = [
                    s
                    for s in inv.by_prefix.get(p.surname_male[:4], ())
                    if 2 <= levenshtein(s.male, p.surname_male) <= 4
                ]
                if not pool:
                    continue
                s = rng.choice(pool)
                given = p.given if rng.random() < 0.5 else other.given
                cand = replace(
                    other,
                    given=given,
                    surname=s.male if p.sex == "M" else s.female,
                    surname_male=s.male,
                    surname_female=s.female,
                )
            elif kind == "name_swap":
                partner = self._russian_listed()
                if partner.person.sex != p.sex or partner is near:
                    continue
                cand = replace(other, given=partner.person.given, patronymic=partner.person.patronymic)
                cand = replace(cand, **_surname_of(p))
            elif kind == "same_name_diff_dob":
                dates = near.entity["properties"].get("birthDate")
                if not dates:
                    continue
                years = [int(d[:4]) for d in dates]
                gap = rng.randint(3, 25) * rng.choice((-1, 1))
                year = p.birth.year + gap
                if min(abs(year - y) for y in years) < 3 or not 1925 <= year <= 2007:
                    continue
                birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
                query, label = self.non_match(p, kind, near, birth=birth)
                return query, label
            else:
                raise ValueError(kind)
            if self._fresh(cand):
                return self.non_match(cand, kind, near, birth)
        raise RuntimeError(f"could not make a {kind} negative")

    def random_passenger(self) -> tuple[dict, dict]:
        while True:
            if self.rng.random() < 0.75:
                person = russian_person(self.inv, self.rng, rare=0.15)
            else:
                person = foreign_person(self.inv, self.rng, self.rng.choice(("LT", "LT", "BY", "UA", "PL")))
            if self._fresh(person):
                return self.non_match(person, "random_passenger", None)

    def make_queries(self, count: int, match_share: float = 0.4) -> list[tuple[dict, dict]]:
        matches = round(count * match_share)
        hard = (count - matches) // 2
        pairs = [self.match(self.rng.choice(self.listed)) for _ in range(matches)]
        pairs += [self.hard_negative(NEGATIVE_KINDS[i % len(NEGATIVE_KINDS)]) for i in range(hard)]
        pairs += [self.random_passenger() for _ in range(count - len(pairs))]
        self.rng.shuffle(pairs)
        for n, (query, label) in enumerate(pairs, 1):
            query["id"] = f"q{n:05d}"
            label["query_id"] = query["id"]
        return pairs


def _dump(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def generate(
    out: Path, seed: int = 7, persons: int = 5000, queries: int = 5000, names_dir: Path = NAMES_DIR
) -> dict[str, int]:
    """Write list.ftm.jsonl, queries.jsonl and labels.jsonl into `out`; returns counts."""
    gen = Generator(seed, names_dir)
    failures = check_schemas(gen.spell.schemas)
    if failures:
        raise RuntimeError("transliteration does not reproduce the iuliia samples:\n" + "\n".join(failures))
    gen.make_list(persons)
    pairs = gen.make_queries(queries)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "list.ftm.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(_dump(item.entity) + "\n" for item in gen.listed)
    with (out / "queries.jsonl").open("w", encoding="utf-8") as handle:
        order = ("id", "name", "birth_date", "nationality", "sex", "document_number")
        handle.writelines(_dump({k: q[k] for k in order if k in q}) + "\n" for q, _ in pairs)
    with (out / "labels.jsonl").open("w", encoding="utf-8") as handle:
        order = ("query_id", "entity_id", "kind", "variations", "near_entity_id")
        handle.writelines(_dump({k: lb[k] for k in order if k in lb}) + "\n" for _, lb in pairs)
    matches = sum(label["kind"] == "match" for _, label in pairs)
    return {"persons": len(gen.listed), "queries": len(pairs), "matches": matches}


# --------------------------------------------------------------------------------------------------
# Scale: a million synthetic listed names, streamed
# --------------------------------------------------------------------------------------------------


def generate_scale(out: Path, count: int = 1_000_000, seed: int = 7, names_dir: Path = NAMES_DIR) -> Path:
    """N synthetic listed persons (a Cyrillic and a Latin name, a birth date) for the index-scale
    benchmark. Drawn in chunks with `choices` and written as they come: memory stays flat."""
    rng = random.Random(seed * 1_000_003)
    inv = load_inventory(names_dir, top_given=1500, top_surnames=20_000)
    spell = Spellings(load_schemas(names_dir / "iuliia_schemas"))
    surnames = inv.common.items + inv.rare + inv.unisex.items
    fathers = inv.fathers.items
    systems = ("icao_doc_9303", "bgn_pcgn", "wikipedia", "mvd_310")
    base = date(1930, 1, 1).toordinal()
    span = date(2005, 12, 31).toordinal() - base
    path = out / "scale.ftm.jsonl"
    out.mkdir(parents=True, exist_ok=True)
    chunk = 50_000
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, count, chunk):
            k = min(chunk, count - start)
            sexes = rng.choices("MMMF", k=k)
            male_given = inv.given["M"].picks(rng, k)
            female_given = inv.given["F"].picks(rng, k)
            lines = []
            for i in range(k):
                male = sexes[i] == "M"
                s = surnames[rng.randrange(len(surnames))]
                f = fathers[rng.randrange(len(fathers))]
                surname, given = (s.male, male_given[i]) if male else (s.female, female_given[i])
                patronymic = f.son if male else f.daughter
                system = systems[i & 3]
                latin = " ".join(
                    (spell.part(system, given), spell.part(system, patronymic), spell.part(system, surname))
                )
                born = date.fromordinal(base + rng.randrange(span)).isoformat()
                names = json.dumps([f"{surname} {given} {patronymic}", latin], ensure_ascii=False)
                lines.append(
                    f'{{"id":"tg-scale-{start + i + 1:07d}","schema":"Person","properties":{{"name":'
                    f'{names},"birthDate":["{born}"]}}}}\n'
                )
            handle.writelines(lines)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--scale", type=int, nargs="?", const=1_000_000, default=None, metavar="N")
    parser.add_argument("--names", type=Path, default=NAMES_DIR, help="the names_translit folder")
    parser.add_argument("--check-schemas", action="store_true")
    args = parser.parse_args()
    if args.check_schemas:
        schemas = load_schemas(args.names / "iuliia_schemas")
        failures = check_schemas(schemas)
        total = sum(len(s.samples) for s in schemas.values())
        print(f"{len(schemas)} schemas, {total - len(failures)}/{total} samples reproduced")
        print("\n".join(failures))
        sys.exit(1 if failures else 0)
    if args.out is None:
        parser.error("OUT is required")
    started = time.perf_counter()
    if args.scale is not None:
        path = generate_scale(args.out, args.scale, args.seed, args.names)
        print(f"{args.scale:,} listed persons -> {path} in {time.perf_counter() - started:.1f} s")
        return
    counts = generate(args.out, args.seed, args.persons, args.queries, args.names)
    print(
        f"{counts['persons']:,} listed persons, {counts['queries']:,} queries ({counts['matches']:,} true "
        f"matches) -> {args.out} in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
