"""Entry eligibility and FRTD decisions per second, against reading and writing the same lines.

    python bench/eligibility.py [--persons 100000] [--applications 20000] [--repeats 5] [--seed 7]

Measured, on a generated stream with a fixed seed (Russian-heavy, every document kind, dates from 2003
to 2026, 1% listed): the eligibility engine on parsed requests, `check_file` from file to file, the FRTD
engine on parsed applications and `decide_file` from file to file (no screening index).
Baseline: `orjson parse+dump`, each line parsed and a fixed decision-sized line written, with no
validation and no decision: what moving the bytes alone costs here.
"""

from __future__ import annotations

import argparse
import gc
import random
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from common import median_seconds, table
from transitguard.engines.eligibility import EligibilityRequest, decide
from transitguard.engines.frtd import FrtdApplication, FrtdContext, decide_frtd
from transitguard.rulepacks import load_rule_pack
from transitguard.rulepacks.people import load_people_rules
from transitguard.services.eligibility import check_file, read_persons
from transitguard.services.frtd import decide_file

NATIONALITIES = ["RUS"] * 16 + ["BLR", "LTU", "DEU", "LVA"]
PURPOSES = [None, "tourism", "business", "culture", "sport", "family", "work", "study", "transit", "transit"]
CATEGORIES = ["diplomat", "dissident", "humanitarian", "family_of_eu_citizen", "transport_crew"]
AUTHORISATIONS = ["SCHENGEN_VISA", "NATIONAL_VISA", "RESIDENCE_PERMIT", "FRTD", "FTD"]
START = date(2003, 7, 1)


def _day(rng: random.Random, start: date = START, days: int = 8400) -> date:
    return start + timedelta(days=rng.randrange(days))


def person(rng: random.Random, number: int) -> dict[str, Any]:
    on = _day(rng)
    nationality = rng.choice(NATIONALITIES)
    documents: list[dict[str, Any]] = []
    if nationality in ("LTU", "DEU", "LVA"):
        documents.append({"kind": "EU_CITIZEN", "valid_until": (on + timedelta(days=900)).isoformat()})
    else:
        passport = rng.choice(["PASSPORT"] * 8 + ["DIPLOMATIC_PASSPORT", "INTERNAL_PASSPORT"])
        documents.append(
            {
                "kind": passport,
                "valid_until": (on + timedelta(days=rng.randrange(-200, 3000))).isoformat(),
                "issuing_state": nationality,
                "biometric": rng.random() < 0.7,
            }
        )
        for kind in rng.sample(AUTHORISATIONS, rng.randrange(0, 3)):
            documents.append(
                {"kind": kind, "valid_until": (on + timedelta(days=rng.randrange(-30, 700))).isoformat()}
            )
    line: dict[str, Any] = {"id": f"P-{number}", "date": on.isoformat(), "nationality": nationality}
    purpose = rng.choice(PURPOSES)
    if purpose:
        line["purpose"] = purpose
    line["documents"] = documents
    if rng.random() < 0.05:
        line["categories"] = [rng.choice(CATEGORIES)]
    if rng.random() < 0.01:
        line["listed"] = True
    return line


def application(rng: random.Random, number: int) -> dict[str, Any]:
    received = datetime(2025, 1, 1, 8, tzinfo=UTC) + timedelta(minutes=rng.randrange(500_000))
    out_day = received.date() + timedelta(days=rng.randrange(1, 30))
    back_day = out_day + timedelta(days=rng.randrange(1, 40))
    line: dict[str, Any] = {
        "application_id": f"A-{number}",
        "received_at": received.isoformat(),
        "person": {
            "surname": rng.choice(["IVANOV", "PETROVA", "SIDOROV", "KUZNETSOVA", "SMIRNOV"]),
            "given_names": rng.choice(["ANDREI", "OLGA SERGEEVNA", "IVAN PETROVICH", "MARIA"]),
            "birth_date": _day(rng, date(1940, 1, 1), 25_000).isoformat(),
            "sex": rng.choice("MF"),
            "nationality": "RUS" if rng.random() < 0.98 else "BLR",
        },
        "travel_document": {
            "type": "PASSPORT",
            "number": f"75{rng.randrange(10**7):07d}",
            "issuing_state": "RUS",
            "expires": (out_day + timedelta(days=rng.randrange(-10, 3000))).isoformat(),
        },
        "trains": {
            "outbound": {
                "number": "29",
                "service_date": out_day.isoformat(),
                "departure_at": f"{out_day.isoformat()}T15:30:00+03:00",
            }
        },
    }
    if rng.random() < 0.8:
        line["trains"]["return"] = {
            "number": "30",
            "service_date": back_day.isoformat(),
            "departure_at": f"{back_day.isoformat()}T13:10:00+02:00",
        }
    return line


def write_lines(path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))


def copy_through(source: Path, target: Path, row: dict[str, Any]) -> None:
    """The baseline: parse every line, write a line of a decision's size."""
    with source.open("rb") as lines, target.open("wb") as out:
        for raw in lines:
            item = orjson.loads(raw)
            out.write(orjson.dumps({**row, "id": item.get("id") or item.get("application_id")}) + b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 100)  # as the CLI sets it
    rng = random.Random(args.seed)
    rules = load_people_rules("kaliningrad")
    pack = load_rule_pack("kaliningrad")
    now = datetime(2025, 7, 1, 10, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="tg-bench-") as folder:
        work = Path(folder)
        persons_file, applications_file = work / "persons.jsonl", work / "applications.jsonl"
        write_lines(persons_file, [person(rng, n) for n in range(args.persons)])
        write_lines(applications_file, [application(rng, n) for n in range(args.applications)])
        requests = [r for _, _, r in read_persons(persons_file, rules) if isinstance(r, EligibilityRequest)]
        applications = [
            FrtdApplication.model_validate_json(raw) for raw in applications_file.read_bytes().splitlines()
        ]
        decision_row = {
            "decision": "REFUSE",
            "refusal_code": "E",
            "reasons": [{"rule": "x" * 25, "message": "y" * 120}],
        }

        rows: list[tuple[str, ...]] = []

        def measure(name: str, count: int, run: Any, base: float | None) -> float:
            seconds = median_seconds(run, args.repeats)
            ratio = "1.00" if base is None else f"{seconds / base:.1f}"
            rows.append((name, f"{count:,}", f"{seconds:.3f}", f"{count / seconds:,.0f}", ratio))
            return seconds

        base = measure(
            "orjson parse+dump (baseline), persons",
            args.persons,
            lambda: copy_through(persons_file, work / "copy.jsonl", decision_row),
            None,
        )
        measure(
            "eligibility engine (decide)", len(requests), lambda: [decide(r, rules) for r in requests], base
        )
        measure(
            "check_file (file → file)",
            args.persons,
            lambda: check_file(persons_file, work / "decisions.jsonl", rules=rules),
            base,
        )
        frtd_base = measure(
            "orjson parse+dump (baseline), applications",
            args.applications,
            lambda: copy_through(applications_file, work / "copy.jsonl", decision_row),
            None,
        )
        context = FrtdContext(now=now)
        measure(
            "FRTD engine (decide_frtd)",
            len(applications),
            lambda: [decide_frtd(a, context, corridor=pack.corridor, rules=rules) for a in applications],
            frtd_base,
        )
        measure(
            "decide_file (file → file)",
            args.applications,
            lambda: decide_file(applications_file, work / "frtd.jsonl", pack=pack, now=now, rules=rules),
            frtd_base,
        )
        table(
            f"Eligibility and FRTD decisions (seed {args.seed}), median of {args.repeats}",
            rows,
            ("path", "items", "seconds", "decisions/s", "x baseline time"),
        )


if __name__ == "__main__":
    main()
