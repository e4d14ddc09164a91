"""Russian names for simulated passengers, written the way a Russian passport writes them in Latin.

The name lists ship with the package (data/, BSD-3, see data/README.md); they are read when a
simulation starts, never at import time.
"""

from __future__ import annotations

import csv
from bisect import bisect
from dataclasses import dataclass
from importlib.resources import files
from itertools import accumulate
from random import Random

# ICAO Doc 9303 Part 3 (Russian passports since 2014; DOMAIN §6). Ь is dropped, Ъ becomes IE.
_ICAO_9303 = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def transliterate_icao(text: str) -> str:
    """Cyrillic → Latin by ICAO Doc 9303; other characters pass through. Keeps the case: Юлия → Iuliia."""
    out: list[str] = []
    for char in text:
        latin = _ICAO_9303.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)


def passport_form(text: str) -> str:
    """A Cyrillic name as the Latin line of a passport prints it: ICAO 9303, upper case."""
    return transliterate_icao(text).upper()


@dataclass(frozen=True)
class Weights:
    """Draws an index in proportion to the counts it was built from."""

    cumulative: tuple[int, ...]

    @classmethod
    def of(cls, counts: list[int]) -> Weights:
        return cls(tuple(accumulate(counts)))

    def pick(self, rng: Random) -> int:
        # bisect on the running total: one random number per draw, however long the list
        return bisect(self.cumulative, rng.random() * self.cumulative[-1])


@dataclass(frozen=True)
class NameBook:
    """Given names, patronymics and surnames (male and female forms), already in passport Latin."""

    male: tuple[str, ...]
    male_weights: Weights
    female: tuple[str, ...]
    female_weights: Weights
    patronymics: tuple[tuple[str, str], ...]
    patronymic_weights: Weights
    patronymic_of_father: dict[str, tuple[str, str]]
    surnames: tuple[tuple[str, str], ...]
    surname_weights: Weights

    def given_name(self, rng: Random, sex: str) -> str:
        if sex == "M":
            return self.male[self.male_weights.pick(rng)]
        return self.female[self.female_weights.pick(rng)]

    def surname(self, rng: Random) -> tuple[str, str]:
        """(male form, female form) of one family name."""
        return self.surnames[self.surname_weights.pick(rng)]

    def patronymic(self, rng: Random, sex: str, father: str | None = None) -> str:
        """The patronymic from the father's given name, or a random one if he is not known."""
        pair = self.patronymic_of_father.get(father) if father else None
        if pair is None:
            pair = self.patronymics[self.patronymic_weights.pick(rng)]
        return pair[0] if sex == "M" else pair[1]


def _rows(name: str) -> list[dict[str, str]]:
    text = files("transitguard.adapters.sim").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_name_book() -> NameBook:
    given = _rows("given_names.csv")
    male = [r for r in given if r["gender"] == "m"]
    female = [r for r in given if r["gender"] == "f"]
    patronymics = _rows("patronymics.csv")
    surnames = _rows("surnames.csv")
    pairs = tuple((passport_form(r["male"]), passport_form(r["female"])) for r in patronymics)
    return NameBook(
        male=tuple(passport_form(r["name"]) for r in male),
        male_weights=Weights.of([int(r["count"]) for r in male]),
        female=tuple(passport_form(r["name"]) for r in female),
        female_weights=Weights.of([int(r["count"]) for r in female]),
        patronymics=pairs,
        patronymic_weights=Weights.of([int(r["count"]) for r in patronymics]),
        patronymic_of_father={
            passport_form(r["father"]): pair for r, pair in zip(patronymics, pairs, strict=True)
        },
        surnames=tuple((passport_form(r["male"]), passport_form(r["female"])) for r in surnames),
        surname_weights=Weights.of([int(r["count"]) for r in surnames]),
    )
