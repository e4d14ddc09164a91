"""Earlier violations in the corridor, as the FRTD decision needs them: from the alerts' outcomes."""

from __future__ import annotations

from collections import defaultdict

from transitguard.services.ports import AlertFilter, Store

# An alert's type and outcome → the kind of violation engines/frtd.py weighs.
_KINDS = {
    ("PASSENGER_MISSING", "absconded"): "absconded",
    ("TRANSIT_TIME_EXCEEDED", "absconded"): "absconded",
}


def violations_on_record(store: Store) -> dict[str, list[str]]:
    """Travel document key (`RUS:751234567`) → violations confirmed on resolved alerts."""
    found: dict[str, list[str]] = defaultdict(list)
    for alert in store.alerts(AlertFilter(status="resolved")):
        kind = _KINDS.get((alert.type, alert.outcome or ""))
        if kind is not None and alert.document_key:
            found[alert.document_key].append(kind)
    return dict(found)
