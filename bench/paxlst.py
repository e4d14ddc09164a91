"""PAXLST reading speed: transitguard's reader against pydifact's tokeniser on the same text.

    python bench/paxlst.py [--sample PATH] [--copies 20] [--repeats 5]

Data: the largest public PAXLST sample (GTAS loader__Test3.txt, 260 persons, 47 kB, from
../shared/data/paxlst), `--copies` interchanges of it one after the other in one input.
Measured, median of --repeats runs each:
- pydifact tokenising only (baseline): `Tokenizer.get_tokens` over each interchange, tokens counted and
  dropped; no segments, no meaning. What the EDIFACT syntax layer alone costs with pydifact;
- pydifact Parser.parse: the same into pydifact Segment objects (what a pydifact-based reader would start
  from);
- transitguard read_paxlst: bytes to PaxlstMessage with every person, date, document and count check;
- read_paxlst + to_manifest_body: and the JSON-ready body of every message.
Target: >= 5,000 persons/s for read_paxlst.
"""

from __future__ import annotations

import argparse
import gc
import warnings
from pathlib import Path

from pydifact import Characters, Parser, Tokenizer

from common import median_seconds, table
from transitguard.adapters.formats.paxlst import read_paxlst
from transitguard.adapters.formats.paxlst_manifest import to_manifest_body
from transitguard.rulepacks import load_rule_pack

SAMPLE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "paxlst" / "gtas" / "apis" / "loader__Test3.txt"
)
TARGET = 5_000


def tokenise(text: str, copies: int) -> int:
    body = text.lstrip()
    characters = Characters.from_str(body[:9]) if body.startswith("UNA") else Characters()
    body = body[9:] if body.startswith("UNA") else body
    return sum(sum(1 for _ in Tokenizer().get_tokens(body, characters)) for _ in range(copies))


def pydifact_parse(text: str, copies: int) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns that it has no D:02B segment directory
        return sum(sum(1 for _ in Parser().parse(text.lstrip())) for _ in range(copies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 100)  # as the CLI sets it: the default makes a long read quadratic
    sample = args.sample.read_bytes()
    data = sample * args.copies
    text = sample.decode("latin-1")
    corridor = load_rule_pack("kaliningrad").corridor
    messages = read_paxlst(data, args.sample.name)
    persons = sum(len(m.persons) for m in messages)

    def read_and_map() -> None:
        for message in read_paxlst(data, args.sample.name):
            to_manifest_body(message, corridor, include_crew=True)

    runs = [
        ("pydifact tokenising only (baseline)", lambda: tokenise(text, args.copies)),
        ("pydifact Parser.parse", lambda: pydifact_parse(text, args.copies)),
        ("transitguard read_paxlst", lambda: read_paxlst(data, args.sample.name)),
        ("read_paxlst + to_manifest_body", read_and_map),
    ]
    rows: list[tuple[str, ...]] = []
    base = 0.0
    reader = 0.0
    for name, run in runs:
        seconds = median_seconds(run, args.repeats)
        base = base or seconds
        if name == "transitguard read_paxlst":
            reader = seconds
        rows.append((name, f"{seconds:.3f}", f"{persons / seconds:,.0f}", f"{seconds / base:.2f}"))
    table(
        f"PAXLST reading: {args.sample.name} x {args.copies} "
        f"({persons:,} persons, {len(data) / 1e6:.1f} MB), median of {args.repeats}",
        rows,
        ("path", "seconds", "persons/s", "x baseline time"),
    )
    verdict = "met" if persons / reader >= TARGET else "NOT met"
    print(f"\n  target >= {TARGET:,} persons/s for read_paxlst: {verdict}")


if __name__ == "__main__":
    main()
