"""Freight screening speed: consignment lines per second on one core, against the bare CN prefix lookup.

    python bench/freight.py [--lines 200000] [--repeats 5] [--seed 7] [--listed 2000]

Data: a random consignment stream from one `random.Random(seed)`: 1-6 goods lines per consignment,
about 15% of lines under a sanctions annex (DOMAIN §0: ~15% of Kaliningrad rail transit), the rest any
CN8 code of the 2026 nomenclature (shared/data/hs_cn, or random digits when it is absent); dates from
Mar 2022 to Dec 2023, 85% rail, road carriers half Russian, a few Russian trailers and control codes;
a baseline with a quota for most sanctioned headings, so lines are allowed, denied and held.
Measured, median of --repeats, each on the same lines:
- `CN prefix lookup only` (the baseline): the engine's five dict probes per line, no memo, no rules;
- `engine.check`: every rule, quota and reason, on consignments already parsed;
- `engine.check + parties`: the same with consignor, consignee and carrier screened against a synthetic
  asset-freeze list of --listed companies (each distinct name screened once, then memoised);
- `check_file`: the service end to end: parse and validate the JSON Lines twice, decide, write.
Also the goods rule pack's load time (YAML → checked models), median of --repeats.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import orjson

from common import median_seconds, table
from transitguard.domain.watchlists import ListedEntity, ListedName
from transitguard.engines.freight import (
    Carrier,
    Consignment,
    FreightEngine,
    GoodsLine,
    Party,
    QuotaBalance,
)
from transitguard.engines.freight_codes import CodeIndex, CompiledRule
from transitguard.engines.screening import ScreeningIndex
from transitguard.rulepacks.goods import (
    DEFAULT_GOODS_PACK,
    GOODS_KINDS,
    GoodsRules,
    load_goods_rules,
    parse_code,
)
from transitguard.services.freight import check_file

CN8 = Path(__file__).resolve().parents[2] / "shared" / "data" / "hs_cn" / "cn8_2026_flat.csv"
COMPANIES = ("OOO", "AO", "PAO", "UAB", "SIA", "TOO")
WORDS = (
    *("Baltic", "Cargo", "Yantar", "Trans", "Neva", "Volga", "Ural", "Sever", "Zapad", "Kaliningrad"),
    *("Logistik", "Terminal", "Metall", "Stroy", "Agro", "Les", "Khim", "Neft", "Ugol", "Port", "Express"),
    *("Invest", "Trade", "Service", "Group", "Holding", "Kapital", "Resurs", "Energo"),
)


def all_cn8(rng: random.Random) -> list[str]:
    if CN8.exists():
        with CN8.open(encoding="utf-8") as handle:
            return [row["cn8"] for row in csv.DictReader(handle)]
    return [f"{rng.randrange(1, 98):02d}{rng.randrange(10**6):06d}" for _ in range(10_000)]


def sanctioned_codes(rules: GoodsRules, cn8: list[str]) -> list[str]:
    """CN8 codes some goods rule lists: the rule's own 8-digit codes and the CN8 codes under its headings."""
    prefixes = {
        parse_code(text)[0] for rule in rules.rules if rule.kind in GOODS_KINDS for text in rule.codes
    }
    codes = {code for code in cn8 if any(code[:n] in prefixes for n in (2, 4, 6, 8))}
    codes |= {p for p in prefixes if len(p) == 8}
    return sorted(codes)


def company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANIES)} {rng.choice(WORDS)} {rng.choice(WORDS)}"


def stream(rules: GoodsRules, lines: int, seed: int) -> tuple[list[Consignment], dict[str, float]]:
    rng = random.Random(seed)
    cn8 = all_cn8(rng)
    listed = sanctioned_codes(rules, cn8)
    parties = [company(rng) for _ in range(500)]
    hauliers = [company(rng) for _ in range(200)]
    start = date(2022, 3, 1)
    consignments: list[Consignment] = []
    made = 0
    while made < lines:
        road = rng.random() < 0.15
        carrier_country = ("RU" if rng.random() < 0.5 else rng.choice(("LT", "BY", "KZ"))) if road else "RU"
        trailer = "RU" if road and rng.random() < 0.05 else None
        goods = []
        for _ in range(min(rng.randint(1, 6), lines - made)):
            code = rng.choice(listed) if rng.random() < 0.15 else rng.choice(cn8)
            control = rng.choice(("5A002", "ML10", "X.A.I.001", "9A610")) if rng.random() < 0.002 else None
            goods.append(
                GoodsLine(
                    cn_code=code,
                    description="goods",
                    origin_country=rng.choice(("RU", "RU", "RU", "BY", "CN")),
                    net_mass_kg=round(rng.uniform(50, 60_000), 1),
                    value_eur=round(rng.uniform(10, 200_000), 2),
                    control_code=control,
                )
            )
        made += len(goods)
        consignments.append(
            Consignment(
                id=f"C{len(consignments):07d}",
                date=start + timedelta(days=rng.randrange(670)),
                mode="road" if road else "rail",
                direction=rng.choice(("to_kaliningrad", "from_kaliningrad")),
                carrier=Carrier(
                    rng.choice(hauliers) if road else "AO FPK", carrier_country, carrier_country, trailer
                ),
                consignor=Party(rng.choice(parties), "RU"),
                consignee=Party(rng.choice(parties), "RU"),
                lines=tuple(goods),
            )
        )
    headings = sorted({code[:4] for code in listed})
    baseline = {h: float(rng.randrange(1, 400)) * 10_000 for h in headings if rng.random() < 0.9}
    return consignments, baseline


def as_json(consignment: Consignment) -> dict[str, object]:
    return {
        "id": consignment.id,
        "date": consignment.date.isoformat(),
        "mode": consignment.mode,
        "direction": consignment.direction,
        "carrier": {
            "name": consignment.carrier.name,
            "country": consignment.carrier.country,
            "vehicle_country": consignment.carrier.vehicle_country,
            "trailer_country": consignment.carrier.trailer_country,
        },
        "consignor": {"name": consignment.consignor.name, "country": consignment.consignor.country},
        "consignee": {"name": consignment.consignee.name, "country": consignment.consignee.country},
        "lines": [
            {
                "cn_code": f"{line.cn_code[:4]} {line.cn_code[4:6]} {line.cn_code[6:]}",
                "description": line.description,
                "origin_country": line.origin_country,
                "net_mass_kg": line.net_mass_kg,
                "value_eur": line.value_eur,
                **({"control_code": line.control_code} if line.control_code else {}),
            }
            for line in consignment.lines
        ],
    }


def listed_companies(count: int, seed: int) -> list[ListedEntity]:
    rng = random.Random(seed + 1)
    return [
        ListedEntity(entity_id=f"EU-{n:05d}", schema="Company", names=(ListedName(company(rng)),))
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--listed", type=int, default=2_000)
    args = parser.parse_args()
    gc.set_threshold(100_000, 50, 100)  # as the CLI sets it

    load = median_seconds(lambda: load_goods_rules(DEFAULT_GOODS_PACK), args.repeats)
    rules = load_goods_rules(DEFAULT_GOODS_PACK)
    consignments, baseline = stream(rules, args.lines, args.seed)
    codes = [line.cn_code for c in consignments for line in c.lines]
    total = len(codes)
    decisions: dict[str, int] = {}

    probe = CodeIndex(CompiledRule.of(r) for r in rules.rules if r.kind in GOODS_KINDS).prefix_probe
    base = median_seconds(lambda: [probe(code) for code in codes], args.repeats)

    def engine_run(index: ScreeningIndex | None = None) -> None:
        engine = FreightEngine(rules, baseline=baseline, index=index)  # fresh memo tables every run
        balance = QuotaBalance()
        decisions.clear()
        for consignment in consignments:
            for line in engine.check(consignment, balance).lines:
                decisions[line.decision] = decisions.get(line.decision, 0) + 1

    engine_seconds = median_seconds(engine_run, args.repeats)
    mix = ", ".join(f"{k} {v / total:.1%}" for k, v in sorted(decisions.items()))
    started = time.perf_counter()
    index = ScreeningIndex.build(listed_companies(args.listed, args.seed), persons_only=False)
    build = time.perf_counter() - started
    parties_seconds = median_seconds(lambda: engine_run(index), args.repeats)

    with tempfile.TemporaryDirectory(prefix="tg-bench-freight-") as folder:
        work = Path(folder)
        source, output, quota = work / "consignments.jsonl", work / "decisions.jsonl", work / "baseline.csv"
        source.write_bytes(b"".join(orjson.dumps(as_json(c)) + b"\n" for c in consignments))
        quota.write_text(
            "cn_prefix,annual_net_mass_kg\n" + "".join(f"{k},{v}\n" for k, v in baseline.items()), "utf-8"
        )
        service_seconds = median_seconds(
            lambda: check_file(source, output, baseline=quota, rules=rules), args.repeats
        )

    def row(name: str, seconds: float) -> tuple[str, ...]:
        return (name, f"{seconds:.3f}", f"{total / seconds:,.0f}", f"{seconds / base:.1f}")

    table(
        f"Freight screening: {total:,} lines in {len(consignments):,} consignments, median of {args.repeats}"
        f" (line decisions: {mix})",
        [
            row("CN prefix lookup only (baseline)", base),
            row("engine.check (rules, quotas, reasons)", engine_seconds),
            row(f"engine.check + parties ({args.listed:,} listed, build {build:.2f} s)", parties_seconds),
            row("check_file (parse twice, check, write)", service_seconds),
        ],
        ("path", "seconds", "lines/s", "x baseline time"),
    )
    table(
        "Goods rule pack load (YAML → checked models)",
        [
            (
                f"{rules.id} {rules.version}: {len(rules.rules)} rules, {len(rules.files)} files",
                f"{load * 1000:.1f}",
            )
        ],
        ("pack", "ms"),
    )


if __name__ == "__main__":
    main()
