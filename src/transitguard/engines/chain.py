"""The ledger's hash chain, as pure functions shared by every store.

    body_hash = sha256(canonical JSON body)
    hash      = sha256("seq|event_id|body_hash|prev_hash"), prev_hash of row 1 = GENESIS

An edited body breaks body_hash; an edited hash, seq or id breaks hash; a deleted, inserted or
reordered row breaks the next row's prev_hash or the seq sequence; a truncated tail disagrees with
the head stored beside the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def link_hash(seq: int, event_id: str, body_digest: str, prev_hash: str) -> str:
    return hashlib.sha256(f"{seq}|{event_id}|{body_digest}|{prev_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainRow:
    seq: int
    event_id: str
    body: bytes
    body_hash: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: str
    reason: str

    def __str__(self) -> str:
        return f"row seq={self.seq} event_id={self.event_id}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head_seq: int
    head_hash: str
    problems: tuple[ChainProblem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(rows: Iterable[ChainRow], head: tuple[int, str] | None, limit: int = 100) -> ChainReport:
    """Walk the chain in seq order and name every row that does not fit."""
    problems: list[ChainProblem] = []
    expected_seq, prev, count = 1, GENESIS, 0
    last_seq, last_hash, last_id = 0, GENESIS, ""
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            what = "rows deleted before it" if row.seq > expected_seq else "out of order"
            problems.append(ChainProblem(row.seq, row.event_id, f"expected seq {expected_seq} ({what})"))
        if body_hash(row.body) != row.body_hash:
            problems.append(ChainProblem(row.seq, row.event_id, "body was edited (body hash does not match)"))
        if row.prev_hash != prev:
            problems.append(
                ChainProblem(
                    row.seq,
                    row.event_id,
                    "does not link to the row before it (a row was deleted, inserted or reordered)",
                )
            )
        if link_hash(row.seq, row.event_id, row.body_hash, row.prev_hash) != row.hash:
            problems.append(ChainProblem(row.seq, row.event_id, "row was edited (its hash does not match)"))
        prev, expected_seq = row.hash, row.seq + 1
        last_seq, last_hash, last_id = row.seq, row.hash, row.event_id
        if len(problems) >= limit:
            break
    if head is not None and (head[0], head[1]) != (last_seq, last_hash) and len(problems) < limit:
        problems.append(
            ChainProblem(
                last_seq,
                last_id,
                f"the ledger head records seq {head[0]}: rows after seq {last_seq} were deleted "
                "or the head edited",
            )
        )
    if head is None and count and len(problems) < limit:
        problems.append(ChainProblem(last_seq, last_id, "the ledger head row is missing"))
    return ChainReport(rows=count, head_seq=last_seq, head_hash=last_hash, problems=tuple(problems))
