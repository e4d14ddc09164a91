"""MRZ reading: zones per second for parse_mrz, against two floors measured in the same run.

    python bench/mrz.py [--zones 100000] [--repeats 5]

Data: the 62 synthetic RUS/BLR/LTU zones of shared/data/mrz (TD3 passports and TD1 ID cards, 17 of
them damaged), repeated to about `--zones` zones, one string each as a scanner hands them over.
Measured: `parse_mrz` (shape and character checks, every check digit, dates, names, the frozen result).
Baselines:
- `split lines`: splitting each zone into its lines, the least any reader does;
- `check digits only`: splitting, then the document number, birth date, expiry and composite check
  digits of each zone with the check digit function parse_mrz uses (`mrz_fields.digit_of`), and
  nothing else: what verification alone costs in Python.
Target: at least 50,000 zones/s on one core.
"""

from __future__ import annotations

import argparse
import csv
import gc
from datetime import date
from pathlib import Path

from common import median_seconds, table
from transitguard.adapters.formats.mrz import parse_mrz
from transitguard.adapters.formats.mrz_fields import digit_of as digit

MRZ_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mrz" / "mrz_synthetic_rus_blr_ltu.csv"
TODAY = date(2026, 1, 1)


def zones(count: int) -> list[str]:
    with MRZ_DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = ["\n".join(filter(None, (row["line1"], row["line2"], row["line3"]))) for row in rows]
    return (found * (count // len(found) + 1))[:count]


def split_lines(texts: list[str]) -> None:
    for text in texts:
        text.splitlines()


def check_digits_only(texts: list[str]) -> None:
    for text in texts:
        lines = text.splitlines()
        if len(lines) == 3:  # TD1
            first, second = lines[0], lines[1]
            digit(first[5:14]), digit(second[0:6]), digit(second[8:14])
            digit(first[5:30] + second[0:7] + second[8:15] + second[18:29])
        else:  # TD3
            second = lines[1]
            digit(second[0:9]), digit(second[13:19]), digit(second[21:27])
            digit(second[0:10] + second[13:20] + second[21:43])


def parse_all(texts: list[str], today: date | None) -> None:
    for text in texts:
        parse_mrz(text, today)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    texts = zones(args.zones)
    gc.collect()
    runs = [
        ("split lines (baseline)", lambda: split_lines(texts)),
        ("check digits only (baseline)", lambda: check_digits_only(texts)),
        ("parse_mrz, today given", lambda: parse_all(texts, TODAY)),
        ("parse_mrz, today from the clock", lambda: parse_all(texts, None)),
    ]
    seconds = [median_seconds(run, args.repeats) for _, run in runs]
    floor = seconds[1]
    rows: list[tuple[str, ...]] = [
        (name, f"{took:.3f}", f"{len(texts) / took:,.0f}", f"{took / floor:.1f}")
        for (name, _), took in zip(runs, seconds, strict=True)
    ]
    table(
        f"MRZ reading: {len(texts):,} zones (62 synthetic, repeated), median of {args.repeats}, one core",
        rows,
        ("path", "seconds", "zones/s", "x check digits only"),
    )


if __name__ == "__main__":
    main()
