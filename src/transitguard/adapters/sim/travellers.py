"""Simulated travellers and their documents: who is on a transit train and what they carry.

Shares are assumptions [U] shaped by DOMAIN §0–§1: ~93% Russian citizens; FTD and FRTD are issued only
to Russian citizens travelling between two parts of their own country (Reg 693/2003 Art 1), about six
FRTD to one FTD (the 2016–2017 counts); everyone else needs a visa, a residence permit or EU
citizenship.

While the Kena "backdoor" is open (2023 until the ban of 1 Mar 2024, DOMAIN §0 and §2), more of the
Russians on board hold a right to enter the EU: the ~14,000 who left the trains at Kena in 2023 were
mostly residence-permit or EU-visa holders (DOMAIN §2), people who took the train because it let them
in. See RUSSIAN_KINDS_BACKDOOR.
"""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from random import Random
from typing import Any

from transitguard.adapters.sim.names import NameBook
from transitguard.adapters.sim.numbers import NumberIssuer

# Nationality shares in % [U]: Russian citizens ~93%; the rest from the neighbourhood and the EU
# (Russian-speaking EU citizens, Kaliningrad residents with German or Lithuanian passports).
NATIONALITIES = (("RUS", 93.0), ("BLR", 2.0), ("UKR", 1.0), ("KAZ", 1.0), ("ARM", 0.6), ("UZB", 0.5),
                 ("DEU", 0.7), ("LTU", 0.6), ("LVA", 0.3), ("POL", 0.3))  # fmt: skip
EU_STATES = frozenset({"DEU", "LTU", "LVA", "POL"})

# Transit document kind shares for Russian citizens and for other non-EU citizens.
RUSSIAN_KINDS = (("FRTD", 0.858), ("FTD", 0.138), ("SCHENGEN_VISA", 0.002), ("RESIDENCE_PERMIT", 0.001),
                 ("NATIONAL_VISA", 0.001))  # fmt: skip
# The same while the Kena backdoor is open [U]: 7.4% of the Russians (not 0.4%) hold an EU residence
# permit or visa, so that with the other nationalities ~12% of all passengers do (5.5% otherwise). The
# calibration needs at least ~10%: the permit holders should make ~2/3 of the 14,000 alightings of 2023,
# and more than about half of them leaving the train is not plausible. Residence permits and D visas
# gain most: from 19 Sep 2022 Lithuania turned back Russians travelling on Schengen (C) visas for
# tourism, business, culture or sport, but kept admitting EU residence-permit and D-visa holders
# (DOMAIN §4). FRTD and FTD keep their six to one.
RUSSIAN_KINDS_BACKDOOR = (("FRTD", 0.7977), ("FTD", 0.1283), ("SCHENGEN_VISA", 0.022),
                          ("RESIDENCE_PERMIT", 0.034), ("NATIONAL_VISA", 0.018))  # fmt: skip
OTHER_KINDS = (("SCHENGEN_VISA", 0.7), ("RESIDENCE_PERMIT", 0.2), ("NATIONAL_VISA", 0.1))
VISA_STATES = ("LTU", "LTU", "LTU", "LTU", "LTU", "POL", "DEU", "LVA", "FIN", "ITA", "ESP", "FRA", "GRC")

# Validity in days (min, max) of each kind; FRTD ≤ 3 months, FTD ≤ 3 years (Reg 693/2003 Art 2).
VALIDITY_DAYS = {
    "FRTD": (30, 90),
    "FTD": (365, 1095),
    "SCHENGEN_VISA": (90, 1825),
    "NATIONAL_VISA": (90, 365),
    "RESIDENCE_PERMIT": (365, 1825),
}
# Party sizes: mostly alone; couples; parents with children.
PARTY_SIZES = ((1, 0.70), (2, 0.18), (3, 0.08), (4, 0.04))
# Adult ages: (from, to, share).
ADULT_AGES = ((18, 29, 0.20), (30, 44, 0.32), (45, 59, 0.28), (60, 85, 0.20))
INVALID_DOCUMENT_KINDS = ("expired", "not_yet_valid", "travel_document_expires_first",
                          "travel_document_expired")  # fmt: skip


def _cumulative(shares: tuple[tuple[Any, float], ...]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    return tuple(s[0] for s in shares), tuple(accumulate(s[-1] for s in shares))


_NATIONALITIES = _cumulative(NATIONALITIES)
_RUSSIAN_KINDS = _cumulative(RUSSIAN_KINDS)
_RUSSIAN_KINDS_BACKDOOR = _cumulative(RUSSIAN_KINDS_BACKDOOR)
_OTHER_KINDS = _cumulative(OTHER_KINDS)
_PARTY_SIZES = _cumulative(PARTY_SIZES)
_ADULT_AGES = _cumulative(tuple(((a, b), s) for a, b, s in ADULT_AGES))


def _pick(rng: Random, table: tuple[tuple[Any, ...], tuple[float, ...]]) -> Any:
    values, cumulative = table
    return values[bisect(cumulative, rng.random() * cumulative[-1])]


def kind_shares(backdoor: bool) -> dict[str, float]:
    """The share of each transit document kind among the travellers TravellerFactory.party makes."""
    nationalities = sum(share for _, share in NATIONALITIES)
    shares: dict[str, float] = {}
    for nationality, share in NATIONALITIES:
        if nationality in EU_STATES:
            kinds: tuple[tuple[str, float], ...] = (("EU_CITIZEN", 1.0),)
        elif nationality == "RUS":
            kinds = RUSSIAN_KINDS_BACKDOOR if backdoor else RUSSIAN_KINDS
        else:
            kinds = OTHER_KINDS
        total = sum(part for _, part in kinds)
        for kind, part in kinds:
            shares[kind] = shares.get(kind, 0.0) + share / nationalities * part / total
    return shares


@dataclass(slots=True)
class Traveller:
    """One person and the documents they carry now; documents are renewed between trips."""

    surname: str
    given_names: str
    birth_date: date
    sex: str
    nationality: str
    passport_number: str
    passport_expires: date
    passport_years: int
    transit_kind: str
    transit_number: str | None = None
    transit_from: date | None = None
    transit_until: date | None = None
    transits: int = 0  # trips made on the current transit document
    faulty: bool = False  # documents spoiled on purpose (the invalid-document knob)

    def travel_document(self) -> dict[str, str]:
        return {"type": "P", "number": self.passport_number, "issuing_state": self.nationality,
                "expires": self.passport_expires.isoformat()}  # fmt: skip

    def document_ref(self) -> dict[str, str]:
        return {"number": self.passport_number, "issuing_state": self.nationality}

    def transit_document(self) -> dict[str, str]:
        document = {"kind": self.transit_kind}
        if self.transit_number is not None:
            document["number"] = self.transit_number
        if self.transit_from is not None and self.transit_until is not None:
            document["valid_from"] = self.transit_from.isoformat()
            document["valid_until"] = self.transit_until.isoformat()
        return document


def between(rng: Random, low: int, high: int) -> int:
    """A whole number in [low, high]: random.randint without its argument checks (hot path)."""
    return low + int(rng.random() * (high - low + 1))


class TravellerFactory:
    """Makes parties of travellers and keeps their documents valid for each trip."""

    def __init__(self, names: NameBook, patronymic_probability: float) -> None:
        self.names = names
        self.patronymic_probability = patronymic_probability

    def party(self, rng: Random, day: date, issuer: NumberIssuer, backdoor: bool = False) -> list[Traveller]:
        """A lead adult, possibly a partner and children: one surname, one nationality.

        `backdoor`: the Kena backdoor is open on `day`, so Russians hold EU permits more often.
        """
        russian_kinds = _RUSSIAN_KINDS_BACKDOOR if backdoor else _RUSSIAN_KINDS
        size = _pick(rng, _PARTY_SIZES)
        nationality = _pick(rng, _NATIONALITIES)
        surname = self.names.surname(rng)
        lead_sex = "M" if rng.random() < 0.48 else "F"
        lead_age = between(rng, *_pick(rng, _ADULT_AGES))
        father: str | None = None
        members: list[Traveller] = []
        for index in range(size):
            if index == 0:
                sex, age = lead_sex, lead_age
            elif index == 1 and (size == 2 or rng.random() < 0.6):  # a partner, else a child
                sex, age = ("F" if lead_sex == "M" else "M"), max(18, lead_age + between(rng, -6, 6))
            else:
                sex, age = ("M" if rng.random() < 0.51 else "F"), between(rng, 0, 17)
            given = self.names.given_name(rng, sex)
            if age >= 18 and sex == "M" and father is None:
                father = given
            parent = father if age < 18 else None
            members.append(
                self._person(rng, day, issuer, nationality, surname, sex, age, given, parent, russian_kinds)
            )
        return members

    def _person(
        self,
        rng: Random,
        day: date,
        issuer: NumberIssuer,
        nationality: str,
        surname: tuple[str, str],
        sex: str,
        age: int,
        given: str,
        father: str | None,
        russian_kinds: tuple[tuple[Any, ...], tuple[float, ...]] = _RUSSIAN_KINDS,
    ) -> Traveller:
        post_soviet = nationality not in EU_STATES
        if post_soviet and rng.random() < self.patronymic_probability:
            given = f"{given} {self.names.patronymic(rng, sex, father)}"
        birth = date.fromordinal(day.toordinal() - int((age + rng.random()) * 365.2425))
        if nationality in EU_STATES:
            kind = "EU_CITIZEN"
        else:
            kind = _pick(rng, russian_kinds if nationality == "RUS" else _OTHER_KINDS)
        years = 5 if age < 14 or (nationality == "RUS" and rng.random() < 0.15) else 10
        traveller = Traveller(
            surname=surname[0] if sex == "M" else surname[1],
            given_names=given,
            birth_date=birth,
            sex=sex,
            nationality=nationality,
            passport_number="",
            passport_expires=day,
            passport_years=years,
            transit_kind=kind,
        )
        self.prepare(rng, traveller, day, issuer)
        return traveller

    def prepare(self, rng: Random, traveller: Traveller, day: date, issuer: NumberIssuer) -> None:
        """Renew what will not carry this trip: a used-up or expiring transit document, a passport."""
        kind, until = traveller.transit_kind, traveller.transit_until
        spec = VALIDITY_DAYS.get(kind)
        today = day.toordinal()
        if spec is not None and (
            until is None or until <= day or (kind == "FRTD" and traveller.transits >= 2)  # entry + return
        ):
            length = between(rng, *spec)
            # An FRTD is issued on the ticket request, a few days before the train (Reg 693/2003 Art 5–6).
            offset = between(rng, 1, 6) if kind == "FRTD" else between(rng, 0, length - 2)
            traveller.transit_from = date.fromordinal(today - offset)
            until = traveller.transit_until = date.fromordinal(today - offset + length)
            traveller.transit_number = self._transit_number(rng, issuer, kind)
            traveller.transits = 0
        # The passport must outlive the transit document (Reg 693/2003 Art 6), here by a month or more.
        horizon = (until.toordinal() if until is not None and until > day else today) + 30
        if traveller.passport_number == "" or traveller.passport_expires.toordinal() <= horizon:
            span = traveller.passport_years * 365 + traveller.passport_years // 4
            room = span - (horizon - today)
            issued = today - (between(rng, 0, room) if room > 0 else 0)
            traveller.passport_expires = date.fromordinal(max(issued + span, horizon + 1))
            traveller.passport_number = issuer.passport(traveller.nationality)

    def _transit_number(self, rng: Random, issuer: NumberIssuer, kind: str) -> str:
        if kind in ("FRTD", "FTD"):
            return issuer.sticker("LTU")
        state = VISA_STATES[int(rng.random() * len(VISA_STATES))]
        return issuer.residence_permit(state) if kind == "RESIDENCE_PERMIT" else issuer.sticker(state)

    def spoil(self, rng: Random, traveller: Traveller, day: date) -> str:
        """Make one document unusable for a trip on `day`; returns which fault was made."""
        start, until = traveller.transit_from, traveller.transit_until
        if start is None or until is None:
            faults: tuple[str, ...] = ("travel_document_expired",)
        elif traveller.transit_kind in ("FRTD", "FTD"):
            faults = INVALID_DOCUMENT_KINDS
        else:
            faults = ("expired", "not_yet_valid", "travel_document_expired")
        fault = faults[int(rng.random() * len(faults))]
        if start is not None and until is not None and fault in ("expired", "not_yet_valid"):
            length = until - start
            if fault == "expired":
                until = day - timedelta(days=between(rng, 1, 20))
                start = until - length
            else:
                start = day + timedelta(days=between(rng, 1, 10))
                until = start + length
            traveller.transit_from, traveller.transit_until = start, until
        elif until is not None and fault == "travel_document_expires_first":
            until = max(until, day + timedelta(days=3))
            traveller.transit_until = until
            traveller.passport_expires = day + timedelta(days=between(rng, 1, (until - day).days - 1))
        else:
            traveller.passport_expires = day - timedelta(days=between(rng, 1, 200))
        traveller.faulty = True
        return fault

    def stowaway(self, rng: Random, day: date, issuer: NumberIssuer) -> Traveller:
        """Someone on board who is on no manifest: a Russian adult; only the passport is ever seen."""
        sex = "M" if rng.random() < 0.7 else "F"
        given = self.names.given_name(rng, sex)
        surname = self.names.surname(rng)
        return self._person(rng, day, issuer, "RUS", surname, sex, between(rng, 18, 45), given, None)
