"""A deterministic traffic simulator for the rail corridor: manifests, crossings, checks and stops.

Each train on each service date is one SimPy process that walks the corridor (DOMAIN §2): the
railway's manifest some hours ahead, the crossing into Lithuania, the inspection stop at the entry
checkpoint with a check of every passenger, the technical stops, the inspection at the exit
checkpoint and the crossing out. Events are emitted as the SimPy clock reaches them, so the stream is
in `occurred_at` order across all trains.

A train's service date is the local date on which it is due at its entry checkpoint (the simulator's
convention; the railway's own date is the departure from Moscow, St Petersburg or Adler).

Determinism: every train draws from its own `random.Random` seeded with (seed, number, date), numbers
its documents from its own block (numbers.py), and travellers who come back later are booked onto one
named train, so the same configuration always gives the same stream, and a train's events do not
depend on how many days are simulated. No wall clock, no global random state.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import simpy

from transitguard.adapters.sim.calibration import ALIGHTING_CHECKPOINT, AlightingCalibration
from transitguard.adapters.sim.config import SimConfig
from transitguard.adapters.sim.names import load_name_book
from transitguard.adapters.sim.numbers import NumberIssuer
from transitguard.adapters.sim.timetable import AVERAGE_SPEED_KMH, Service, km_posts, route, runs_on, services
from transitguard.adapters.sim.travellers import Traveller, TravellerFactory, between
from transitguard.domain.corridor import Corridor
from transitguard.domain.events import Direction

__all__ = ["SimConfig", "simulate"]

Event = dict[str, Any]

# Durations in minutes (low, high) [U]. The whole transit takes about 3.5 h (DOMAIN §2: "three hours"
# inside Lithuania, a stop of more than an hour at a checkpoint), well under the FRTD's 6 h.
ENTRY_JITTER = (-10, 15)  # against the timetable
ENTRY_INSPECTION = (40, 70)  # every passenger's documents are checked
EXIT_INSPECTION = (20, 35)  # count and stamp out
TECHNICAL_STOP_DEFAULT = 5  # a planned stop without typical_minutes in the corridor
LATE_EXTRA = (120, 270)  # a late train spends 5–9 h inside; about half its FRTD holders overstay 6 h
UNPLANNED_STOP = (3, 30)
RETURN_AFTER_DAYS = (2, 90)
RETURN_SEARCH_DAYS = 7  # a traveller who finds no train within a week goes another way
SEATS_PER_CAR = 54  # platzkart
# Schengen Borders Code Annex V, part B: the reason letters a refusal most often carries here.
REFUSAL_REASONS = (
    "A: no valid travel document",
    "C: no valid visa or residence permit",
    "E: purpose and conditions of stay not justified",
    "H: alert issued for the purpose of refusing entry in the SIS",
)

# What happens to a manifest passenger (or a stowaway) on one train.
CHECKED_AT_ENTRY = frozenset({"ride", "alight", "refused", "stowaway"})
CHECKED_AT_EXIT = frozenset({"ride", "missed_entry", "stowaway"})


@dataclass(slots=True)
class _Boarding:
    traveller: Traveller
    ref: str | None  # the ticket number on the manifest; None for a stowaway
    fate: str  # ride, alight, refused, no_show, missed_entry, stowaway
    party: int


class _Run:
    """The state one simulation shares across its trains: names, calibration, returning travellers."""

    def __init__(self, config: SimConfig, corridor: Corridor) -> None:
        self.config = config
        self.corridor = corridor
        self.zone = ZoneInfo(corridor.timezone)
        self.factory = TravellerFactory(load_name_book(), config.patronymic_probability)
        self.calibration = AlightingCalibration(config, corridor)
        self.routes = {direction: route(corridor, direction) for direction in corridor.directions}
        self.km = km_posts(corridor)
        self.stop_minutes = {s.place: s.typical_minutes for s in corridor.planned_stops}
        # Parties booked on a later train: (train number, service date) → parties, in booking order.
        # Booking a party onto one named train (not into a shared queue) keeps every train's events
        # independent of how many days are simulated.
        self.booked: dict[tuple[str, date], list[list[Traveller]]] = {}
        self._timetable: dict[tuple[Direction, date], list[str]] = {}
        # Events not yet handed out, as a heap of (occurred_at as a Unix time, emission number, event).
        self.outbox: list[tuple[int, int, Event]] = []
        self.emitted = 0

    def stamp(self, moment: int) -> str:
        return datetime.fromtimestamp(moment, self.zone).isoformat()

    # -- the manifest ------------------------------------------------------------------------------

    def _load(self, rng: Random, day: date) -> int:
        config, cap = self.config, self.corridor.cap_on(day)
        if cap is not None and rng.random() < config.over_cap_probability:
            return cap + between(rng, 1, config.over_cap_max_excess)
        load = between(rng, config.load_min, config.load_max)
        return load if cap is None else min(load, cap)

    def _parties(self, rng: Random, service: Service, issuer: NumberIssuer) -> list[list[Traveller]]:
        day, load = service.service_date, self._load(rng, service.service_date)
        backdoor = self.calibration.backdoor_open(day)
        parties: list[list[Traveller]] = []
        count = 0
        for party in self.booked.pop((service.train.number, day), []):
            if count + len(party) > load:
                break  # the train is full: the rest go another way
            for traveller in party:
                self.factory.prepare(rng, traveller, day, issuer)
            parties.append(party)
            count += len(party)
        while count < load:
            party = self.factory.party(rng, day, issuer, backdoor)[: load - count]
            parties.append(party)
            count += len(party)
        return parties

    def _boardings(self, rng: Random, service: Service) -> list[_Boarding]:
        slot = next(i for i, train in enumerate(self.corridor.trains) if train.number == service.train.number)
        issuer = NumberIssuer(self.config.seed, service.service_date, slot, len(self.corridor.trains))
        config, day = self.config, service.service_date
        entry = self.corridor.directions[service.train.direction].entry
        # By transit document kind (calibration.py); empty where no one leaves the train, so no draw.
        alight = self.calibration.probabilities(day) if entry == ALIGHTING_CHECKPOINT else {}
        if not any(alight.values()):
            alight = {}
        boardings: list[_Boarding] = []
        for index, party in enumerate(self._parties(rng, service, issuer)):
            for traveller in party:
                if rng.random() < config.invalid_document_probability:
                    self.factory.spoil(rng, traveller, day)
                ref = issuer.ticket()
                if rng.random() < config.no_show_probability:
                    fate = "no_show"
                elif rng.random() < config.missed_entry_check_probability:
                    fate = "missed_entry"
                elif rng.random() < config.refusal_probability:
                    fate = "refused"
                elif alight and rng.random() < alight[traveller.transit_kind]:
                    fate = "alight"
                else:
                    fate = "ride"
                if fate != "no_show":
                    traveller.transits += 1
                boardings.append(_Boarding(traveller, ref, fate, index))
        if rng.random() < config.stowaway_probability:
            boardings.append(_Boarding(self.factory.stowaway(rng, day, issuer), None, "stowaway", -1))
        return boardings

    def _manifest_entries(self, rng: Random, boardings: list[_Boarding]) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        car, seat = 1, 0
        for boarding in boardings:
            if boarding.ref is None:
                continue
            seat += 2 if rng.random() < 0.08 else 1  # some seats stay empty
            if seat > SEATS_PER_CAR:
                car, seat = car + 1, 1
            person = boarding.traveller
            entries.append({
                "ref": boarding.ref,
                "surname": person.surname,
                "given_names": person.given_names,
                "birth_date": person.birth_date.isoformat(),
                "sex": person.sex,
                "nationality": person.nationality,
                "travel_document": person.travel_document(),
                "transit_document": person.transit_document(),
                "seat": f"{car:02d}-{seat:03d}",
            })  # fmt: skip
        return entries

    # -- the journey -------------------------------------------------------------------------------

    def train(self, env: Any, service: Service) -> Generator[Any, Any, None]:
        """The SimPy process of one train on one service date."""
        config, spec, day = self.config, service.train, service.service_date
        rng = Random(f"{config.seed}/{spec.number}/{day.isoformat()}")
        train_ref = {"number": spec.number, "service_date": day.isoformat(), "direction": spec.direction}
        prefix = f"sim-{config.seed}-{spec.number}-{day.isoformat()}-"
        counter = [0]
        outbox = self.outbox

        def emit(kind: str, fields: dict[str, Any], at: int | None = None) -> None:
            """Record an event now, or at `at` (never earlier than now: see simulate)."""
            moment = env.now if at is None else at
            counter[0] += 1
            event_id = f"{prefix}{counter[0]:04d}"
            event = {
                "event_id": event_id,
                "type": kind,
                "occurred_at": self.stamp(moment),
                "train": dict(train_ref),
            }
            event.update(fields)
            self.emitted += 1
            heapq.heappush(outbox, (moment, self.emitted, event))

        scheduled = int(service.scheduled_entry.timestamp())
        low, high = config.manifest_lead_hours
        yield env.timeout(max(0, scheduled - int(rng.uniform(low, high) * 3600) - env.now))
        boardings = self._boardings(rng, service)
        emit("manifest.submitted", {"passengers": self._manifest_entries(rng, boardings)})

        stops = self.routes[spec.direction]
        late = rng.random() < config.late_train_probability
        unplanned_leg = (
            between(rng, 0, len(stops) - 2) if rng.random() < config.unplanned_stop_probability else -1
        )
        entered = scheduled + between(rng, ENTRY_JITTER[0] * 60, ENTRY_JITTER[1] * 60)
        yield env.timeout(max(0, entered - env.now))
        emit("train.crossed", {"checkpoint": stops[0], "movement": "entry"})

        yield env.timeout(between(rng, 60, 240))
        checked_in = [b for b in boardings if b.fate in CHECKED_AT_ENTRY]
        yield from self._inspection(env, rng, emit, stops[0], "entry", checked_in, ENTRY_INSPECTION)

        extra = _split(rng, between(rng, *LATE_EXTRA) * 60 if late else 0, len(stops) - 1)
        for leg, (here, there) in enumerate(itertools.pairwise(stops)):
            distance = abs(self.km[there] - self.km[here])
            running = int(distance / AVERAGE_SPEED_KMH * 3600 * rng.uniform(0.95, 1.12)) + extra[leg]
            if leg == unplanned_leg:
                share = rng.uniform(0.15, 0.85)
                yield env.timeout(int(running * share))
                started = env.now
                yield env.timeout(between(rng, UNPLANNED_STOP[0] * 60, UNPLANNED_STOP[1] * 60))
                mark = self.km[here] + (self.km[there] - self.km[here]) * share
                emit("train.stopped", self._stop(f"km {mark:.1f}", started, env.now))
                running -= int(running * share)
            yield env.timeout(running)
            if there == stops[-1]:
                break
            started = env.now
            minutes = self.stop_minutes.get(there) or TECHNICAL_STOP_DEFAULT
            yield env.timeout(max(60, minutes * 60 + between(rng, -120, 120)))
            emit("train.stopped", self._stop(there, started, env.now))

        checked_out = [b for b in boardings if b.fate in CHECKED_AT_EXIT]
        yield from self._inspection(env, rng, emit, stops[-1], "exit", checked_out, EXIT_INSPECTION)
        yield env.timeout(between(rng, 60, 300))
        emit("train.crossed", {"checkpoint": stops[-1], "movement": "exit"})
        self._send_back(rng, service, boardings)

    def _inspection(
        self,
        env: Any,
        rng: Random,
        emit: Callable[..., None],
        checkpoint: str,
        movement: str,
        people: list[_Boarding],
        minutes: tuple[int, int],
    ) -> Generator[Any, Any, None]:
        """A stop at a checkpoint with one check per person, at random moments inside it.

        The checks are recorded when the stop begins, each with its own time: nothing else about the
        train can happen before the stop ends, and simulate hands events out in time order.
        """
        started = env.now
        ended = started + between(rng, minutes[0] * 60, minutes[1] * 60)
        first, last = started + 180, max(started + 180, ended - 300)
        moments = sorted(between(rng, first, last) for _ in people)
        order = list(people)
        rng.shuffle(order)
        by_document = self.config.identify_by_document_probability
        for moment, boarding in zip(moments, order, strict=True):
            check: dict[str, Any] = {"checkpoint": checkpoint, "movement": movement}
            if boarding.ref is None or rng.random() < by_document:
                check["travel_document"] = boarding.traveller.document_ref()
            else:
                check["passenger_ref"] = boarding.ref
            if movement == "entry" and boarding.fate == "refused":
                check["outcome"] = "refused"
                check["reason"] = REFUSAL_REASONS[int(rng.random() * len(REFUSAL_REASONS))]
            else:
                check["outcome"] = "admitted"
            emit("passenger.checked", check, moment)
        yield env.timeout(ended - env.now)
        emit("train.stopped", self._stop(checkpoint, started, ended))

    def _stop(self, place: str, started: int, ended: int) -> dict[str, str]:
        return {"place": place, "started_at": self.stamp(started), "ended_at": self.stamp(ended)}

    def _send_back(self, rng: Random, service: Service, boardings: list[_Boarding]) -> None:
        """Some parties who completed the transit book a train back the other way, days later."""
        day = service.service_date
        parties: dict[int, list[_Boarding]] = {}
        for boarding in boardings:
            if boarding.party >= 0:
                parties.setdefault(boarding.party, []).append(boarding)
        for members in parties.values():
            if any(m.fate != "ride" or m.traveller.faulty for m in members):
                continue
            if rng.random() >= self.config.return_trip_probability:
                continue
            longest = RETURN_AFTER_DAYS[1]
            for member in members:  # an FRTD carries the return only while it is valid
                person = member.traveller
                if person.transit_kind == "FRTD" and person.transits < 2 and person.transit_until:
                    longest = min(longest, (person.transit_until - day).days - 1)
            if longest < RETURN_AFTER_DAYS[0]:
                continue
            ready = day + timedelta(days=between(rng, RETURN_AFTER_DAYS[0], longest))
            train = self._train_back(rng, service.train.direction, ready)
            if train is not None:
                self.booked.setdefault(train, []).append([m.traveller for m in members])

    def _train_back(self, rng: Random, direction: Direction, ready: date) -> tuple[str, date] | None:
        """One train the other way on the first day from `ready` that has one."""
        for offset in range(RETURN_SEARCH_DAYS):
            day = ready + timedelta(days=offset)
            trains = self._timetable.get((direction, day))
            if trains is None:
                trains = [
                    t.number for t in self.corridor.trains if t.direction != direction and runs_on(t, day)
                ]
                self._timetable[(direction, day)] = trains
            if trains:
                return trains[int(rng.random() * len(trains))], day
        return None


def _split(rng: Random, total: int, parts: int) -> list[int]:
    """`total` seconds cut into `parts` random pieces."""
    if total == 0:
        return [0] * parts
    cuts = sorted(between(rng, 0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


def simulate(config: SimConfig, corridor: Corridor) -> Iterator[dict[str, Any]]:
    """Events as JSON-ready dicts (RFC 3339 strings with offset, ISO dates), in occurred_at order.

    Service dates are [config.start, config.start + config.days); the stream begins with the first
    manifests, some hours before the first train, and ends when the last train has left the corridor.
    """
    run = _Run(config, corridor)
    # Manifests come at most 11 h ahead (SimConfig checks), so noon of the day before is early enough.
    opening = datetime.combine(config.start - timedelta(days=1), time(12), tzinfo=run.zone)
    env = simpy.Environment(initial_time=int(opening.timestamp()))
    for service in services(corridor, config.start, config.days):
        env.process(run.train(env, service))
    # A step at time T records events at T or later; so before each step, every event at or before the
    # next step's time is final and can be handed out.
    outbox = run.outbox
    while True:
        upcoming = env.peek()
        while outbox and outbox[0][0] <= upcoming:
            yield heapq.heappop(outbox)[2]
        if upcoming == simpy.core.Infinity:
            return
        env.step()
