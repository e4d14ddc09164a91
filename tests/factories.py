"""Small named builders for corridor events (dicts as a feed would send them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

SERVICE_DATE = "2023-05-01"
T0 = datetime.fromisoformat("2023-05-01T08:00:00+03:00")


def train(
    number: str = "29", service_date: str = SERVICE_DATE, direction: str = "to_kaliningrad"
) -> dict[str, str]:
    return {"number": number, "service_date": service_date, "direction": direction}


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def passenger(
    ref: str,
    *,
    kind: str = "FRTD",
    number: str | None = None,
    valid_from: str = "2023-04-20",
    valid_until: str = "2023-07-19",
    passport: str | None = None,
    expires: str = "2030-01-01",
    surname: str = "IVANOV",
    given: str = "ANDREI SERGEEVICH",
    nationality: str = "RUS",
) -> dict[str, Any]:
    transit: dict[str, Any] = {"kind": kind}
    if kind in ("FRTD", "FTD") or number:
        transit.update(
            {"number": number or f"LTU{ref}", "valid_from": valid_from, "valid_until": valid_until}
        )
    return {
        "ref": ref,
        "surname": surname,
        "given_names": given,
        "birth_date": "1985-03-12",
        "sex": "M",
        "nationality": nationality,
        "travel_document": {
            "type": "P",
            "number": passport or f"75{int(ref):07d}" if ref.isdigit() else passport or f"75{ref}",
            "issuing_state": nationality,
            "expires": expires,
        },
        "transit_document": transit,
    }


def manifest(
    event_id: str, passengers: list[dict[str, Any]], minutes: float = -240, **train_args: str
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "manifest.submitted",
        "occurred_at": at(minutes),
        "train": train(**train_args),
        "passengers": passengers,
    }


def crossed(
    event_id: str, movement: str, minutes: float, checkpoint: str | None = None, **train_args: str
) -> dict[str, Any]:
    t = train(**train_args)
    entry, exit_ = (
        ("LT-KENA", "LT-KYBARTAI") if t["direction"] == "to_kaliningrad" else ("LT-KYBARTAI", "LT-KENA")
    )
    return {
        "event_id": event_id,
        "type": "train.crossed",
        "occurred_at": at(minutes),
        "train": t,
        "checkpoint": checkpoint or (entry if movement == "entry" else exit_),
        "movement": movement,
    }


def checked(
    event_id: str,
    ref: str | None,
    movement: str,
    minutes: float,
    outcome: str = "admitted",
    document: dict[str, str] | None = None,
    **train_args: str,
) -> dict[str, Any]:
    t = train(**train_args)
    entry, exit_ = (
        ("LT-KENA", "LT-KYBARTAI") if t["direction"] == "to_kaliningrad" else ("LT-KYBARTAI", "LT-KENA")
    )
    event: dict[str, Any] = {
        "event_id": event_id,
        "type": "passenger.checked",
        "occurred_at": at(minutes),
        "train": t,
        "checkpoint": entry if movement == "entry" else exit_,
        "movement": movement,
        "outcome": outcome,
    }
    if ref is not None:
        event["passenger_ref"] = ref
    if document is not None:
        event["travel_document"] = document
    return event


def stopped(
    event_id: str, place: str, minutes: float, duration: float | None = 10, **train_args: str
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": event_id,
        "type": "train.stopped",
        "occurred_at": at(minutes),
        "train": train(**train_args),
        "place": place,
        "started_at": at(minutes),
    }
    if duration is not None:
        event["ended_at"] = at(minutes + duration)
    return event


def simple_train(
    n: int = 3, missing: tuple[str, ...] = (), prefix: str = "e", **train_args: str
) -> list[dict[str, Any]]:
    """A train of n FRTD passengers that enters, checks everyone in and out (but `missing`), exits."""
    refs = [str(i + 1) for i in range(n)]
    events = [
        manifest(f"{prefix}-m", [passenger(r) for r in refs], **train_args),
        crossed(f"{prefix}-in", "entry", 0, **train_args),
    ]
    events += [checked(f"{prefix}-ci-{r}", r, "entry", 10, **train_args) for r in refs]
    events += [checked(f"{prefix}-co-{r}", r, "exit", 170, **train_args) for r in refs if r not in missing]
    events.append(crossed(f"{prefix}-out", "exit", 180, **train_args))
    return events


def day(value: str) -> date:
    return date.fromisoformat(value)


def traffic(trains: int, passengers: int, tag: str = "t", missing_every: int = 50) -> list[dict[str, Any]]:
    """Many distinct trains (one a day per number), unique ids and passports, some passengers missing."""
    events: list[dict[str, Any]] = []
    numbers = [
        ("29", "to_kaliningrad"),
        ("30", "from_kaliningrad"),
        ("79", "to_kaliningrad"),
        ("80", "from_kaliningrad"),
    ]
    for index in range(trains):
        number, direction = numbers[index % len(numbers)]
        service_day = (date(2023, 5, 1) + timedelta(days=index // len(numbers))).isoformat()
        args = {"number": number, "service_date": service_day, "direction": direction}
        base = (index // len(numbers)) * 1440 + (index % len(numbers)) * 200
        refs = [str(i + 1) for i in range(passengers)]
        people = [passenger(r, passport=f"{tag}{index:04d}{int(r):04d}") for r in refs]
        prefix = f"{tag}{index}"
        events.append(manifest(f"{prefix}-m", people, minutes=base - 240, **args))
        events.append(crossed(f"{prefix}-in", "entry", base, **args))
        events += [checked(f"{prefix}-ci-{r}", r, "entry", base + 10, **args) for r in refs]
        events += [
            checked(f"{prefix}-co-{r}", r, "exit", base + 170, **args) for r in refs if int(r) % missing_every
        ]
        events.append(crossed(f"{prefix}-out", "exit", base + 180, **args))
    return events


def write_jsonl(path: Any, events: list[dict[str, Any]]) -> None:
    import orjson

    with open(path, "wb") as handle:
        for event in events:
            handle.write(orjson.dumps(event) + b"\n")
