"""An in-process screening index over listed names, and the query that ranks candidates in it.

Retrieval, in three steps, each cheap at a million names:
1. every word's comparison keys are in a vocabulary; a query word finds the vocabulary keys within
   one or two edits through a deletion neighbourhood (SymSpell), so typos, OCR errors and the
   spellings the keys do not unify still find their name;
2. every listed name is posted under each unordered pair of its words (sorted numpy arrays), so a
   query finds the names that share two words with it, in any order, with or without a patronymic,
   without touching the thousands of people who only share a common given name;
3. the best few candidates are scored in full (scoring.py) and adjusted by date of birth,
   nationality, sex and document number, with the reasons.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA

from transitguard.domain.watchlists import ListedEntity, PartialDate
from transitguard.engines.screening.keys import is_patronymic, keys, tokens
from transitguard.engines.screening.scoring import (
    ALIGN_AT,
    MAX_BONUS,
    NameScore,
    Token,
    birth_date_adjustment,
    document_match,
    nationality_adjustment,
    normalise_document,
    score_name,
    sex_adjustment,
)

MRZ_NAME_LENGTH = 39  # TD3 name field; a longer name is cut there (ICAO 9303, DOMAIN.md §6)
_NEIGHBOURS = 8  # vocabulary keys kept per query word
_SCORED = 12  # names scored in full per query
_COMMON_PAIR = 5_000  # a pair posted under more names than this is read only in part
_ENOUGH = 2_000  # candidates enough to stop reading the commoner pairs


@dataclass(frozen=True)
class Query:
    id: str
    name: str
    birth_date: str | None = None
    nationality: str | None = None
    sex: str | None = None
    document_number: str | None = None


@dataclass(frozen=True)
class Match:
    entity_id: str
    score: float
    explanation: str
    name: str
    details: dict[str, Any] = field(default_factory=dict, compare=False)


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))} if len(key) > 3 else set()


class ScreeningIndex:
    """Build with `ScreeningIndex.build(entities)`; query with `screen(Query(...))`."""

    def __init__(self) -> None:
        self.entities: list[ListedEntity] = []
        self._vocab: dict[str, int] = {}
        self._vocab_keys: list[str] = []
        self._df = array("i")
        self._name_entity = array("i")
        self._name_of = array("i")  # the index of the name within its entity
        self._pair_keys: np.ndarray[Any, np.dtype[np.int64]] = np.zeros(0, dtype=np.int64)
        self._pair_names: np.ndarray[Any, np.dtype[np.int32]] = np.zeros(0, dtype=np.int32)
        self._single: dict[int, list[int]] = defaultdict(list)  # names of one word, by that word
        self._deletes: dict[str, list[int]] = defaultdict(list)
        self._documents: dict[str, list[int]] = defaultdict(list)
        self.names = 0
        self._listed_cache: dict[str, list[Token]] = {}
        self._neighbour_cache: dict[tuple[str, ...], dict[int, float]] = {}

    # -- building ---------------------------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[ListedEntity], *, persons_only: bool = True) -> ScreeningIndex:
        """Index every name (aliases included) of every listed person (or every entity)."""
        index = cls()
        pair_keys = array("q")
        pair_names = array("i")
        for entity in entities:
            if persons_only and entity.schema not in ("Person", "LegalEntity"):
                continue
            e = len(index.entities)
            index.entities.append(entity)
            seen: set[tuple[str, ...]] = set()
            for n, listed in enumerate(entity.names):
                positions = tuple(k for k in (keys(t) for t in tokens(listed.full)) if k)
                unordered = tuple(sorted(k[0] for k in positions))
                if not positions or unordered in seen:
                    continue  # the Cyrillic and Latin forms often reduce to the same keys, in any order
                seen.add(unordered)
                name_id = len(index._name_entity)
                index._name_entity.append(e)
                index._name_of.append(n)
                ids = [[index._vocab_id(k) for k in position] for position in positions]
                for token_id in {t for position in ids for t in position}:
                    index._df[token_id] += 1
                if len(ids) == 1:
                    for token_id in ids[0]:
                        index._single[token_id].append(name_id)
                    continue
                pairs: set[int] = set()
                for i in range(len(ids)):
                    for j in range(i + 1, len(ids)):
                        for a in ids[i]:
                            for b in ids[j]:
                                if a != b:
                                    pairs.add((min(a, b) << 32) | max(a, b))
                for pair in pairs:
                    pair_keys.append(pair)
                    pair_names.append(name_id)
            for document in entity.documents:
                number = normalise_document(document.number)
                if len(number) >= 5:
                    index._documents[number].append(e)
        keys_array = np.frombuffer(pair_keys, dtype=np.int64) if pair_keys else np.zeros(0, np.int64)
        names_array = np.frombuffer(pair_names, dtype=np.int32) if pair_names else np.zeros(0, np.int32)
        order = np.argsort(keys_array, kind="stable")
        index._pair_keys = keys_array[order]
        index._pair_names = names_array[order]
        for token_id, key in enumerate(index._vocab_keys):
            for deleted in _deletions(key):
                index._deletes[deleted].append(token_id)
        index.names = len(index._name_entity)
        return index

    def _vocab_id(self, key: str) -> int:
        found = self._vocab.get(key)
        if found is None:
            found = len(self._vocab_keys)
            self._vocab[key] = found
            self._vocab_keys.append(key)
            self._df.append(0)
        return found

    @property
    def vocabulary(self) -> int:
        return len(self._vocab_keys)

    # -- weights ----------------------------------------------------------------------------------

    def _weight(self, token_keys: Sequence[str]) -> float:
        """How much a word tells: rare surnames a lot, Aleksandr little (inverse document frequency)."""
        df = min((self._df[self._vocab[k]] for k in token_keys if k in self._vocab), default=0)
        total = max(self.names, 2)
        return max(0.25, min(1.0, math.log((total + 1) / (df + 1)) / math.log(total + 1) * 1.6))

    def _token(self, text: str, *, truncated: bool = False) -> Token | None:
        token_keys = keys(text)
        if not token_keys:
            return None
        patronymic = any(is_patronymic(k) for k in token_keys)
        weight = self._weight(token_keys) * (0.6 if patronymic else 1.0)
        return Token(text, token_keys, weight, patronymic, truncated)

    def _stray_k(self, word: str) -> str:
        """`<<` read as `<K` or `K<` leaves a K on a name (KALASHNIKOV<KLEV): drop it when that
        makes a known word of an unknown one."""
        if len(word) < 4 or keys(word)[0] in self._vocab:
            return word
        for candidate in (word[1:] if word[:1] in "Kk" else "", word[:-1] if word[-1:] in "Kk" else ""):
            if candidate and keys(candidate) and keys(candidate)[0] in self._vocab:
                return candidate
        return word

    def _unfuse(self, word: str) -> list[str]:
        """An MRZ name whose `<<` the reader took for K or KK fuses surname and given name
        (KUZNETSOVKKANDREI): split where both halves are known words."""
        upper = word.upper()
        if len(upper) < 7 or keys(word)[0] in self._vocab:
            return [word]
        for separator in ("KK", "K", "<", "C"):
            start = upper.find(separator, 3)
            while start != -1 and start <= len(upper) - 3 - len(separator):
                left, right = word[:start], word[start + len(separator) :]
                lk, rk = keys(left), keys(right)
                if lk and rk and lk[0] in self._vocab and rk[0] in self._vocab:
                    return [left, right]
                start = upper.find(separator, start + 1)
        return [word]

    def _listed_tokens(self, name: str) -> list[Token]:
        found = self._listed_cache.get(name)
        if found is None:
            found = [t for t in (self._token(w) for w in tokens(name)) if t is not None]
            if len(self._listed_cache) > 200_000:
                self._listed_cache.clear()  # bounded: the listed names screened most stay hot
            self._listed_cache[name] = found
        return found

    def query_tokens(self, name: str) -> list[Token]:
        words = tokens(name)
        if "<" in name:
            words = [self._stray_k(part) for word in words for part in self._unfuse(word)]
        # An MRZ name field is cut at 39 characters: its last word may be a prefix.
        mrz = "<" in name and len(name.rstrip("<")) >= MRZ_NAME_LENGTH - 1
        found: list[Token] = []
        for i, word in enumerate(words):
            token = self._token(word, truncated=mrz and i == len(words) - 1)
            if token is not None:
                found.append(token)
        return found

    # -- retrieval --------------------------------------------------------------------------------

    def _neighbours(self, token: Token) -> dict[int, float]:
        """Vocabulary words within reach of this one, with their similarity (memoised: the same
        given names and surnames come back query after query)."""
        cached = self._neighbour_cache.get(token.keys)
        if cached is None:
            cached = self._find_neighbours(token.keys)
            if len(self._neighbour_cache) > 100_000:
                self._neighbour_cache.clear()
            self._neighbour_cache[token.keys] = cached
        return cached

    def _find_neighbours(self, token_keys: tuple[str, ...]) -> dict[int, float]:
        found: dict[int, float] = {}
        for key in token_keys:
            exact = self._vocab.get(key)
            if exact is not None:
                found[exact] = 1.0
            probes = {key} | _deletions(key)
            candidates: set[int] = set()
            for probe in probes:
                candidates.update(self._deletes.get(probe, ()))
                hit = self._vocab.get(probe)
                if hit is not None:
                    candidates.add(hit)
            for token_id in candidates:
                if token_id in found and found[token_id] == 1.0:
                    continue
                similarity = OSA.normalized_similarity(key, self._vocab_keys[token_id])
                if similarity >= ALIGN_AT - 0.1 and similarity > found.get(token_id, 0.0):
                    found[token_id] = similarity
        if len(found) > _NEIGHBOURS:
            found = dict(sorted(found.items(), key=lambda kv: -kv[1])[:_NEIGHBOURS])
        return found

    def _candidate_names(self, query: Sequence[Token]) -> list[int]:
        near = [self._neighbours(t) for t in query]
        weights = [t.weight for t in query]
        arrays = [
            (np.fromiter(n.keys(), np.int64, len(n)), np.fromiter(n.values(), np.float64, len(n)))
            for n in near
        ]
        probes: list[np.ndarray[Any, np.dtype[np.int64]]] = []
        pair_gains: list[np.ndarray[Any, np.dtype[np.float64]]] = []
        for i in range(len(arrays)):
            for j in range(i + 1, len(arrays)):
                (a, sa), (b, sb) = arrays[i], arrays[j]
                if not len(a) or not len(b):
                    continue
                low = np.minimum.outer(a, b)
                high = np.maximum.outer(a, b)
                keep = low != high
                probes.append(((low << 32) | high)[keep])
                pair_gains.append(np.add.outer(sa * weights[i], sb * weights[j])[keep])
        ids: list[np.ndarray[Any, np.dtype[np.int32]]] = []
        scores: list[np.ndarray[Any, np.dtype[np.float64]]] = []
        if probes:
            probe = np.concatenate(probes)
            gains = np.concatenate(pair_gains)
            lo = np.searchsorted(self._pair_keys, probe, "left")
            hi = np.searchsorted(self._pair_keys, probe, "right")
            sizes = hi - lo
            taken = 0
            # Rarest pairs first (a surname with a given name); a pair as common as two frequent given
            # names is read only while too few candidates have been found.
            for k in np.argsort(sizes, kind="stable"):
                size = int(sizes[k])
                if size == 0:
                    continue
                if taken >= _ENOUGH and size > _COMMON_PAIR:
                    break
                start = int(lo[k])
                end = start + min(size, _COMMON_PAIR)
                ids.append(self._pair_names[start:end])
                scores.append(np.full(end - start, float(gains[k])))
                taken += end - start
        for i, options in enumerate(near):
            for token_id, similarity in options.items():
                single = self._single.get(token_id)
                if single:
                    ids.append(np.array(single, dtype=np.int32))
                    scores.append(np.full(len(single), similarity * weights[i]))
        if not ids:
            return []
        all_ids = np.concatenate(ids)
        unique, inverse = np.unique(all_ids, return_inverse=True)
        totals = np.bincount(inverse, weights=np.concatenate(scores))
        if len(unique) > _SCORED:
            best = np.argpartition(-totals, _SCORED)[:_SCORED]
            unique, totals = unique[best], totals[best]
        order = np.argsort(-totals, kind="stable")
        return [int(x) for x in unique[order]]

    # -- screening --------------------------------------------------------------------------------

    def screen(self, query: Query, threshold: float = 0.0, limit: int = 5) -> list[Match]:
        """The listed persons this query may be, best first, each with its score and reasons."""
        q_tokens = self.query_tokens(query.name)
        best: dict[int, tuple[NameScore, int]] = {}
        for name_id in self._candidate_names(q_tokens) if q_tokens else []:
            e = self._name_entity[name_id]
            listed = self.entities[e].names[self._name_of[name_id]]
            l_tokens = self._listed_tokens(listed.full)
            scored = score_name(q_tokens, l_tokens)
            if e not in best or scored.score > best[e][0].score:
                best[e] = (scored, self._name_of[name_id])
        decisive: set[int] = set()
        if query.document_number:
            for e in self._documents.get(normalise_document(query.document_number), ()):
                decisive.add(e)
                if e not in best:
                    best[e] = (NameScore(0.0, (), ("the name does not match",)), 0)
        birth = _partial(query.birth_date)
        # No qualifier adds more than MAX_BONUS: a name score that cannot reach the threshold with it
        # is not worth explaining (unless a document number decides).
        matches = [
            self._match(query, birth, e, scored, n)
            for e, (scored, n) in best.items()
            if scored.score + MAX_BONUS >= threshold or e in decisive
        ]
        matches = [m for m in matches if m.score >= threshold]
        matches.sort(key=lambda m: (-m.score, m.entity_id))
        return matches[:limit]

    def _match(
        self, query: Query, birth: PartialDate | None, e: int, scored: NameScore, name_index: int
    ) -> Match:
        entity = self.entities[e]
        listed_name = entity.names[name_index] if entity.names else None
        parts: list[str] = []
        for p in scored.pairings:
            parts.append(f"{p.query.text} ~ {p.listed.text}: {p.rule} ({p.similarity:.2f})")
        parts.extend(scored.reasons)
        score = scored.score
        lines = [f"name {score:.2f} against {listed_name.full if listed_name else entity.caption!r}"]
        adjustments: list[tuple[str, float]] = []
        for adjustment, reason in (
            birth_date_adjustment(birth, entity.birth_dates),
            nationality_adjustment(query.nationality, entity.nationalities),
            sex_adjustment(query.sex, entity.sex),
        ):
            if reason:
                adjustments.append((reason, adjustment))
        if scored.score >= 0.5:  # qualifiers refine a name match; they never make one
            score += sum(a for _, a in adjustments)

        document = document_match(query.document_number, entity.documents)
        if document is not None:
            score = max(score, 0.99)
            adjustments.append((f"document number {document.number} matches the listed document", 0.0))
        score = round(min(1.0, max(0.0, score)), 4)
        for reason, adjustment in adjustments:
            lines.append(f"{reason} ({adjustment:+.2f})" if adjustment else reason)
        explanation = "; ".join([lines[0], *parts, *lines[1:]]) + f" → {score:.2f}"
        details = {
            "name": scored.score,
            "pairings": [
                {
                    "query": p.query.text,
                    "listed": p.listed.text,
                    "similarity": round(p.similarity, 3),
                    "rule": p.rule,
                }
                for p in scored.pairings
            ],
            "reasons": list(scored.reasons),
            "qualifiers": [{"reason": r, "adjustment": a} for r, a in adjustments],
        }
        return Match(entity.entity_id, score, explanation, listed_name.full if listed_name else "", details)


def _partial(text: str | None) -> PartialDate | None:
    if not text:
        return None
    try:
        return PartialDate.parse(text)
    except ValueError:
        return None
