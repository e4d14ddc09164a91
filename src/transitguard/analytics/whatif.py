"""Policy what-if: run the traffic simulator under a policy and measure what the border guard would see.

A policy file (YAML, unknown keys rejected, errors naming the file and key) changes the corridor as data
(the passenger cap from the start of the period, the date alighting at Kena is banned) and may add
door checks at technical stops (VILNIUS, KAUNAS). The simulator runs with the changed corridor; the
measures are read from its event stream, train by train:

- missing passengers: checked in at the entry checkpoint, not checked out at the exit one;
- time to detect: from a missing passenger's entry check to the first moment the loss can be seen —
  the end of the first door-checked stop after it, else the train's exit from the corridor (when
  PASSENGER_MISSING is raised);
- officer workload: officer-hours of checks (entry and exit checks per passenger, door checks per
  train, a follow-up per missing passenger), with the per-unit times the policy states;
- train delay: mean minutes per train added to the time in the corridor (door checks), on top of the
  measured mean time between entry and exit.

The simulator's own assumption holds: alighting at Kena follows the calibrated yearly rate until a ban
(~14,000 in 2023, DOMAIN §0), and a handful a year after it; door checks find people, they do not stop
them (no deterrence is modelled).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transitguard.adapters.sim import SimConfig, simulate
from transitguard.analytics.anomaly import WeeklyCount
from transitguard.domain.corridor import AlightingRule, Corridor, DatedValue
from transitguard.errors import InputError, TransitguardError
from transitguard.rulepacks.yaml_files import read_yaml

KENA = "LT-KENA"
POLICY_BASIS = "what-if policy"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Simulation(_Strict):
    start: date = date(2024, 1, 1)
    days: int = Field(default=7, ge=1, le=731)
    seed: int = 1


class DoorChecks(_Strict):
    places: tuple[str, ...] = Field(min_length=1)
    minutes_per_train: float = Field(gt=0, le=240)
    officers: int = Field(ge=1, le=50)


class Workload(_Strict):
    entry_check_seconds: float = Field(default=40.0, ge=0)  # [U] a document check at Kena / Kybartai
    exit_check_seconds: float = Field(default=15.0, ge=0)  # [U] count and stamp out
    missing_follow_up_minutes: float = Field(default=30.0, ge=0)  # [U] one PASSENGER_MISSING worked


class Policy(_Strict):
    title: str = Field(min_length=1)
    basis: str = Field(min_length=1)
    simulation: Simulation = Simulation()
    passenger_cap: int | None = Field(default=None, ge=1, le=2000)
    # Absent: the rule pack's dates. null: no ban at all in the period. A date: banned from that day.
    alighting_ban_from: date | None = None
    door_checks: DoorChecks | None = None
    workload: Workload = Workload()


@dataclass(frozen=True)
class LoadedPolicy:
    name: str  # the file's stem
    path: Path
    policy: Policy
    sets_ban: bool  # whether the file says anything about alighting_ban_from


@dataclass(frozen=True)
class Outcome:
    policy: str
    title: str
    start: date
    days: int
    trains: int
    admitted: int
    missing: int
    detect_median_minutes: float | None
    detect_p90_minutes: float | None
    officer_hours: float
    officer_hours_per_train: float
    corridor_minutes_mean: float
    added_delay_minutes_per_train: float

    def as_dict(self) -> dict[str, Any]:
        row = dict(self.__dict__)
        row["start"] = self.start.isoformat()
        return row


def shipped_policies(pack_path: Path) -> list[Path]:
    """The example policies that come with a rule pack (`<pack>/policies/*.yaml`)."""
    return sorted((pack_path / "policies").glob("*.yaml"))


def resolve_policy(argument: str, pack_path: Path) -> Path:
    """A policy file, or the name of one the rule pack ships (`status-quo-2023`)."""
    path = Path(argument)
    if path.is_file():
        return path
    shipped = pack_path / "policies" / f"{argument}.yaml"
    if "/" not in argument and shipped.is_file():
        return shipped
    names = ", ".join(p.stem for p in shipped_policies(pack_path))
    raise InputError(f"{argument}: no such policy file, nor a shipped policy ({names})")


def load_policy(path: Path) -> LoadedPolicy:
    if not path.is_file():
        raise InputError(f"{path}: no such policy file")
    try:
        data = read_yaml(path)
    except TransitguardError as exc:  # YAML syntax, duplicate keys: a user's file, so a user's error
        raise InputError(exc.message) from None
    except ValueError as exc:  # a date that does not exist (2024-02-30)
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a policy is a mapping of keys (title, basis, simulation, ...)")
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        named = [f"key {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in errors[:5]]
        raise InputError(f"{path}: " + "; ".join(named)) from None
    return LoadedPolicy(path.stem, path, policy, "alighting_ban_from" in data)


def corridor_under(corridor: Corridor, loaded: LoadedPolicy) -> Corridor:
    """The rule pack's corridor with the policy's cap and alighting ban."""
    policy, start = loaded.policy, loaded.policy.simulation.start
    update: dict[str, Any] = {}
    if policy.passenger_cap is not None:
        kept = tuple(
            step.model_copy(update={"valid_until": min(step.valid_until or date.max, _day_before(start))})
            for step in corridor.passenger_cap
            if step.valid_from is None or step.valid_from < start
        )
        update["passenger_cap"] = (
            *kept,
            DatedValue(
                value=policy.passenger_cap, valid_from=start, basis=f"{POLICY_BASIS}: {loaded.path.name}"
            ),
        )
    if loaded.sets_ban:
        # Every enforced ban at Kena goes; the policy's own (if any) takes their place.
        kept_rules = [
            r for r in corridor.alighting if not (KENA in r.places and r.enforced and not r.allowed)
        ]
        if policy.alighting_ban_from is not None:
            kept_rules.append(
                AlightingRule(
                    places=(KENA,),
                    allowed=False,
                    enforced=True,
                    valid_from=policy.alighting_ban_from,
                    basis=f"{POLICY_BASIS}: {loaded.path.name}",
                )
            )
        update["alighting"] = tuple(kept_rules)
    if policy.door_checks is not None:
        known = corridor.planned_places
        for place in policy.door_checks.places:
            if place not in known:
                raise InputError(
                    f"{loaded.path}: key door_checks.places: {place!r} is not a planned stop "
                    f"(one of {', '.join(sorted(known))})"
                )
    return corridor.model_copy(update=update) if update else corridor


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


@dataclass
class _Train:
    service_date: date
    refs: dict[str, str]  # document key -> ticket ref
    entered: dict[str, datetime]  # person -> entry check time (admitted)
    exited: set[str]
    door_stops: list[datetime]  # ends of door-checked stops
    crossed_in: datetime | None = None
    crossed_out: datetime | None = None


def _person(event: dict[str, Any], refs: dict[str, str]) -> str:
    if "passenger_ref" in event:
        return str(event["passenger_ref"])
    doc = event["travel_document"]
    key = f"{doc['issuing_state']}:{doc['number']}"
    return refs.get(key, key)


@dataclass
class Tally:
    trains: dict[str, _Train]
    entry_checks: int
    exit_checks: int


def tally(events: Iterable[dict[str, Any]], door_places: Collection[str] = ()) -> Tally:
    """Read a simulated stream train by train: who was admitted, who checked out, stops, crossings."""
    trains: dict[str, _Train] = {}
    entry_checks = exit_checks = 0
    for event in events:
        ref = event["train"]
        key = f"{ref['number']}/{ref['service_date']}/{ref['direction']}"
        train = trains.get(key)
        if train is None:
            train = trains[key] = _Train(date.fromisoformat(ref["service_date"]), {}, {}, set(), [])
        kind = event["type"]
        if kind == "manifest.submitted":
            for passenger in event["passengers"]:
                doc = passenger["travel_document"]
                train.refs[f"{doc['issuing_state']}:{doc['number']}"] = passenger["ref"]
        elif kind == "passenger.checked":
            who = _person(event, train.refs)
            if event["movement"] == "entry":
                entry_checks += 1
                if event["outcome"] == "admitted":
                    train.entered[who] = datetime.fromisoformat(event["occurred_at"])
            else:
                exit_checks += 1
                train.exited.add(who)
        elif kind == "train.crossed":
            moment = datetime.fromisoformat(event["occurred_at"])
            if event["movement"] == "entry":
                train.crossed_in = moment
            else:
                train.crossed_out = moment
        elif kind == "train.stopped" and event["place"] in door_places and event.get("ended_at"):
            train.door_stops.append(datetime.fromisoformat(event["ended_at"]))
    return Tally(trains, entry_checks, exit_checks)


def missing_per_week(events: Iterable[dict[str, Any]]) -> list[WeeklyCount]:
    """Passengers missing at the exit, per week of service date (Mondays), every week in the range."""
    counts: dict[date, int] = defaultdict(int)
    for train in tally(events).trains.values():
        if train.crossed_out is not None:
            week = train.service_date - timedelta(days=train.service_date.weekday())
            counts[week] += sum(1 for who in train.entered if who not in train.exited)
    if not counts:
        return []
    weeks, week = [], min(counts)
    while week <= max(counts):
        weeks.append(WeeklyCount(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


def run_policy(loaded: LoadedPolicy, corridor: Corridor) -> Outcome:
    policy = loaded.policy
    under = corridor_under(corridor, loaded)
    run = policy.simulation
    config = SimConfig(start=run.start, days=run.days, seed=run.seed)
    door_places = set(policy.door_checks.places) if policy.door_checks else set()
    counted = tally(simulate(config, under), door_places)
    trains, entry_checks, exit_checks = counted.trains, counted.entry_checks, counted.exit_checks
    missing = 0
    detect: list[float] = []
    corridor_minutes: list[float] = []
    door_trains = 0
    for train in trains.values():
        if train.crossed_out is None:
            continue
        if train.crossed_in is not None:
            corridor_minutes.append((train.crossed_out - train.crossed_in).total_seconds() / 60)
        if train.door_stops:
            door_trains += 1
        for who, entered in train.entered.items():
            if who in train.exited:
                continue
            missing += 1
            seen = min((end for end in train.door_stops if end > entered), default=train.crossed_out)
            detect.append((seen - entered).total_seconds() / 60)
    work = policy.workload
    door_minutes = policy.door_checks.minutes_per_train if policy.door_checks else 0.0
    officers = policy.door_checks.officers if policy.door_checks else 0
    hours = (
        entry_checks * work.entry_check_seconds / 3600
        + exit_checks * work.exit_check_seconds / 3600
        + door_trains * door_minutes * officers / 60
        + missing * work.missing_follow_up_minutes / 60
    )
    ran = len(corridor_minutes)
    return Outcome(
        policy=loaded.name,
        title=policy.title,
        start=policy.simulation.start,
        days=policy.simulation.days,
        trains=ran,
        admitted=sum(len(t.entered) for t in trains.values()),
        missing=missing,
        detect_median_minutes=round(statistics.median(detect), 1) if detect else None,
        detect_p90_minutes=round(statistics.quantiles(detect, n=10)[-1], 1) if len(detect) > 1 else None,
        officer_hours=round(hours, 1),
        officer_hours_per_train=round(hours / ran, 2) if ran else 0.0,
        corridor_minutes_mean=round(statistics.fmean(corridor_minutes) + door_minutes * door_trains / ran, 1)
        if ran
        else 0.0,
        added_delay_minutes_per_train=round(door_minutes * door_trains / ran, 1) if ran else 0.0,
    )


COLUMNS = (
    ("policy", "policy"),
    ("missing", "missing passengers"),
    ("detect_median_minutes", "time to detect, median (min)"),
    ("detect_p90_minutes", "time to detect, p90 (min)"),
    ("officer_hours", "officer-hours"),
    ("officer_hours_per_train", "officer-hours per train"),
    ("added_delay_minutes_per_train", "added delay per train (min)"),
    ("corridor_minutes_mean", "mean time in corridor (min)"),
    ("trains", "trains"),
    ("admitted", "passengers admitted"),
)
