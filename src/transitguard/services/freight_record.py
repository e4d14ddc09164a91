"""Freight decisions in the ledger (`transitguard freight check --record`) and their projection, one
row per consignment line, which `transitguard export freight` writes out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from transitguard.domain.events import Event, FreightDecided, parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.domain.records import FreightLineRecord
from transitguard.services.ports import WriteSession


def records_of(event: FreightDecided) -> list[FreightLineRecord]:
    return [
        FreightLineRecord(
            event_id=event.event_id,
            line_no=number,
            consignment_id=event.consignment_id,
            date=event.date,
            mode=event.mode,
            direction=event.direction,
            consignment_decision=event.decision,
            cn_code=line.cn_code,
            decision=line.decision,
            rules=tuple(line.rules),
            net_mass_kg=line.net_mass_kg,
            value_eur=line.value_eur,
            rule_pack=event.rule_pack,
        )
        for number, line in enumerate(event.lines, start=1)
    ]


def apply_freight_decisions(session: WriteSession, events: Iterable[Event]) -> int:
    rows = [r for e in events if isinstance(e, FreightDecided) for r in records_of(e)]
    if rows:
        session.save_freight(rows)
    return len(rows)


def decision_events(consignments: Path, decisions: Path, rule_pack: str) -> list[LedgerEntry]:
    """The ledger entries for a checked file: each decision with its consignment's date, mode,
    direction and line masses and values. The event id holds a digest of the decision, so recording
    the same decisions again stores nothing, and a changed decision is a new event. The event occurs
    on the consignment's date (the date the rules were applied for); the ledger keeps when it was
    recorded."""
    inputs = [orjson.loads(line) for line in consignments.read_bytes().splitlines() if line.strip()]
    outputs = [orjson.loads(line) for line in decisions.read_bytes().splitlines() if line.strip()]
    entries = []
    for consignment, decision in zip(inputs, outputs, strict=True):
        body: dict[str, Any] = {
            "type": "freight.decided",
            "occurred_at": f"{consignment['date']}T00:00:00+00:00",
            "consignment_id": str(decision["id"]),
            "date": consignment["date"],
            "mode": consignment["mode"],
            "direction": consignment["direction"],
            "decision": decision["decision"],
            "rule_pack": rule_pack,
            "lines": [
                {
                    "cn_code": line["cn_code"],
                    "decision": line["decision"],
                    "rules": [r["rule"] for r in line["reasons"]],
                    "net_mass_kg": float(given["net_mass_kg"]),
                    "value_eur": float(given["value_eur"]),
                }
                for line, given in zip(decision["lines"], consignment["lines"], strict=True)
            ],
        }
        digest = hashlib.sha256(
            orjson.dumps({k: body[k] for k in sorted(body) if k != "occurred_at"})
        ).hexdigest()
        body["event_id"] = f"freight-{decision['id']}-{digest[:12]}"
        entries.append(LedgerEntry.of(parse_event(body)))
    return entries
