"""What a simulation run is asked to do: the dates, the seed and the behaviour knobs."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from transitguard.errors import InputError


@dataclass(frozen=True)
class SimConfig:
    """Service dates [start, start + days), the seed, and how often each irregularity happens.

    Probabilities are per passenger unless they say per train. The defaults are assumptions [U] meant to
    give a realistic week: a handful of alerts of each kind, not a flood.
    """

    start: date = date(2023, 5, 1)
    days: int = 7
    seed: int = 1
    # Per passenger admitted at Kena, whatever their documents: leaves the train there (no exit check).
    # None = calibrated by date to the reported counts, in proportion to the weights below.
    alight_at_kena: float | None = None
    # How much more likely a holder of each transit document kind is to leave the train at Kena than an
    # FRTD holder [U]. The 2023 backdoor drew people with a right to enter the EU (DOMAIN §2: residence-
    # permit or EU-visa holders); FRTD and FTD are valid for the transit only. With 20 to 1, 66% of the
    # expected 2023 alightings hold a residence permit or visa, 10% are EU citizens and 24% hold an FRTD
    # or FTD; per passenger that is 42% against 2% (calibration.py). The totals do not depend on these.
    alight_weight_frtd: float = 1.0
    alight_weight_ftd: float = 1.0
    alight_weight_residence_permit: float = 20.0
    alight_weight_schengen_visa: float = 20.0
    alight_weight_national_visa: float = 20.0
    alight_weight_eu_citizen: float = 20.0
    late_train_probability: float = 0.01  # per train: 2–4.5 h late inside the corridor
    unplanned_stop_probability: float = 0.03  # per train: a stop between stations (place "km …")
    over_cap_probability: float = 0.005  # per train: manifest above the passenger cap of the day
    invalid_document_probability: float = 0.002  # expired / not yet valid / passport expires first …
    stowaway_probability: float = 0.003  # per train: someone checked at entry and exit, on no manifest
    missed_entry_check_probability: float = 0.0005  # boards, is not checked in, is checked out
    no_show_probability: float = 0.01  # on the manifest, never boards
    refusal_probability: float = 0.002  # refused entry at the entry checkpoint (taken off the train)
    identify_by_document_probability: float = 0.2  # a check names the passport instead of the ticket
    return_trip_probability: float = 0.4  # a completed traveller comes back the other way later
    patronymic_probability: float = 0.3  # the railway's list adds the patronymic to the given names
    load_min: int = 120  # passengers per train, drawn uniformly, then held to the cap of the day
    load_max: int = 290
    over_cap_max_excess: int = 30  # an over-cap manifest has cap + 1 … cap + this
    manifest_lead_hours: tuple[float, float] = (3.0, 8.0)  # manifest this long before entry

    def __post_init__(self) -> None:
        if self.days < 1:
            raise InputError(f"days must be at least 1, not {self.days}")
        for spec in fields(self):
            value = getattr(self, spec.name)
            is_probability = spec.name.endswith("_probability") or spec.name == "alight_at_kena"
            if is_probability and value is not None and not 0.0 <= value <= 1.0:
                raise InputError(f"{spec.name} must be between 0 and 1, not {value}")
        weights = self.alight_weights()
        if any(w < 0 for w in weights.values()) or not any(weights.values()):
            raise InputError(
                "the alight_weight_* knobs must be >= 0 and not all 0 (alight_at_kena=0 turns it off)"
            )
        if not 0 < self.load_min <= self.load_max:
            raise InputError(f"need 0 < load_min <= load_max, not {self.load_min} and {self.load_max}")
        if self.over_cap_max_excess < 1:
            raise InputError("over_cap_max_excess must be at least 1")
        low, high = self.manifest_lead_hours
        if not 0 <= low <= high <= 11:
            raise InputError("manifest_lead_hours must be (low, high) with 0 <= low <= high <= 11")

    def alight_weights(self) -> dict[str, float]:
        """The relative alighting weight of each transit document kind (the alight_weight_* knobs)."""
        return {
            "FRTD": self.alight_weight_frtd,
            "FTD": self.alight_weight_ftd,
            "RESIDENCE_PERMIT": self.alight_weight_residence_permit,
            "SCHENGEN_VISA": self.alight_weight_schengen_visa,
            "NATIONAL_VISA": self.alight_weight_national_visa,
            "EU_CITIZEN": self.alight_weight_eu_citizen,
        }
