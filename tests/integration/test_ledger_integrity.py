"""`ledger verify` finds any edited, deleted or reordered row, on SQLite and PostgreSQL, and names it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from factories import T0, simple_train
from transitguard.adapters.store.sql import SqlStore
from transitguard.domain.events import parse_event
from transitguard.domain.ledger import LedgerEntry
from transitguard.rulepacks import RulePack
from transitguard.services.corridor import CorridorService


@pytest.fixture
def filled(sql_store: SqlStore, pack: RulePack) -> SqlStore:
    service = CorridorService(sql_store, pack, lambda: T0 + timedelta(days=1))
    service.apply_batch([LedgerEntry.of(parse_event(e)) for e in simple_train(3)])
    assert sql_store.verify_ledger().intact
    return sql_store


def tamper(store: SqlStore, *statements: str) -> None:
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def problems(store: SqlStore) -> list[tuple[int, str, str]]:
    return [(p.seq, p.event_id, p.reason) for p in store.verify_ledger().problems]


def test_an_edited_body_is_named(filled: SqlStore) -> None:
    tamper(filled, "UPDATE ledger SET body = replace(body, 'admitted', 'refused') WHERE seq = 4")
    assert problems(filled) == [(4, "e-ci-2", "body was edited (body hash does not match)")]


def test_an_edited_body_with_its_body_hash_recomputed_still_breaks_the_row_hash(filled: SqlStore) -> None:
    import hashlib

    with filled.engine.begin() as conn:
        body = conn.execute(text("SELECT body FROM ledger WHERE seq = 4")).scalar_one()
        forged = body.replace("admitted", "refused")
        digest = hashlib.sha256(forged.encode()).hexdigest()
        conn.execute(
            text("UPDATE ledger SET body = :b, body_hash = :h WHERE seq = 4"), {"b": forged, "h": digest}
        )
    assert [(s, e) for s, e, _ in problems(filled)] == [(4, "e-ci-2")]
    assert "its hash does not match" in problems(filled)[0][2]


def test_a_deleted_row_is_named_by_the_row_after_it(filled: SqlStore) -> None:
    tamper(filled, "DELETE FROM ledger WHERE seq = 3")
    found = problems(filled)
    assert found[0][:2] == (4, "e-ci-2")
    assert "expected seq 3" in found[0][2]
    assert any("does not link" in reason for _, _, reason in found)


def test_reordered_rows_are_named(filled: SqlStore) -> None:
    tamper(
        filled,
        "UPDATE ledger SET seq = -1 WHERE seq = 3",
        "UPDATE ledger SET seq = 3 WHERE seq = 4",
        "UPDATE ledger SET seq = 4 WHERE seq = -1",
    )
    named = {(seq, event_id) for seq, event_id, _ in problems(filled)}
    assert (3, "e-ci-2") in named
    assert (4, "e-ci-1") in named


def test_a_truncated_tail_disagrees_with_the_head(filled: SqlStore) -> None:
    tamper(filled, "DELETE FROM ledger WHERE seq >= 6")
    ((seq, event_id, reason),) = problems(filled)
    assert (seq, event_id) == (5, "e-ci-3")
    assert "rows after seq 5 were deleted" in reason
