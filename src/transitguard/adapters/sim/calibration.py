"""How many passengers leave the train at Kena, by date and document, calibrated to the reported counts.

DOMAIN §0: ~14,000 Russians left the trains at Kena in 2023, almost 5× 2022 (cepa.org), and DOMAIN §2
describes them as residence-permit or EU-visa holders: people with a right to enter the EU, for whom the
train was a way in. From 1 Mar 2024 the government bans alighting at Kena (DOMAIN §2); only cases
decided by VSAT remain, taken here as a handful a year [U].

The simulator draws, for each passenger admitted at Kena, whether they alight, with a probability that
depends on their transit document kind k: p_k = min(1, w_k × c(Y)), where w_k are the alight_weight_*
knobs (1 for FRTD and FTD, 20 for RESIDENCE_PERMIT, SCHENGEN_VISA, NATIONAL_VISA and EU_CITIZEN [U]). So
the expected number of alightings in a year Y is c(Y) × B(Y), where B(Y) is the expected number of
passengers admitted at Kena that year, each counted with the weight of their document:

    B(Y) = Σ over trains entering at Kena in Y of  A(cap) × w̄(day)
    A(cap) = E[load] × (1 − no_show) × (1 − missed_entry_check) × (1 − refusal)
    E[load] = (1 − over_cap) × mean(min(k, cap) for k in load_min … load_max)
              + over_cap × (cap + (1 + over_cap_max_excess) / 2)
    w̄(day) = Σ over kinds k of share_k(day) × w_k

and c(Y) = target(Y) / B(Y). share_k is the mix of document kinds travellers.py draws: while the
backdoor is open (2023 until the ban) 12.0% RP/SV/NV, 1.9% EU citizens and 86.1% FRTD/FTD, else 5.5%,
1.9% and 92.6% (see RUSSIAN_KINDS_BACKDOOR there). With the defaults (load 120–290, cap 300, 1%
no-shows, 0.05% missed checks, 0.2% refusals) E[load] ≈ 205.6 and 98.75% of it is admitted, A ≈ 203.0.
The four trains to Kaliningrad make 911 runs in 2023 (29 daily, 79 4×/week, 147 3×/week, 359 every
other day):

    2023: 911 × 203.0 = 184,900 admitted; w̄ = 0.861 × 1 + (0.120 + 0.019) × 20 = 3.638
          B(2023) = 184,900 × 3.638 ≈ 672,700; c = 14,000 / 672,700 = 0.0208
          p = 2.1% for FRTD/FTD, 41.6% for RP/SV/NV/EU citizens
          → FRTD 2,855 + FTD 459 | SCHENGEN_VISA 4,323 + RESIDENCE_PERMIT 3,219 + NATIONAL_VISA 1,681
            (9,223 = 65.9%) | EU_CITIZEN 1,463 (10.4%): 14,000
    2022: 827 runs (cap 250 until 31 Jul, train 147 only from 21 Jul), 165,700 admitted;
          w̄ = 0.926 + 0.074 × 20 = 2.401; B(2022) ≈ 397,700; c = 2,800 / 397,700 = 0.0070
          p = 0.7% for FRTD/FTD, 14.1% for the others → 2,800 (RP/SV/NV 45.6%, EU 15.8%)

After the ban, c = 5 / B(Y): p ≈ 0.001% for FRTD/FTD, 0.02% for the others. The bases are computed from
the same timetable, parameters and mix the simulator uses, so changing a knob (more no-shows, other
weights) moves the alightings between kinds but keeps the yearly totals; alight_at_kena, if set, is one
probability for every passenger.

One approximation: the expectation takes every passenger at Kena to be drawn from the mix of the day,
but after a few weeks about a third of them are travellers coming back, and those hold a permit a
little less often (a permit holder who leaves the train at Kena does not come back; FRTD holders come
back sooner): ~11.2% RP/SV/NV at Kena instead of 12.0%. A simulation of some months therefore alights
about 5% fewer than expected_alightings says (2–5% in a month from a cold start).
"""

from __future__ import annotations

from datetime import date

from transitguard.adapters.sim.config import SimConfig
from transitguard.adapters.sim.timetable import services
from transitguard.adapters.sim.travellers import kind_shares
from transitguard.domain.corridor import AlightingRule, Corridor

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
    """p_k(day) for one configuration and corridor; remembers the yearly bases it has computed."""

    def __init__(self, config: SimConfig, corridor: Corridor) -> None:
        self.config = config
        self.corridor = corridor
        self.weights = config.alight_weights()
        self._kena = any(d.entry == ALIGHTING_CHECKPOINT for d in corridor.directions.values())
        self._bases: dict[int, float] = {}
        self._loads: dict[int | None, float] = {}
        self._shares: dict[bool, dict[str, float]] = {}
        self._mixes: dict[bool, float] = {}
        self._probabilities: dict[tuple[bool, int], dict[str, float]] = {}

    def _admitted(self, day: date) -> float:
        cap = self.corridor.cap_on(day)
        if cap not in self._loads:
            self._loads[cap] = expected_load(self.config, cap) * admitted_share(self.config)
        return self._loads[cap]

    def backdoor_open(self, day: date) -> bool:
        """Whether `day` is in the backdoor era: from 2023 until alighting at Kena is banned."""
        return self._kena and day.year >= 2023 and self._banned(day) is None

    def _banned(self, day: date) -> AlightingRule | None:
        return self.corridor.alighting_banned(ALIGHTING_CHECKPOINT, day)

    def shares(self, day: date) -> dict[str, float]:
        """share_k(day): the share of each transit document kind among the passengers of `day`."""
        backdoor = self.backdoor_open(day)
        if backdoor not in self._shares:
            self._shares[backdoor] = kind_shares(backdoor)
        return self._shares[backdoor]

    def mix(self, day: date) -> float:
        """w̄(day) = Σ_k share_k(day) × w_k: the mean alighting weight of a passenger on `day`."""
        backdoor = self.backdoor_open(day)
        if backdoor not in self._mixes:
            shares = self.shares(day)
            self._mixes[backdoor] = sum(share * self.weights.get(kind, 0.0) for kind, share in shares.items())
        return self._mixes[backdoor]

    def admitted_at_kena(self, start: date, end: date, weighted: bool = False) -> float:
        """Passengers admitted at Kena on service dates [start, end), expected; `weighted`: × w̄(day)."""
        total = 0.0
        for service in services(self.corridor, start, (end - start).days):
            if self.corridor.directions[service.train.direction].entry == ALIGHTING_CHECKPOINT:
                day = service.service_date
                total += self._admitted(day) * (self.mix(day) if weighted else 1.0)
        return total

    def base(self, year: int) -> float:
        """B(Y): the weighted base of year Y (see the module docstring)."""
        if year not in self._bases:
            self._bases[year] = self.admitted_at_kena(date(year, 1, 1), date(year + 1, 1, 1), weighted=True)
        return self._bases[year]

    def scale(self, day: date) -> float:
        """c(Y) = target(Y) / B(Y) for the year whose rate applies on `day`: p_k = min(1, w_k × c)."""
        if self._banned(day) is not None:
            target, year = ALIGHTINGS_PER_YEAR_AFTER_BAN, day.year
        elif day.year >= 2023:  # the backdoor stays open until the ban (Jan–Feb 2024 at the 2023 rate)
            target, year = ALIGHTINGS_2023, 2023
        else:
            target, year = ALIGHTINGS_2022, 2022
        base = self.base(year)
        return target / base if base > 0 else 0.0

    def probabilities(self, day: date) -> dict[str, float]:
        """Per passenger admitted at Kena on `day`: the probability of alighting, by transit document kind."""
        flat = self.config.alight_at_kena
        if flat is not None:
            return dict.fromkeys(self.weights, flat)
        key = (self._banned(day) is not None, day.year)
        if key not in self._probabilities:
            scale = self.scale(day)
            self._probabilities[key] = {kind: min(1.0, w * scale) for kind, w in self.weights.items()}
        return self._probabilities[key]

    def expected_alightings(self, start: date, end: date) -> dict[str, float]:
        """What a simulation of service dates [start, end) should produce, on average, by document kind."""
        totals: dict[str, float] = {}
        for service in services(self.corridor, start, (end - start).days):
            if self.corridor.directions[service.train.direction].entry == ALIGHTING_CHECKPOINT:
                day = service.service_date
                admitted, probabilities = self._admitted(day), self.probabilities(day)
                for kind, share in self.shares(day).items():
                    totals[kind] = totals.get(kind, 0.0) + admitted * share * probabilities.get(kind, 0.0)
        return totals


def expected_alightings(config: SimConfig, corridor: Corridor, start: date, end: date) -> float:
    """Expected passengers leaving the train at Kena on service dates [start, end)."""
    return sum(expected_alightings_by_kind(config, corridor, start, end).values())


def expected_alightings_by_kind(
    config: SimConfig, corridor: Corridor, start: date, end: date
) -> dict[str, float]:
    """Expected passengers leaving the train at Kena on service dates [start, end), by document kind."""
    return AlightingCalibration(config, corridor).expected_alightings(start, end)
