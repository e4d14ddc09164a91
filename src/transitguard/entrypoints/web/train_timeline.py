"""What happened to one train, in the order it happened: the manifest, the crossings, the stops and
the passenger checks, read from the train's events in the ledger (the projections keep counts and
journeys, not the stops). The train page draws it as a timeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from transitguard.bootstrap import Application
from transitguard.domain.events import ManifestSubmitted, PassengerChecked, TrainCrossed, TrainStopped
from transitguard.domain.ledger import load_corridor_event


@dataclass(frozen=True)
class Moment:
    """One step on the timeline. `kind`: manifest, entry, exit, stop, unplanned_stop, checks."""

    at: datetime
    kind: str
    place: str
    ended_at: datetime | None = None
    admitted: int = 0
    refused: int = 0
    passengers: int = 0


def train_timeline(application: Application, train_key: str) -> list[Moment]:
    with application.store.writing() as session:
        bodies = session.corridor_bodies([train_key]).get(train_key, [])
    corridor = application.pack.corridor
    names = {c.code: c.name for c in corridor.checkpoints}
    moments: list[Moment] = []
    # Passenger checks are many: one step per checkpoint and movement, at the first check's time.
    checks: dict[tuple[str, str], Counter[str]] = {}
    first_check: dict[tuple[str, str], datetime] = {}
    for body in bodies:
        event = load_corridor_event(body)
        if isinstance(event, ManifestSubmitted):
            moments.append(Moment(event.occurred_at, "manifest", "", passengers=len(event.passengers)))
        elif isinstance(event, TrainCrossed):
            place = names.get(event.checkpoint, event.checkpoint)
            moments.append(Moment(event.occurred_at, event.movement, place))
        elif isinstance(event, TrainStopped):
            planned = event.place in corridor.planned_places
            moments.append(
                Moment(
                    event.started_at,
                    "stop" if planned else "unplanned_stop",
                    names.get(event.place, event.place),  # a stop at a checkpoint is named by its code
                    ended_at=event.ended_at,
                )
            )
        elif isinstance(event, PassengerChecked):
            key = (event.checkpoint, event.movement)
            checks.setdefault(key, Counter())[event.outcome] += 1
            if key not in first_check or event.occurred_at < first_check[key]:
                first_check[key] = event.occurred_at
    for (checkpoint, movement), outcomes in checks.items():
        moments.append(
            Moment(
                first_check[(checkpoint, movement)],
                f"checks_{movement}",
                names.get(checkpoint, checkpoint),
                admitted=outcomes["admitted"],
                refused=outcomes["refused"],
            )
        )
    return sorted(moments, key=lambda m: m.at)
