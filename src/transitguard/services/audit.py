"""The audit trail: who did or saw what, when and why, as `audit.recorded` events in the ledger.

Audit records share the ledger's hash chain, so `transitguard ledger verify` proves them too: an
edited or deleted audit record breaks the chain like any other row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from transitguard.domain.accounts import Principal
from transitguard.domain.events import AuditRecorded, parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.services.ports import AccountStore, Store, WriteSession

AuditOutcome = Literal["done", "denied", "failed"]
DetailValue = str | int | float | bool | None


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    recorded_at: datetime
    event: AuditRecorded


class AuditTrail:
    def __init__(self, store: Store, accounts: AccountStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.accounts = accounts
        self.clock = clock

    def entry(
        self,
        who: Principal,
        action: str,
        *,
        subject: str | None = None,
        reason: str | None = None,
        outcome: AuditOutcome = "done",
        detail: dict[str, DetailValue] | None = None,
    ) -> LedgerEntry:
        body: dict[str, Any] = {
            "event_id": f"audit-{uuid.uuid4()}",
            "type": "audit.recorded",
            "occurred_at": self.clock().isoformat(),
            "actor": who.actor,
            "roles": list(who.roles),
            "action": action,
            "outcome": outcome,
        }
        if subject:
            body["subject"] = subject[:400]
        if reason:
            body["reason"] = reason[:2000]
        if detail:
            body["detail"] = detail
        return LedgerEntry.of(parse_event(body))

    def record(
        self,
        who: Principal,
        action: str,
        *,
        subject: str | None = None,
        reason: str | None = None,
        outcome: AuditOutcome = "done",
        detail: dict[str, DetailValue] | None = None,
        session: WriteSession | None = None,
    ) -> LedgerEntry:
        """Append one audit record. With `session`, inside that transaction: the record and what it
        records commit together or not at all."""
        entry = self.entry(who, action, subject=subject, reason=reason, outcome=outcome, detail=detail)
        if session is not None:
            session.append([entry], self.clock())
        else:
            with self.store.writing() as own:
                own.append([entry], self.clock())
        return entry

    def recent(
        self, *, limit: int = 100, before_seq: int | None = None, actor: str | None = None
    ) -> list[AuditRecord]:
        """Newest first. Filtering by actor reads further back, up to 20 pages of `limit`."""
        found: list[AuditRecord] = []
        cursor = before_seq
        for _ in range(20 if actor else 1):
            page = self.accounts.entries_of_type("audit.recorded", before_seq=cursor, limit=limit)
            for seq, at, entry in page:
                if isinstance(entry.event, AuditRecorded) and (actor is None or entry.event.actor == actor):
                    found.append(AuditRecord(seq, at, entry.event))
            if len(page) < limit or len(found) >= limit:
                break
            cursor = page[-1][0]
        return found[:limit]
