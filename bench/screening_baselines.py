"""Baseline person screeners for bench/screening.py, each scoring the same queries against the same list.

    python bench/screening_baselines.py rapidfuzz --data DIR --out FILE
    bench/.venv-logicv2/bin/python bench/screening_baselines.py logicv2 --data DIR --out FILE

- `RapidfuzzBaseline`: what a team would write in an afternoon: fold every name to upper-case ASCII
  (unidecode when it is installed, else NFKD plus a small Cyrillic table; the output names which), then
  rapidfuzz `token_sort_ratio` by brute force over every listed name; optionally a birth-year bonus.
- `LogicV2Baseline`: OpenSanctions' nomenklatura `logic-v2` matcher, with yente-style candidate
  retrieval (block on shared name tokens, their metaphone keys and 4-letter prefixes after ASCII
  folding, score the top 30 candidates). nomenklatura is an optional dependency that lives in its own venv
  (bench/requirements-logicv2.txt); the runner calls this file with that venv's Python.

The output FILE is JSON Lines: a first line {"meta": {...}} (name, threshold, build seconds, memory), then
one {"query_id", "candidates": [[entity_id, score], ...], "seconds"} per query, best first.
Only the standard library and the baseline's own library are imported here (no transitguard).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

LIMIT = 5  # candidates kept per query

# --------------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc), for the index's memory as an RSS delta."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
    except OSError:
        return 0.0
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def birth_years(values: Iterable[str]) -> set[int]:
    return {int(v[:4]) for v in values if v[:4].isdigit()}


# A minimal Cyrillic -> Latin table (ICAO 9303) for when unidecode is not installed.
_LATIN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y - e iu ia"
_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.replace("-", "").split(" "), strict=True))
_CYR_TABLE = str.maketrans({**_CYR, **{k.upper(): v.upper() for k, v in _CYR.items()}})

try:
    from unidecode import unidecode as _unidecode

    FOLDER = "unidecode"
except ImportError:  # the main venv does not have it: say so in the output
    _unidecode = None
    FOLDER = "NFKD + Cyrillic table"


def fold(text: str) -> str:
    """Upper-case ASCII words separated by single spaces (MRZ fillers and punctuation become spaces)."""
    if _unidecode is not None:
        text = _unidecode(text)
    else:
        text = text.translate(_CYR_TABLE).replace("ł", "l").replace("Ł", "L")
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.split(r"[^A-Z0-9]+", text.upper())).strip()


# --------------------------------------------------------------------------------------------------
# rapidfuzz
# --------------------------------------------------------------------------------------------------


class RapidfuzzBaseline:
    """Brute-force token_sort_ratio over every listed name; the best name per entity is its score."""

    threshold = 0.85

    def __init__(self, year_bonus: bool = False) -> None:
        self.year_bonus = year_bonus
        self.name = f"rapidfuzz token_sort_ratio + {FOLDER}" + (" + birth year" if year_bonus else "")
        self.names: list[str] = []
        self.owner: list[int] = []
        self.ids: list[str] = []
        self.years: list[set[int]] = []

    def build(self, entities: Iterable[dict]) -> None:
        from rapidfuzz import utils

        for entity in entities:
            props = entity["properties"]
            self.ids.append(entity["id"])
            self.years.append(birth_years(props.get("birthDate", ())))
            seen = set()
            for name in props.get("name", ()):
                # token_sort_ratio sorts the tokens of both sides; sorting the list side once here and
                # scoring with plain `ratio` gives the same numbers at a fraction of the cost.
                key = " ".join(sorted(utils.default_process(fold(name)).split()))
                if key and key not in seen:
                    seen.add(key)
                    self.names.append(key)
                    self.owner.append(len(self.ids) - 1)

    def screen(self, query: dict, limit: int = LIMIT) -> list[tuple[str, float]]:
        from rapidfuzz import fuzz, process, utils

        key = " ".join(sorted(utils.default_process(fold(query["name"])).split()))
        hits = process.extract(key, self.names, scorer=fuzz.ratio, limit=limit * 6, processor=None)
        best: dict[int, float] = {}
        year = int(query["birth_date"][:4]) if query.get("birth_date") else None
        for _, score, i in hits:
            entity = self.owner[i]
            value = score / 100
            if self.year_bonus and year is not None and self.years[entity]:
                value += 0.05 if year in self.years[entity] else -0.05
                value = min(max(value, 0.0), 1.0)
            if value > best.get(entity, -1.0):
                best[entity] = value
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:limit]
        return [(self.ids[e], round(s, 4)) for e, s in ranked]


# --------------------------------------------------------------------------------------------------
# nomenklatura logic-v2
# --------------------------------------------------------------------------------------------------

ALPHA2 = {"RUS": "ru", "LTU": "lt", "UKR": "ua", "BLR": "by", "POL": "pl", "LVA": "lv", "DEU": "de"}


class LogicV2Baseline:
    """yente-style: block on shared folded name tokens, metaphone keys and prefixes (rarer keys weigh
    more), score the top 30 candidates with logic-v2 (threshold 0.70, yente's default)."""

    threshold = 0.70
    candidates = 30

    def __init__(self) -> None:
        import nomenklatura
        from followthemoney import model
        from nomenklatura.matching import get_algorithm

        algorithm = get_algorithm("logic-v2")
        if algorithm is None:
            raise RuntimeError("this nomenklatura has no logic-v2")
        self.algorithm = algorithm
        self.config = algorithm.default_config()
        self.model = model
        version = nomenklatura.__version__
        self.name = f"nomenklatura {version} logic-v2 (token/metaphone/prefix blocking, top 30)"
        self.proxies: list = []
        self.blocks: dict[str, list[int]] = defaultdict(list)
        # query id -> the entity ids retrieval handed to logic-v2, so the runner can tell retrieval
        # misses (the right entity never scored) from scoring misses.
        self.shortlists: dict[str, list[str]] = {}

    def keys(self, name: str) -> set[str]:
        """Blocking keys of a name: its folded tokens, their metaphone codes and 4-letter prefixes
        (a stand-in for the fuzzy and phonetic name fields yente queries in its search index)."""
        from rigour.names import tokenize_name
        from rigour.text import ascii_text, metaphone

        keys = set()
        for token in tokenize_name(ascii_text(name).lower()):
            if len(token) > 1:
                keys.add(token)
                phonetic = metaphone(token)
                if len(phonetic) > 2:
                    keys.add("~" + phonetic)
                if len(token) > 4:
                    keys.add("^" + token[:4])
        return keys

    def warm_up(self) -> None:
        """The first comparison loads nomenklatura's name tables (seconds): not part of any query."""
        probe = self.model.get_proxy({"id": "a", "schema": "Person", "properties": {"name": ["Ivan Petrov"]}})
        self.algorithm.compare(probe, probe, self.config)

    def build(self, entities: Iterable[dict]) -> None:
        for entity in entities:
            index = len(self.proxies)
            self.proxies.append(self.model.get_proxy(entity))
            keys: set[str] = set()
            for name in entity["properties"].get("name", ()):
                keys |= self.keys(name)
            for key in keys:
                self.blocks[key].append(index)
        self.idf = {key: 1.0 / len(hits) for key, hits in self.blocks.items()}

    def screen(self, query: dict, limit: int = LIMIT) -> list[tuple[str, float]]:
        votes: dict[int, float] = defaultdict(float)
        for key in self.keys(query["name"]):
            weight = self.idf.get(key, 0.0)
            for index in self.blocks.get(key, ()):
                votes[index] += weight
        shortlist = sorted(votes, key=lambda i: -votes[i])[: self.candidates]
        self.shortlists[query["id"]] = [self.proxies[i].id for i in shortlist]
        props: dict[str, list[str]] = {"name": [query["name"]]}
        if query.get("birth_date"):
            props["birthDate"] = [query["birth_date"]]
        if query.get("nationality"):
            props["nationality"] = [ALPHA2.get(query["nationality"], query["nationality"].lower())]
        if query.get("sex"):
            props["gender"] = ["male" if query["sex"] == "M" else "female"]
        if query.get("document_number"):
            props["passportNumber"] = [query["document_number"]]
        proxy = self.model.get_proxy({"id": query["id"], "schema": "Person", "properties": props})
        scored = [(i, self.algorithm.compare(proxy, self.proxies[i], self.config).score) for i in shortlist]
        scored.sort(key=lambda pair: -pair[1])
        return [(self.proxies[i].id, round(float(s), 4)) for i, s in scored[:limit]]


# --------------------------------------------------------------------------------------------------
# Running one baseline over a data folder
# --------------------------------------------------------------------------------------------------


def run(baseline, data: Path, repeats: int = 1) -> tuple[dict, list[tuple[str, list, float]]]:
    """Build the baseline's index over DIR/list.ftm.jsonl and screen DIR/queries.jsonl `repeats` times
    (one thread); returns the meta line and the last run's (query_id, candidates, seconds)."""
    entities = list(read_jsonl(data / "list.ftm.jsonl"))
    queries = list(read_jsonl(data / "queries.jsonl"))
    if hasattr(baseline, "warm_up"):
        baseline.warm_up()
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    baseline.build(entities)
    build_seconds = time.perf_counter() - started
    gc.collect()
    memory = rss_mb() - before
    totals: list[float] = []
    results: list[tuple[str, list, float]] = []
    for _ in range(repeats):
        results = []
        started = time.perf_counter()
        for query in queries:
            t0 = time.perf_counter()
            candidates = baseline.screen(query)
            results.append((query["id"], candidates, time.perf_counter() - t0))
        totals.append(time.perf_counter() - started)
    meta = {
        "name": baseline.name,
        "threshold": baseline.threshold,
        "build_seconds": round(build_seconds, 3),
        "memory_mb": round(memory, 1),
        "memory_method": "RSS delta",
        "queries": len(queries),
        "queries_per_second": round(len(queries) / statistics.median(totals), 1),
        "runs": len(totals),
    }
    return meta, results


def write_results(
    out: Path,
    meta: dict,
    results: list[tuple[str, list, float]],
    shortlists: dict[str, list[str]] | None = None,
) -> None:
    with out.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps({"meta": meta}) + "\n")
        for query_id, candidates, seconds in results:
            row = {"query_id": query_id, "candidates": candidates, "seconds": round(seconds, 6)}
            if shortlists is not None:
                row["shortlist"] = shortlists.get(query_id, [])
            handle.write(json.dumps(row) + "\n")


def read_results(path: Path) -> tuple[dict, list[tuple[str, list, float]], dict[str, list[str]]]:
    """The meta line, the (query_id, candidates, seconds) rows and the shortlists when written."""
    meta, results, shortlists = {}, [], {}
    for row in read_jsonl(path):
        if "meta" in row:
            meta = row["meta"]
            continue
        results.append((row["query_id"], [tuple(c) for c in row["candidates"]], row["seconds"]))
        if "shortlist" in row:
            shortlists[row["query_id"]] = row["shortlist"]
    return meta, results, shortlists


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", choices=("rapidfuzz", "rapidfuzz-year", "logicv2"))
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    if args.baseline == "logicv2":
        baseline = LogicV2Baseline()
    else:
        baseline = RapidfuzzBaseline(year_bonus=args.baseline == "rapidfuzz-year")
    meta, results = run(baseline, args.data, args.repeats)
    write_results(args.out, meta, results, getattr(baseline, "shortlists", None))
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
