"""The rise detector flags a lasting rise within weeks and stays quiet on a level series."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from transitguard.adapters.sim import SimConfig, simulate
from transitguard.analytics.anomaly import WeeklyCount, detect_rise, score_weeks
from transitguard.analytics.whatif import missing_per_week
from transitguard.rulepacks import RulePack

MONDAY = date(2022, 1, 3)


def weekly(counts: list[int]) -> list[WeeklyCount]:
    return [WeeklyCount(MONDAY + timedelta(weeks=i), n) for i, n in enumerate(counts)]


def poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is slow for large means; a normal approximation is enough here.
    return max(0, round(rng.gauss(mean, mean**0.5)))


@pytest.mark.parametrize("seed", range(20))
def test_a_planted_fivefold_rise_is_flagged_within_three_weeks(seed: int) -> None:
    rng = random.Random(seed)
    counts = [poisson(rng, 54) for _ in range(30)] + [poisson(rng, 270) for _ in range(20)]
    flags = detect_rise(weekly(counts))
    assert flags, "the rise was not flagged"
    assert MONDAY + timedelta(weeks=30) <= flags[0].week <= MONDAY + timedelta(weeks=32)


@pytest.mark.parametrize("seed", range(20))
def test_a_modest_lasting_rise_is_flagged_too(seed: int) -> None:
    rng = random.Random(seed)
    counts = [poisson(rng, 100) for _ in range(30)] + [poisson(rng, 150) for _ in range(20)]
    flags = detect_rise(weekly(counts))
    assert flags
    assert flags[0].week <= MONDAY + timedelta(weeks=36)


@pytest.mark.parametrize("seed", range(20))
def test_a_level_series_with_one_odd_week_is_not_flagged(seed: int) -> None:
    rng = random.Random(seed)
    counts = [poisson(rng, 250) for _ in range(52)]
    counts[30] = 600  # one bad week (a stopped train, a data error) is not a trend
    assert detect_rise(weekly(counts)) == []


def test_no_baseline_until_eight_weeks_of_history() -> None:
    scores = score_weeks(weekly([10] * 9))
    assert [s.baseline for s in scores[:8]] == [None] * 8
    assert scores[8].baseline == 10


def test_the_simulated_2023_rise_at_kena_is_flagged_in_january(pack: RulePack) -> None:
    # The simulator is calibrated to ~2,800 alightings in 2022 and ~14,000 in 2023 (DOMAIN §0).
    weeks = missing_per_week(simulate(SimConfig(start=date(2022, 10, 17), days=105, seed=11), pack.corridor))
    flags = detect_rise(weeks)
    assert flags, [w.count for w in weeks]
    assert date(2023, 1, 2) <= flags[0].week <= date(2023, 1, 16)
    assert all(flag.week >= date(2023, 1, 2) for flag in flags)


def test_the_simulated_level_2023_is_not_flagged(pack: RulePack) -> None:
    weeks = missing_per_week(simulate(SimConfig(start=date(2023, 3, 6), days=119, seed=11), pack.corridor))
    assert len(weeks) == 17
    assert min(w.count for w in weeks) > 150
    assert detect_rise(weeks) == []
