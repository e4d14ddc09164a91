"""Score one query against one listed name, and adjust by the qualifiers, with reasons a reviewing
officer can read. Pure: everything it needs is passed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from transitguard.domain.watchlists import ListedDocument, PartialDate
from transitguard.engines.screening.keys import gender_pair

# Below this a pair of tokens is not the same name written differently.
ALIGN_AT = 0.74
MAX_BONUS = 0.1  # the most the qualifiers add together: exact date of birth and nationality
GENDER_RULE = "male and female forms of the name (another person)"


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a name: as written, its comparison keys, and how informative it is (0..1)."""

    text: str
    keys: tuple[str, ...]
    weight: float
    patronymic: bool
    truncated: bool = False  # the last word of an MRZ name field cut at 39 characters


@dataclass(frozen=True, slots=True)
class Pairing:
    query: Token
    listed: Token
    similarity: float
    rule: str


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    pairings: tuple[Pairing, ...]
    reasons: tuple[str, ...]


def _compare(query: Token, listed: Token) -> tuple[float, str]:
    similarity, rule = _compare_keys(query.keys, listed.keys, query.truncated)
    if rule == _SAME and query.text.lower() == listed.text.lower():
        return similarity, "same"
    return similarity, rule


_SAME = "same name after transliteration"


@lru_cache(maxsize=262_144)
def _compare_keys(query: tuple[str, ...], listed: tuple[str, ...], truncated: bool) -> tuple[float, str]:
    # Memoised: a million listed names share a few tens of thousands of distinct words.
    pairs = [(a, b) for a in query for b in listed]
    if any(a == b for a, b in pairs):
        return 1.0, _SAME
    if any(gender_pair(a, b) for a, b in pairs):
        # Ivanov and Ivanova are two people, however close the letters: never a spelling variant.
        return 0.5, GENDER_RULE
    best, rule = 0.0, ""
    for a, b in pairs:
        if truncated and len(a) >= 4 and b.startswith(a):
            if best < 0.95:
                best, rule = 0.95, "cut short in the MRZ name field"
            continue
        if len(a) == 1 and b.startswith(a):
            if best < 0.8:
                best, rule = 0.8, "initial"
            continue
        similarity = OSA.normalized_similarity(a, b)
        if similarity > best:
            distance = OSA.distance(a, b)
            best = similarity
            letters = "letter" if distance == 1 else "letters"
            rule = f"spelling differs by {distance} {letters} (typo, OCR or transliteration)"
    return best, rule


def score_name(query: Sequence[Token], listed: Sequence[Token]) -> NameScore:
    """How well the query's words match one listed name, in any order, with missing parts costed:
    a missing patronymic costs little, a contradicting one a lot, a missing given name or surname more."""
    candidates: list[tuple[float, int, int, str]] = []
    for i, q in enumerate(query):
        for j, n in enumerate(listed):
            similarity, rule = _compare(q, n)
            if similarity >= ALIGN_AT or rule == GENDER_RULE:
                candidates.append((similarity, i, j, rule))
    candidates.sort(key=lambda c: -c[0])
    used_q: set[int] = set()
    used_n: set[int] = set()
    pairings: list[Pairing] = []
    for similarity, i, j, rule in candidates:
        if i in used_q or j in used_n:
            continue
        used_q.add(i)
        used_n.add(j)
        pairings.append(Pairing(query[i], listed[j], similarity, rule))

    reasons: list[str] = []
    matched = sum(p.query.weight * p.similarity for p in pairings)
    total = sum(p.query.weight for p in pairings)
    left_q = [t for i, t in enumerate(query) if i not in used_q]
    left_n = [t for j, t in enumerate(listed) if j not in used_n]
    for token in left_q:
        cost = token.weight * (0.25 if token.patronymic else 1.0)
        total += cost
        what = "patronymic" if token.patronymic else "name"
        reasons.append(f"{what} {token.text} is not in the listed name")
    for token in left_n:
        cost = token.weight * (0.2 if token.patronymic else 0.7)
        total += cost
        what = "patronymic" if token.patronymic else "name"
        reasons.append(f"listed {what} {token.text} is not in the query")
    if any(t.patronymic for t in left_q) and any(t.patronymic for t in left_n):
        # Both give a patronymic and they differ: a different father, so very likely another person.
        total += max(t.weight for t in left_n if t.patronymic)
        reasons.append("the patronymics contradict each other")
    score = matched / total if total else 0.0
    real = [p for p in pairings if p.similarity >= ALIGN_AT]
    if len(real) < 2 and len(query) >= 2 and len(listed) >= 2:
        score *= 0.6  # one shared word (a common surname) is not a match of two full names
        reasons.append("only one word matches")
    if any(p.rule == GENDER_RULE for p in pairings):
        score = min(score, 0.7)
    if len(real) >= 2 and _order_swapped(query, listed, real):
        reasons.append("names in another order")
    return NameScore(score, tuple(pairings), tuple(reasons))


def _order_swapped(query: Sequence[Token], listed: Sequence[Token], pairings: Sequence[Pairing]) -> bool:
    q_index = {id(t): i for i, t in enumerate(query)}
    n_index = {id(t): j for j, t in enumerate(listed)}
    ordered = sorted(pairings, key=lambda p: q_index[id(p.query)])
    positions = [n_index[id(p.listed)] for p in ordered]
    return positions != sorted(positions)


# -- qualifiers ---------------------------------------------------------------------------------------


def birth_date_adjustment(query: PartialDate | None, listed: Sequence[PartialDate]) -> tuple[float, str]:
    """(adjustment, reason) for the query's date of birth against the listed ones."""
    if query is None:
        return 0.0, "no date of birth in the query"
    if not listed:
        return 0.0, "no date of birth on the list"
    if query.month == 1 and query.day == 1:
        query = PartialDate(query.year)  # 01.01 is the placeholder for an unknown day and month
    return max((_date_pair(query, d) for d in listed), key=lambda r: r[0])


def _date_pair(q: PartialDate, d: PartialDate) -> tuple[float, str]:
    listed = d.iso()
    if d.month == 1 and d.day == 1:
        d = PartialDate(d.year)
    if q.year == d.year:
        if q.month is None or d.month is None:
            return 0.03, f"year of birth {q.year} matches {listed}"
        if q.month == d.month and (q.day is None or d.day is None):
            return 0.05, f"month of birth {q.iso()} matches {listed}"
        if q.month == d.month and q.day == d.day:
            return 0.08, f"date of birth {q.iso()} matches {listed}"
        if q.day is not None and d.day is not None and q.month == d.day and q.day == d.month:
            return 0.04, f"date of birth {q.iso()} matches {listed} with day and month swapped"
        return -0.12, f"same year but another day: {q.iso()} against {listed}"
    if abs(q.year - d.year) == 1:
        if q.month is not None and q.month == d.month and q.day == d.day:
            return -0.01, f"date of birth {q.iso()} is one year off {listed} (same day)"
        return -0.04, f"year of birth {q.year} is one year off {listed}"
    if q.month is not None and q.month == d.month and q.day is not None and q.day == d.day:
        return -0.1, f"same day and month but year {q.year} against {listed}"
    return -0.3, f"date of birth {q.iso()} contradicts {listed}"


def nationality_adjustment(query: str | None, listed: Sequence[str]) -> tuple[float, str | None]:
    if not query or not listed:
        return 0.0, None
    if query.upper() in listed:
        return 0.02, f"nationality {query.upper()} matches"
    return -0.05, f"nationality {query.upper()} is not the listed {', '.join(listed)}"


def sex_adjustment(query: str | None, listed: str | None) -> tuple[float, str | None]:
    if not query or not listed or query.upper() not in ("M", "F"):
        return 0.0, None
    if query.upper() == listed:
        return 0.0, None
    return -0.25, f"sex {query.upper()} against listed {listed}"


def normalise_document(number: str) -> str:
    return "".join(c for c in number.upper() if c.isalnum())


def document_match(query: str | None, listed: Sequence[ListedDocument]) -> ListedDocument | None:
    if not query:
        return None
    wanted = normalise_document(query)
    if len(wanted) < 5:
        return None  # too short to be decisive
    return next((d for d in listed if normalise_document(d.number) == wanted), None)
