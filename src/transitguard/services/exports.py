"""Exports of the projections an analyst works with: journeys, alerts, screening hits and recorded
freight decisions, as CSV or Parquet, with fixed, documented columns (docs/exports.md; a test keeps the
two in step).

CSV is written first (UTF-8, a header row, RFC 4180 quoting); Parquet is converted from it by DuckDB
with the column types below, so both formats carry the same values. The file is written under a
temporary name and renamed at the end: an interrupted export leaves no half file behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from transitguard.domain.records import Alert, FreightLineRecord, Journey
from transitguard.domain.watchlists import Hit
from transitguard.errors import InputError
from transitguard.services.ports import AlertFilter, HitFilter, JourneyFilter, Store

ExportFormat = Literal["csv", "parquet"]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type in the Parquet file
    meaning: str


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


JOURNEY_COLUMNS: tuple[tuple[Column, Callable[[Journey], Any]], ...] = (
    (Column("journey_id", "VARCHAR", "stable id of the journey"), lambda j: j.journey_id),
    (Column("train_key", "VARCHAR", "NUMBER/SERVICE_DATE/DIRECTION"), lambda j: j.train.key),
    (Column("train_number", "VARCHAR", "train number"), lambda j: j.train.number),
    (Column("service_date", "DATE", "the train's service date"), lambda j: _iso(j.train.service_date)),
    (Column("direction", "VARCHAR", "to_kaliningrad or from_kaliningrad"), lambda j: j.train.direction),
    (Column("passenger_ref", "VARCHAR", "the manifest's reference"), lambda j: j.passenger_ref),
    (Column("on_manifest", "BOOLEAN", "named on the train's manifest"), lambda j: j.on_manifest),
    (
        Column("status", "VARCHAR", "expected, in_corridor, completed, missing, refused, held, no_show"),
        lambda j: j.status,
    ),
    (Column("surname", "VARCHAR", "as on the manifest"), lambda j: j.surname),
    (Column("given_names", "VARCHAR", "as on the manifest"), lambda j: j.given_names),
    (Column("birth_date", "DATE", "date of birth"), lambda j: _iso(j.birth_date)),
    (Column("sex", "VARCHAR", "M, F or X"), lambda j: j.sex),
    (Column("nationality", "VARCHAR", "ISO 3166-1 alpha-3"), lambda j: j.nationality),
    (
        Column("document_key", "VARCHAR", "issuing state:number of the travel document"),
        lambda j: j.document_key,
    ),
    (
        Column("transit_kind", "VARCHAR", "FRTD, FTD, visa, residence permit, EU citizen"),
        lambda j: j.transit_kind,
    ),
    (Column("transit_number", "VARCHAR", "the transit document's number"), lambda j: j.transit_number),
    (Column("entered_at", "TIMESTAMPTZ", "checked in at the entry checkpoint"), lambda j: _iso(j.entered_at)),
    (Column("entry_checkpoint", "VARCHAR", "LT-KENA or LT-KYBARTAI"), lambda j: j.entry_checkpoint),
    (Column("exited_at", "TIMESTAMPTZ", "checked out at the exit checkpoint"), lambda j: _iso(j.exited_at)),
    (Column("exit_checkpoint", "VARCHAR", "LT-KENA or LT-KYBARTAI"), lambda j: j.exit_checkpoint),
    (
        Column("deadline", "TIMESTAMPTZ", "when the transit document's time runs out"),
        lambda j: _iso(j.deadline),
    ),
)

ALERT_COLUMNS: tuple[tuple[Column, Callable[[Alert], Any]], ...] = (
    (Column("alert_id", "VARCHAR", "stable id of the alert"), lambda a: a.alert_id),
    (
        Column("type", "VARCHAR", "PASSENGER_MISSING, TRANSIT_TIME_EXCEEDED, ..., WATCHLIST_HIT"),
        lambda a: a.type,
    ),
    (Column("severity", "VARCHAR", "low, medium, high, critical"), lambda a: a.severity),
    (Column("status", "VARCHAR", "open, acknowledged, resolved"), lambda a: a.status),
    (Column("outcome", "VARCHAR", "the resolution, e.g. found_on_train, absconded"), lambda a: a.outcome),
    (Column("train_key", "VARCHAR", "NUMBER/SERVICE_DATE/DIRECTION"), lambda a: a.train.key),
    (Column("service_date", "DATE", "the train's service date"), lambda a: _iso(a.train.service_date)),
    (
        Column("passenger_ref", "VARCHAR", "the manifest's reference, where one applies"),
        lambda a: a.passenger_ref,
    ),
    (Column("document_key", "VARCHAR", "the travel document, where one applies"), lambda a: a.document_key),
    (Column("raised_at", "TIMESTAMPTZ", "when the condition arose"), lambda a: _iso(a.raised_at)),
    (Column("message", "VARCHAR", "what a shift lead reads"), lambda a: a.message),
    (
        Column("evidence", "VARCHAR", "JSON array of the ledger event ids behind it"),
        lambda a: orjson.dumps(list(a.evidence)).decode(),
    ),
    (Column("updated_by", "VARCHAR", "who last moved it in its workflow"), lambda a: a.updated_by),
)

HIT_COLUMNS: tuple[tuple[Column, Callable[[Hit], Any]], ...] = (
    (Column("hit_id", "VARCHAR", "stable id of the hit"), lambda h: h.hit_id),
    (Column("watchlist", "VARCHAR", "the list's name"), lambda h: h.watchlist),
    (Column("version", "VARCHAR", "the list version that matched"), lambda h: h.version),
    (Column("entity_id", "VARCHAR", "the listed entry"), lambda h: h.entity_id),
    (Column("caption", "VARCHAR", "the entry's main name"), lambda h: h.caption),
    (Column("name", "VARCHAR", "the name screened"), lambda h: h.name),
    (Column("subject", "VARCHAR", "who was screened (doc:STATE:NUMBER or journey:ID)"), lambda h: h.subject),
    (Column("train_key", "VARCHAR", "the train, where there is one"), lambda h: h.train_key),
    (Column("score", "DOUBLE", "the engine's score, 0 to 1"), lambda h: h.score),
    (Column("status", "VARCHAR", "open, confirmed, false_positive"), lambda h: h.status),
    (Column("reviewed_by", "VARCHAR", "who reviewed it"), lambda h: h.reviewed_by),
    (Column("raised_at", "TIMESTAMPTZ", "when it was raised"), lambda h: _iso(h.raised_at)),
    (Column("explanation", "VARCHAR", "why the engine matched"), lambda h: h.explanation),
)

FREIGHT_COLUMNS: tuple[tuple[Column, Callable[[FreightLineRecord], Any]], ...] = (
    (Column("consignment_id", "VARCHAR", "the declaration's id"), lambda r: r.consignment_id),
    (Column("line_no", "INTEGER", "the line's position in the consignment, from 1"), lambda r: r.line_no),
    (Column("date", "DATE", "the date the rules were applied for"), lambda r: _iso(r.date)),
    (Column("mode", "VARCHAR", "rail or road"), lambda r: r.mode),
    (Column("direction", "VARCHAR", "to_kaliningrad or from_kaliningrad"), lambda r: r.direction),
    (
        Column("consignment_decision", "VARCHAR", "ALLOW, DENY or HOLD for the whole consignment"),
        lambda r: r.consignment_decision,
    ),
    (Column("cn_code", "VARCHAR", "the line's CN code, digits only"), lambda r: r.cn_code),
    (Column("decision", "VARCHAR", "ALLOW, DENY or HOLD for the line"), lambda r: r.decision),
    (
        Column("rules", "VARCHAR", "JSON array of the rule ids behind the line's decision"),
        lambda r: orjson.dumps(list(r.rules)).decode(),
    ),
    (Column("net_mass_kg", "DOUBLE", "net mass declared"), lambda r: r.net_mass_kg),
    (Column("value_eur", "DOUBLE", "value declared"), lambda r: r.value_eur),
    (Column("rule_pack", "VARCHAR", "the goods rule pack and version that decided"), lambda r: r.rule_pack),
    (Column("event_id", "VARCHAR", "the freight.decided event in the ledger"), lambda r: r.event_id),
)

KINDS: dict[str, tuple[tuple[Column, Callable[[Any], Any]], ...]] = {
    "journeys": JOURNEY_COLUMNS,
    "alerts": ALERT_COLUMNS,
    "hits": HIT_COLUMNS,
    "freight": FREIGHT_COLUMNS,
}


def rows_of(store: Store, kind: str) -> Iterable[Any]:
    if kind == "journeys":
        return store.journeys(JourneyFilter())
    if kind == "alerts":
        return store.alerts(AlertFilter())
    if kind == "hits":
        return store.hits(HitFilter())
    if kind == "freight":
        return store.freight_decisions()
    raise InputError(f"cannot export {kind!r}: choose one of {', '.join(KINDS)}")


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _write_csv(
    path: Path, columns: Sequence[tuple[Column, Callable[[Any], Any]]], records: Iterable[Any]
) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c, _ in columns])
        for record in records:
            writer.writerow([_csv_value(get(record)) for _, get in columns])
            count += 1
    return count


def export(store: Store, kind: str, fmt: ExportFormat, output: Path) -> int:
    """Write every row of `kind` to `output`; returns how many."""
    columns = KINDS.get(kind)
    if columns is None:
        raise InputError(f"cannot export {kind!r}: choose one of {', '.join(KINDS)}")
    directory = output.parent if str(output.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".csv")
    os.close(descriptor)
    staged = Path(temporary)
    try:
        count = _write_csv(staged, columns, rows_of(store, kind))
        if fmt == "csv":
            os.replace(staged, output)
            return count
        _to_parquet(staged, output, [c for c, _ in columns])
        return count
    finally:
        staged.unlink(missing_ok=True)


def _to_parquet(source: Path, output: Path, columns: Sequence[Column]) -> None:
    import duckdb  # imported here: only Parquet needs it, and it is the heaviest import we have

    descriptor, temporary = tempfile.mkstemp(
        dir=output.parent if str(output.parent) else ".", suffix=".parquet"
    )
    os.close(descriptor)
    try:
        types = ", ".join(f"'{c.name}': '{c.type}'" for c in columns)
        with duckdb.connect() as connection:
            # COPY takes no bound parameters; the paths are ours (temporary files), quoted all the same.
            connection.execute(
                f"COPY (SELECT * FROM read_csv({_quote(source)}, header = true, columns = {{{types}}}, "
                f"nullstr = '')) TO {_quote(Path(temporary))} (FORMAT parquet)"
            )
        os.replace(temporary, output)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
