"""Name tokens to comparison keys that every spelling of the same Russian name shares.

One Russian name reaches us in many spellings: Cyrillic; ICAO 9303 (IULIIA, TSOI); the pre-2014 passport
rules (YULIYA, TCOI); BGN/PCGN (Yuliya, Tsoy); GOST 7.79 (Yulija, Czoj, Xodorkovskij); German (Julija,
Zoi, Chodorkowski, Kusnezow); Polish (Julija, Coj, Chodorkowski, Kuzniecow); French (Ioulia, Tsoï);
Lithuanian records (Julija, Kuznecovas); the MRZ (upper case, `<` separators, no diacritics).

A key is a spelling reduced to what those systems agree on (DOMAIN.md §6: IU/YU/JU, IA/YA/JA, I/Y/J,
TS/TC/CZ, KH/X/H, E/YE, drop Ь/Ъ), in a small alphabet where the consonants that the systems write in
different ways get one letter each: C = ч, S = ш, Z = ж, c = ц, h = х. Where one Latin letter group
means different sounds in different orthographies ("ch" is ч in English and х in German and Polish;
"z" is з in English and ц in German), the token gets one key per orthography that could have written it
(at most a handful; most tokens have one or two). Cyrillic is unambiguous and gets exactly one key.

No library does this cross-system reduction (rigour/normality transliterate Cyrillic by ISO 9 and
fold Latin diacritics, which leaves IULIIA and YULIYA apart); the rules are small and tested against the
iuliia transliteration samples.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Cyrillic (Russian, Ukrainian, Belarusian letters) straight to the key alphabet.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "Z", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "C", "ш": "S", "щ": "SC",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "і": "i", "ї": "i", "є": "e", "ґ": "g", "ў": "u",
}  # fmt: skip

# Latin letters with a meaning of their own in Lithuanian, Polish, Czech, German orthography; the
# rest lose their diacritics (é → e, ū → u, ë → e, ï → i).
_LATIN_SPECIAL = {
    "š": "S", "ž": "Z", "č": "C", "ć": "C", "ś": "s", "ź": "z", "ż": "Z", "ł": "l", "ß": "ss",
    "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ŭ": "u",
    # GOST 16876-71 / ISO 9 (system A) letters for я, ю, щ, ч
    "â": "ia", "û": "iu", "ŝ": "SC", "ĉ": "C",
}  # fmt: skip

# Digits a scanner reads for letters in a name (OCR): names have no digits, so the mapping is safe.
_OCR = str.maketrans({"0": "o", "1": "i", "5": "s", "8": "b"})

_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")

# Rewrites shared by every orthography, applied after the orthography's own (in this order).
_COMMON: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"q"), "k"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Alla/Ala, Kirill/Kiril, Aleksandrr typos
    (re.compile(r"^ie"), "e"),  # Yelena / Elena / Jelena
    (re.compile(r"(?<=[aeiou])ie"), "e"),  # Sergeyev / Sergeev
    (re.compile(r"(?<=[^aeiou])io(?=[^aeiou])"), "e"),  # Fyodor / Fedor, Artyom / Artem
    (re.compile(r"(?<=[^aeiou])ie"), "e"),  # Vasilyeva / Васильева (ь dropped), Dmitriyev
    (re.compile(r"(.)\1+"), r"\1"),
)

# Each orthography: rewrites applied in order to the lower-cased token (longest groups first).
_ORTHOGRAPHIES: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    # ICAO 9303, BGN/PCGN, the Russian passport rules, English and Wikipedia usage.
    "en": (
        (re.compile(r"shch|shh|sch"), "SC"),  # sch: щ in Moscow metro and Telegram spellings
        (re.compile(r"tch"), "C"),
        (re.compile(r"ch"), "C"),
        (re.compile(r"kh"), "h"),
        (re.compile(r"zh"), "Z"),
        (re.compile(r"sh"), "S"),
        (re.compile(r"ts|tc|tz|cz"), "c"),
        (re.compile(r"^x"), "h"),  # GOST 7.79 х at the start (Xizhnyakov); elsewhere x is ks (Maxim)
        (re.compile(r"x"), "ks"),
        (re.compile(r"ou"), "u"),
        (re.compile(r"ff$"), "v"),  # Smirnoff
    ),
    # German: sch = ш, tsch = ч, ch = х, z = ц, s between vowels = з, -ow/-off = -ов.
    "de": (
        (re.compile(r"schtsch"), "SC"),
        (re.compile(r"tsch"), "C"),
        (re.compile(r"sch"), "S"),
        (re.compile(r"ch"), "h"),
        (re.compile(r"zh"), "Z"),
        (re.compile(r"ts|tz"), "c"),
        (re.compile(r"z"), "c"),
        (re.compile(r"ss"), "s_"),  # с written ss; the marker keeps it from the next rule
        (re.compile(r"s"), "z"),  # German writes з as s (Kusnezow, Sacharow)
        (re.compile(r"s_"), "s"),
        (re.compile(r"ff$"), "v"),
        (re.compile(r"x"), "ks"),
    ),
    # Polish, Czech, Lithuanian: sz = ш, cz = ч, ch = х, rz = ж, c = ц.
    "pl": (
        (re.compile(r"szcz"), "SC"),
        (re.compile(r"sz"), "S"),
        (re.compile(r"cz"), "C"),
        (re.compile(r"ch"), "h"),
        (re.compile(r"rz"), "Z"),
        (re.compile(r"(?<=[^aeiouy])ie"), "e"),  # Kuzniecow
        (re.compile(r"x"), "ks"),
    ),
    # French: ch = ш, tch = ч, j = ж, ou = у.
    "fr": (
        (re.compile(r"tch"), "C"),
        (re.compile(r"ch"), "S"),
        (re.compile(r"kh"), "h"),
        (re.compile(r"j"), "Z"),
        (re.compile(r"ou"), "u"),
        (re.compile(r"ts"), "c"),
        (re.compile(r"x"), "ks"),
    ),
}

# German writes ж as sch too (Chischnjakow for Хижняков): the German rules with sch read as ж.
_ORTHOGRAPHIES["de-zh"] = tuple(
    (pattern, "Z") if pattern.pattern == "sch" else (pattern, replacement)
    for pattern, replacement in _ORTHOGRAPHIES["de"]
)

# Lithuanian records give some Russian given names in their Lithuanian form, not a transliteration:
# the cognate's key is added to the token's keys. Both directions are the same name.
_COGNATES = {
    "jonas": "ivan", "ona": "ana", "jurgis": "georgi|iuri", "mikalojus": "nikolai", "andrius": "andrei",
    "petras": "petr", "povilas": "pavel", "jokubas": "iakov", "juozas": "iosif", "mykolas": "mihail",
    "motiejus": "matvei", "steponas": "stepan", "tomas": "foma", "kazimieras": "kazimir",
    "antanas": "anton", "vytautas": "vitovt", "jurijus": "iuri", "aleksas": "aleksei",
    "elzbieta": "elizaveta", "marija": "maria", "kotryna": "ekaterina", "jekaterina": "ekaterina",
    "ieva": "eva", "morta": "marfa", "barbora": "varvara", "teodora": "fedora", "dovydas": "david",
    "benediktas": "venedikt", "bernardas": "bernard", "laurynas": "lavrenti", "mataušas": "matvei",
    "simonas": "semen", "zigmas": "zigmund", "ignas": "ignati", "pranas": "fransisk", "vladas": "vladimir",
}  # fmt: skip
_LITHUANIAN_FEMININE = re.compile(r"(?<=[a-zA-Z]{3})(aite|yte|iute|ute|iene)$")

# Lithuanian adds case endings to foreign masculine names (Kuznecovas, Sergejus, Dmitrijus, and
# -skis for -ский: Žirinovskis).
_LITHUANIAN_ENDING = re.compile(r"(?<=[a-zA-Z]{3})(as|is|ys|us)$")


def _lithuanian_stem(ending: re.Match[str]) -> str:
    # -skis / -ckis is -ский: the stem keeps its i (Žirinovskis → Zirinovski); other endings go.
    return "i" if ending.group(1) == "is" and ending.string[: ending.start()].endswith(("sk", "ck")) else ""


def fold(text: str) -> str:
    """Lower case, OCR digits to letters, letters with orthographic meaning kept, other diacritics
    dropped. Cyrillic is left for `keys` to map."""
    lowered = text.lower().translate(_OCR)
    out: list[str] = []
    for char in lowered:
        special = _LATIN_SPECIAL.get(char)
        if special is not None:
            out.append(special)
        elif char.isascii() or _CYRILLIC_RE.match(char):
            out.append(char)
        else:
            base = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in base if not unicodedata.combining(c)))
    return "".join(out)


def _finish(key: str, rules: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    for pattern, replacement in rules:
        key = pattern.sub(replacement, key)
    return key


@lru_cache(maxsize=262_144)
def keys(token: str) -> tuple[str, ...]:
    """The comparison keys of one name token (a word), most likely first; empty for no letters."""
    folded = fold(token)
    if _CYRILLIC_RE.search(folded):
        mapped = "".join(_CYRILLIC.get(c, c if c.isalpha() else "") for c in folded)
        return (_finish(mapped, _COMMON),) if mapped else ()
    # Only a-z and the key letters remain from here on (apostrophes, hyphens and the like dropped).
    letters = "".join(c for c in folded if c.isalpha() and c.isascii())
    if not letters:
        return ()
    found: list[str] = []
    for rules in _ORTHOGRAPHIES.values():
        key = _finish(_finish(letters, rules), _COMMON)
        if key and key not in found:
            found.append(key)
    letters = re.sub(r"(.)\1+", r"\1", letters)  # Usovaas: a doubled letter is a typo, not an ending
    for cognate in _COGNATES.get(letters, "").split("|"):
        if cognate and cognate not in found:
            found.append(cognate)
    feminine = _LITHUANIAN_FEMININE.sub("a", letters)
    if feminine != letters:
        key = _finish(_finish(feminine, _ORTHOGRAPHIES["pl"]), _COMMON)
        if key not in found:
            found.append(key)
    stripped = _LITHUANIAN_ENDING.sub(_lithuanian_stem, letters)
    if stripped != letters:
        key = _finish(_finish(stripped, _ORTHOGRAPHIES["pl"]), _COMMON)
        if key not in found:
            found.append(key)
    return tuple(found)


_SPLIT = re.compile(r"[^\w']+|_")


def tokens(name: str) -> list[str]:
    """Words of a name as written: MRZ `<` separators, commas, hyphens and spaces split it."""
    return [
        t for t in _SPLIT.split(name.replace("<", " ")) if t and any(c.isalpha() or c.isdigit() for c in t)
    ]


# -- what a token is -------------------------------------------------------------------------------


# Patronymics in -ich from names in -a/-ya (Ильич, Кузьмич, Лукич, Фомич, Никитич, Саввич): too short
# or too like a surname (Stankevich, Babich) to tell by the ending alone.
_SHORT_PATRONYMICS = frozenset({"iliC", "kuzmiC", "lukiC", "fomiC", "nikitiC", "saviC", "fokiC", "minaiC"})


def is_patronymic(key: str) -> bool:
    """A Russian patronymic (-ovich, -evich, -ich, -ovna, -evna, -ichna) by its key's ending."""
    if key in _SHORT_PATRONYMICS:
        return True
    return len(key) >= 6 and (
        key.endswith(("oviC", "eviC", "ovna", "evna", "iCna")) or (key.endswith("iC") and len(key) >= 7)
    )


def gender_pair(a: str, b: str) -> bool:
    """True when two keys are the male and female forms of one surname or name (Ivanov/Ivanova,
    Shultsev/Shultseva, Stanislav/Stanislava, Petrovskii/Petrovskaia, Tolstoi/Tolstaia)."""
    if a == b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if long_ == short + "a":
        return True
    # -ii / -oi / -ai (male adjective surnames) and -aia (female)
    for male in ("i", "oi", "ii", "ei"):
        if short.endswith(male) and long_ == short[: -len(male)] + "aia":
            return True
    # patronymics: -ovich / -ovna, -evich / -evna, -ich / -ichna
    return (
        (a.endswith("oviC") and b == a[:-4] + "ovna")
        or (b.endswith("oviC") and a == b[:-4] + "ovna")
        or (a.endswith("eviC") and b == a[:-4] + "evna")
        or (b.endswith("eviC") and a == b[:-4] + "evna")
    )
