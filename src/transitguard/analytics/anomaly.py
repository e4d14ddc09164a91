"""A rise detector for weekly counts (passengers missing at the corridor's exit), pure.

The method (docs/analytics.md explains it with the 2023 Kena numbers): each week is compared with a
robust baseline made only of the weeks before it — the median of the previous `window` weeks, with a
spread of 1.4826 × MAD, never less than the Poisson spread √median nor less than 1 — and the standardised
excesses are accumulated in a one-sided CUSUM, S_t = max(0, S_{t-1} + z_t − k). A week is flagged when
S_t passes `threshold`. One odd week raises S briefly and it drains away again; a lasting rise keeps
adding and is flagged within a few weeks of its start, which a year-on-year ratio only shows a year on.
z is capped at `cap` so that a single extreme week cannot alone cross the threshold.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WINDOW = 26
MIN_HISTORY = 8
SLACK = 1.0
THRESHOLD = 5.0
CAP = 4.0


@dataclass(frozen=True)
class WeeklyCount:
    week: date  # the Monday the week starts on
    count: int


@dataclass(frozen=True)
class WeekScore:
    week: date
    count: int
    baseline: float | None  # None while there is not yet enough history
    z: float
    cusum: float
    flagged: bool


def score_weeks(
    weeks: Sequence[WeeklyCount],
    *,
    window: int = WINDOW,
    min_history: int = MIN_HISTORY,
    slack: float = SLACK,
    threshold: float = THRESHOLD,
    cap: float = CAP,
) -> list[WeekScore]:
    """Every week with its baseline, standardised excess and CUSUM, in order."""
    ordered = sorted(weeks, key=lambda one: one.week)
    scores: list[WeekScore] = []
    cusum = 0.0
    for index, one in enumerate(ordered):
        history = [w.count for w in ordered[max(0, index - window) : index]]
        if len(history) < min_history:
            scores.append(WeekScore(one.week, one.count, None, 0.0, 0.0, False))
            continue
        baseline = statistics.median(history)
        mad = statistics.median(abs(value - baseline) for value in history)
        spread = max(1.4826 * mad, math.sqrt(baseline), 1.0)
        z = min(cap, (one.count - baseline) / spread)
        cusum = max(0.0, cusum + z - slack)
        scores.append(WeekScore(one.week, one.count, baseline, z, cusum, cusum > threshold))
    return scores


def detect_rise(weeks: Sequence[WeeklyCount]) -> list[WeekScore]:
    """The flagged weeks only, with the default parameters."""
    return [score for score in score_weeks(weeks) if score.flagged]
