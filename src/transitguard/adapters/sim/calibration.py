"""How many passengers leave the train at Kena, by date, calibrated to the reported counts.

DOMAIN §0: ~14,000 Russians left the trains at Kena in 2023, almost 5× 2022 (cepa.org). From 1 Mar 2024
the government bans alighting at Kena (DOMAIN §2); only cases decided by VSAT remain, taken here as a
handful a year [U].

The simulator draws, for each passenger admitted at Kena, whether they alight, with probability p. So
the expected number of alightings in a year Y is p × B(Y), where B(Y) is the expected number of
passengers admitted at Kena that year:

    B(Y) = Σ over trains entering at Kena in Y of  E[load] × (1 − no_show) × (1 − missed_entry_check)
                                                            × (1 − refusal)
    E[load] = (1 − over_cap) × mean(min(k, cap) for k in load_min … load_max)
              + over_cap × (cap + (1 + over_cap_max_excess) / 2)

and p = target(Y) / B(Y). With the defaults (load 120–290, cap 300, 1% no-shows, 0.05% missed checks,
0.2% refusals) E[load] ≈ 205.6 and 98.75% of it is admitted; the four trains to Kaliningrad make 911
runs in 2023 (29 daily, 79 4×/week, 147 3×/week, 359 every other day), so
B(2023) ≈ 911 × 205.6 × 0.9875 ≈ 184,900 and p(2023) = 14,000 / 184,900 ≈ 7.6% of passengers. In 2022
(cap 250 until 31 Jul, train 147 only from 21 Jul: 827 runs) B(2022) ≈ 165,700 and
p(2022) = 2,800 / 165,700 ≈ 1.7%. After the ban, p = 5 / B(Y) ≈ 0.003%. The bases are computed from the
same timetable and parameters the simulator uses, so changing a knob (more no-shows, say) keeps the
yearly totals.
"""

from __future__ import annotations

from datetime import date

from transitguard.adapters.sim.config import SimConfig
from transitguard.adapters.sim.timetable import services
from transitguard.domain.corridor import Corridor

ALIGHTING_CHECKPOINT = "LT-KENA"
ALIGHTINGS_2023 = 14_000.0  # DOMAIN §0 (cepa.org)
ALIGHTINGS_2022 = ALIGHTINGS_2023 / 5  # "almost 5× 2022"
ALIGHTINGS_PER_YEAR_AFTER_BAN = 5.0  # "except cases decided by VSAT" [U]


def expected_load(config: SimConfig, cap: int | None) -> float:
    """The mean number of passengers on one manifest when the cap of the day is `cap`."""
    low, high = config.load_min, config.load_max
    if cap is None:
        return (low + high) / 2
    within = sum(min(k, cap) for k in range(low, high + 1)) / (high - low + 1)
    over = cap + (1 + config.over_cap_max_excess) / 2
    return (1 - config.over_cap_probability) * within + config.over_cap_probability * over


def admitted_share(config: SimConfig) -> float:
    """The share of manifest passengers checked in and admitted at the entry checkpoint."""
    return (
        (1 - config.no_show_probability)
        * (1 - config.missed_entry_check_probability)
        * (1 - config.refusal_probability)
    )


class AlightingCalibration:
    """p(day) for one configuration and corridor; remembers the yearly bases it has computed."""

    def __init__(self, config: SimConfig, corridor: Corridor) -> None:
        self.config = config
        self.corridor = corridor
        self._bases: dict[int, float] = {}
        self._loads: dict[int | None, float] = {}

    def _admitted(self, day: date) -> float:
        cap = self.corridor.cap_on(day)
        if cap not in self._loads:
            self._loads[cap] = expected_load(self.config, cap) * admitted_share(self.config)
        return self._loads[cap]

    def admitted_at_kena(self, start: date, end: date) -> float:
        """B over service dates [start, end): expected passengers admitted at Kena."""
        total = 0.0
        for service in services(self.corridor, start, (end - start).days):
            if self.corridor.directions[service.train.direction].entry == ALIGHTING_CHECKPOINT:
                total += self._admitted(service.service_date)
        return total

    def base(self, year: int) -> float:
        if year not in self._bases:
            self._bases[year] = self.admitted_at_kena(date(year, 1, 1), date(year + 1, 1, 1))
        return self._bases[year]

    def probability(self, day: date) -> float:
        if self.config.alight_at_kena is not None:
            return self.config.alight_at_kena
        if self.corridor.alighting_banned(ALIGHTING_CHECKPOINT, day) is not None:
            target, year = ALIGHTINGS_PER_YEAR_AFTER_BAN, day.year
        elif day.year >= 2023:  # the backdoor stays open until the ban (Jan–Feb 2024 at the 2023 rate)
            target, year = ALIGHTINGS_2023, 2023
        else:
            target, year = ALIGHTINGS_2022, 2022
        base = self.base(year)
        return min(1.0, target / base) if base > 0 else 0.0

    def expected_alightings(self, start: date, end: date) -> float:
        """What a simulation of service dates [start, end) should produce, on average."""
        total = 0.0
        for service in services(self.corridor, start, (end - start).days):
            if self.corridor.directions[service.train.direction].entry == ALIGHTING_CHECKPOINT:
                total += self._admitted(service.service_date) * self.probability(service.service_date)
        return total


def expected_alightings(config: SimConfig, corridor: Corridor, start: date, end: date) -> float:
    """Expected passengers leaving the train at Kena on service dates [start, end)."""
    return AlightingCalibration(config, corridor).expected_alightings(start, end)
