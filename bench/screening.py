"""Person screening accuracy and speed: transitguard's index against rapidfuzz and nomenklatura logic-v2.

    python bench/screening.py [--data DIR] [--seed 7] [--repeats 3] [--scale [N]] [--no-logicv2]

Data: bench/screening_data.py's labelled set (5,000 listed persons, 5,000 passenger queries, 40% true
matches), generated once per seed and generator version into the temp folder (or --data DIR).
Matchers, each on the same list and queries, one thread:
- transitguard: `ScreeningIndex.build(entities)` then `index.screen(Query(...))` per query;
- rapidfuzz token_sort_ratio by brute force (with and without a birth-year bonus): the naive baseline;
- nomenklatura logic-v2 (OpenSanctions/yente's matcher) with token/phonetic blocking, when its separate
  venv bench/.venv-logicv2 exists (pip install -r bench/requirements-logicv2.txt there; see
  docs/benchmarks-screening.md). It runs in that venv as a subprocess, so the main venv stays clean.
Figures: rank-1 recall of true matches; recall and false-positive rate (non-match queries whose best
candidate scores >= threshold) at the matcher's own threshold; best F1 over thresholds (a true match
counts only when the right entity is on top); FPR at the threshold that keeps 95% recall; queries/s
(median of --repeats runs; logic-v2 one run); index build seconds and memory (RSS delta).
--scale N adds transitguard's index over N synthetic names plus the list (build time, memory, q/s).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import table
from screening_baselines import RapidfuzzBaseline, read_jsonl, read_results, rss_mb
from screening_baselines import run as run_baseline
from screening_data import ALPHA3, NEGATIVE_KINDS, generate, generate_scale

HERE = Path(__file__).resolve().parent
LOGICV2_PYTHON = HERE / ".venv-logicv2" / "bin" / "python"
TG_THRESHOLD = 0.80  # used until the engine publishes its own (DEFAULT_THRESHOLD)

Results = list[tuple[str, list[tuple[str, float]], float]]  # (query_id, [(entity_id, score)], seconds)


@dataclass
class Run:
    name: str
    threshold: float
    build_seconds: float
    memory_mb: float
    qps: float
    results: Results
    shortlists: dict[str, list[str]] | None = None  # what retrieval handed the scorer (logic-v2)


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------


def data_folder(args: argparse.Namespace) -> Path:
    """--data DIR, or a temp folder keyed by seed and generator source (regenerated when it changes)."""
    if args.data:
        folder = args.data
    else:
        digest = hashlib.sha1((HERE / "screening_data.py").read_bytes()).hexdigest()[:10]
        folder = Path(tempfile.gettempdir()) / f"tg-screening-{args.seed}-{digest}"
    if not (folder / "labels.jsonl").exists():
        started = time.perf_counter()
        counts = generate(folder, seed=args.seed)
        print(f"generated {counts} into {folder} in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


# --------------------------------------------------------------------------------------------------
# transitguard (optional until the engine and the FtM reader land)
# --------------------------------------------------------------------------------------------------


def engine() -> object | None:
    """The screening engine module, or None (with the reason printed once) while it is not usable."""
    global _ENGINE_REASON
    try:
        from transitguard.engines import screening

        screening.ScreeningIndex.build  # noqa: B018 (the API this runner codes against)
        screening.Query  # noqa: B018
    except Exception as exc:  # an engine being written may fail in any way: the baselines still run
        if _ENGINE_REASON is None:
            _ENGINE_REASON = f"{type(exc).__name__}: {exc}"
            print(f"transitguard: engine not available ({_ENGINE_REASON})", flush=True)
        return None
    return screening


_ENGINE_REASON: str | None = None


def local_read_ftm(path: Path) -> Iterator[object]:
    """The runner's own minimal FollowTheMoney reader (used only while transitguard's read_list is
    missing): names (first = primary, others aliases), birth dates, nationality, sex, passports."""
    from transitguard.domain.watchlists import ListedDocument, ListedEntity, ListedName, PartialDate

    for raw in read_jsonl(path):
        props = raw["properties"]
        gender = (props.get("gender") or [None])[0]
        yield ListedEntity(
            entity_id=raw["id"],
            schema=raw["schema"],
            names=tuple(
                ListedName(full=n, kind="primary" if i == 0 else "alias")
                for i, n in enumerate(props.get("name", ()))
            ),
            birth_dates=tuple(PartialDate.parse(d) for d in props.get("birthDate", ())),
            nationalities=tuple(ALPHA3.get(c.upper(), c.upper()) for c in props.get("nationality", ())),
            sex={"male": "M", "female": "F"}.get(gender or ""),
            documents=tuple(ListedDocument(n, kind="passport") for n in props.get("passportNumber", ())),
        )


def read_entities(path: Path) -> tuple[list, str]:
    """transitguard's read_list when it is importable, else the local reader; says which was used."""
    try:
        from transitguard.adapters.lists import read_list
    except ImportError:
        return list(local_read_ftm(path)), "the runner's local FtM reader"
    return list(read_list(path, fmt="ftm").entities), "transitguard read_list"


def run_transitguard(entities: list, queries: list[dict], repeats: int) -> Run:
    screening = engine()
    assert screening is not None
    threshold = float(getattr(screening, "DEFAULT_THRESHOLD", None) or TG_THRESHOLD)
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index = screening.ScreeningIndex.build(entities)
    build = time.perf_counter() - started
    gc.collect()
    memory = rss_mb() - before
    prepared = [
        screening.Query(
            id=q["id"],
            name=q["name"],
            birth_date=q.get("birth_date"),
            nationality=q.get("nationality"),
            sex=q.get("sex"),
            document_number=q.get("document_number"),
        )
        for q in queries
    ]
    totals, results = [], []
    for _ in range(repeats):
        results = []
        started = time.perf_counter()
        for query in prepared:
            t0 = time.perf_counter()
            matches = index.screen(query, threshold=0.0, limit=5)
            results.append((query.id, [(m.entity_id, m.score) for m in matches], time.perf_counter() - t0))
        totals.append(time.perf_counter() - started)
    qps = len(prepared) / statistics.median(totals)
    return Run("transitguard ScreeningIndex", threshold, build, memory, qps, results)


# --------------------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------------------


def run_rapidfuzz(data: Path, repeats: int, year_bonus: bool) -> Run:
    meta, results = run_baseline(RapidfuzzBaseline(year_bonus=year_bonus), data, repeats)
    return from_meta(meta, results)


def from_meta(meta: dict, results: Results) -> Run:
    return Run(
        meta["name"],
        meta["threshold"],
        meta["build_seconds"],
        meta["memory_mb"],
        meta["queries_per_second"],
        results,
    )


def run_logicv2(data: Path) -> Run | None:
    if not LOGICV2_PYTHON.exists():
        print(
            "logic-v2: not installed (pip install -r bench/requirements-logicv2.txt in a venv; see docs)",
            flush=True,
        )
        return None
    out = data / "logicv2.results.jsonl"
    print("logic-v2: running in bench/.venv-logicv2 (about two minutes) ...", flush=True)
    done = subprocess.run(
        [
            str(LOGICV2_PYTHON),
            str(HERE / "screening_baselines.py"),
            "logicv2",
            "--data",
            str(data),
            "--out",
            str(out),
        ],
        check=False,
        cwd=HERE,
    )
    if done.returncode != 0:
        print(f"logic-v2: failed (exit {done.returncode}); see its output above", flush=True)
        return None
    meta, results, shortlists = read_results(out)
    run = from_meta(meta, results)
    run.shortlists = shortlists
    return run


# --------------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------------


def top_of(run: Run) -> dict[str, tuple[str | None, float]]:
    return {qid: (cands[0][0], float(cands[0][1])) if cands else (None, 0.0) for qid, cands, _ in run.results}


@dataclass
class Metrics:
    rank1: float
    recall_at_t: float
    fpr_at_t: float
    best_f1: float
    best_f1_threshold: float
    fpr_at_95: float | None  # None when 95% recall is never reached
    max_recall: float


def evaluate(run: Run, labels: dict[str, dict]) -> Metrics:
    top = top_of(run)
    matches = [q for q, lb in labels.items() if lb["kind"] == "match"]
    others = [q for q, lb in labels.items() if lb["kind"] != "match"]
    right = {q: top[q][0] == labels[q]["entity_id"] for q in matches}
    t = run.threshold
    rank1 = sum(right.values()) / len(matches)
    recall_t = sum(right[q] and top[q][1] >= t for q in matches) / len(matches)
    fpr_t = sum(top[q][1] >= t for q in others) / len(others)

    # Sweep thresholds from the highest top score down: every query at or above it is "predicted match";
    # a true match is a TP only with the right entity on top, anything else predicted is a FP.
    events = sorted(((top[q][1], right.get(q, False), q in right) for q in labels), key=lambda e: -e[0])
    tp = fp = fp_neg = 0
    best_f1, best_t, fpr95, max_recall = 0.0, 1.0, None, 0.0
    for i, (score, correct, is_match) in enumerate(events):
        tp += correct
        fp += not correct
        fp_neg += not is_match
        if i + 1 < len(events) and events[i + 1][0] == score:
            continue  # a threshold admits every query with that score at once
        f1 = 2 * tp / (2 * tp + fp + (len(matches) - tp))
        if f1 > best_f1:
            best_f1, best_t = f1, score
        max_recall = max(max_recall, tp / len(matches))
        if fpr95 is None and tp / len(matches) >= 0.95:
            fpr95 = fp_neg / len(others)
    return Metrics(rank1, recall_t, fpr_t, best_f1, best_t, fpr95, max_recall)


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def main_table(runs: list[Run], labels: dict[str, dict]) -> None:
    rows = []
    for run in runs:
        m = evaluate(run, labels)
        fpr95 = pct(m.fpr_at_95) if m.fpr_at_95 is not None else f"n/a (max R {pct(m.max_recall)})"
        rows.append(
            (
                run.name,
                f"{run.threshold:.2f}",
                pct(m.rank1),
                pct(m.recall_at_t),
                pct(m.fpr_at_t),
                f"{m.best_f1:.3f} @ {m.best_f1_threshold:.2f}",
                fpr95,
                f"{run.qps:,.0f}",
                f"{run.build_seconds:.2f}",
                f"{run.memory_mb:.0f}",
            )
        )
    matches = sum(lb["kind"] == "match" for lb in labels.values())
    notes = []
    for run in runs:
        if run.shortlists:
            found = sum(
                lb["entity_id"] in run.shortlists.get(q, ())
                for q, lb in labels.items()
                if lb["kind"] == "match"
            )
            notes.append(f"{short(run.name)}: the right entity reached the scorer for {pct(found / matches)}")
    table(
        f"Person screening: {len(labels):,} queries ({matches:,} true matches) against the list, one thread",
        rows,
        ("matcher", "thr", "R@1", "recall@thr", "FPR@thr", "best F1 @ t", "FPR@95%R", "q/s", "build s", "MB"),
    )
    for note in notes:
        print(f"  retrieval: {note} of true matches")


def short(name: str) -> str:
    if name.startswith("transitguard"):
        return "transitguard"
    if name.startswith("rapidfuzz"):
        return "rapidfuzz+year" if "birth year" in name else "rapidfuzz"
    return "logic-v2" if "logic-v2" in name else name


def breakdown_tables(runs: list[Run], labels: dict[str, dict]) -> None:
    tops = [top_of(run) for run in runs]
    by_kind: dict[str, list[str]] = defaultdict(list)
    for qid, lb in labels.items():
        if lb["kind"] == "match":
            for kind in dict.fromkeys(lb["variations"]):
                by_kind[kind].append(qid)
    rows = []
    for kind, qids in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        cells = [pct(sum(top[q][0] == labels[q]["entity_id"] for q in qids) / len(qids)) for top in tops]
        rows.append((kind, str(len(qids)), *cells))
    table(
        "Rank-1 recall of true matches by variation kind (a query can carry several)",
        rows,
        ("variation", "n", *(short(r.name) for r in runs)),
    )

    negatives: dict[str, list[str]] = defaultdict(list)
    for qid, lb in labels.items():
        if lb["kind"] != "match":
            negatives[lb["variations"][0]].append(qid)
    rows = []
    for kind in (*NEGATIVE_KINDS, "random_passenger"):
        qids = negatives.get(kind, [])
        if qids:
            cells = [
                pct(sum(top[q][1] >= run.threshold for q in qids) / len(qids))
                for run, top in zip(runs, tops, strict=True)
            ]
            rows.append((kind, str(len(qids)), *cells))
    table(
        "False-positive rate of non-match queries by kind, at each matcher's threshold",
        rows,
        ("non-match kind", "n", *(f"{short(r.name)} @{r.threshold:.2f}" for r in runs)),
    )


# --------------------------------------------------------------------------------------------------
# Scale
# --------------------------------------------------------------------------------------------------


def scale_section(data: Path, count: int, seed: int, queries: list[dict], labels: dict[str, dict]) -> None:
    if engine() is None:
        print("\nscale: transitguard: engine not available", flush=True)
        return
    path = data / f"scale-{count}.ftm.jsonl"
    if not path.exists():
        started = time.perf_counter()
        generate_scale(data, count, seed).rename(path)
        seconds = time.perf_counter() - started
        print(f"generated {count:,} synthetic listed persons in {seconds:.1f} s", flush=True)
    started = time.perf_counter()
    entities, reader = read_entities(path)
    listed, _ = read_entities(data / "list.ftm.jsonl")
    entities += listed
    seconds = time.perf_counter() - started
    print(f"read {len(entities):,} entities with {reader} in {seconds:.1f} s", flush=True)
    run = run_transitguard(entities, queries, repeats=1)
    m = evaluate(run, labels)
    table(
        f"transitguard at scale: {len(entities):,} listed persons ({count:,} synthetic + the list), "
        f"{len(queries):,} queries, one run",
        [
            (
                run.name,
                f"{run.build_seconds:.1f}",
                f"{run.memory_mb:,.0f}",
                f"{run.qps:,.0f}",
                pct(m.rank1),
                pct(m.fpr_at_t),
            )
        ],
        ("matcher", "build s", "MB (RSS delta)", "q/s", "R@1", f"alerts@{run.threshold:.2f}, non-matches"),
    )
    print(
        "  (the synthetic names are drawn from the same inventories, so a non-match passenger can have a\n"
        "   namesake among them: alerts on non-match queries here are not all false positives)"
    )


# --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a folder from screening_data.py (generated if empty)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (median); logic-v2 runs once")
    parser.add_argument("--scale", type=int, nargs="?", const=1_000_000, default=None, metavar="N")
    parser.add_argument("--no-logicv2", action="store_true", help="skip logic-v2 even when installed")
    args = parser.parse_args()

    data = data_folder(args)
    print(f"data: {data}", flush=True)
    queries = list(read_jsonl(data / "queries.jsonl"))
    labels = {lb["query_id"]: lb for lb in read_jsonl(data / "labels.jsonl")}

    runs: list[Run] = []
    if engine() is not None:
        try:
            entities, reader = read_entities(data / "list.ftm.jsonl")
            print(f"transitguard: list read with {reader}", flush=True)
            runs.append(run_transitguard(entities, queries, args.repeats))
        except Exception as exc:  # report and go on: the baselines' figures are still worth having
            print(f"transitguard: failed ({type(exc).__name__}: {exc})", flush=True)
    runs.append(run_rapidfuzz(data, args.repeats, year_bonus=False))
    runs.append(run_rapidfuzz(data, args.repeats, year_bonus=True))
    if not args.no_logicv2:
        logicv2 = run_logicv2(data)
        if logicv2:
            runs.append(logicv2)

    main_table(runs, labels)
    breakdown_tables(runs, labels)
    if args.scale:
        scale_section(data, args.scale, args.seed, queries, labels)


if __name__ == "__main__":
    main()
