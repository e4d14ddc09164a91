"""transitguard's own CSV for national lists (documented, with an example a test imports, in
docs/watchlists.md): UTF-8, a header row naming exactly COLUMNS in any order, one entry a row,
multi-valued cells separated by ";", documents written TYPE:NUMBER:COUNTRY.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from transitguard.adapters.lists.dates import iso_day
from transitguard.adapters.lists.draft import EntityDraft, ListCollector, ListRead, clean
from transitguard.adapters.lists.errors import ListFormatError
from transitguard.domain.watchlists import PartialDate

FORMAT = "csv"
COLUMNS = (
    "entity_id",
    "schema",
    "name",
    "aliases",
    "first_name",
    "patronymic",
    "last_name",
    "birth_dates",
    "nationalities",
    "sex",
    "documents",
    "programs",
    "listed_on",
    "remarks",
)
SCHEMAS = ("Person", "Organization", "Company", "LegalEntity", "PublicBody", "Vessel", "Airplane")
SEPARATOR = ";"


def _values(cell: str) -> list[str]:
    return [value for value in (clean(v) for v in cell.split(SEPARATOR)) if value]


def read_national_csv(path: Path) -> ListRead:
    collector = ListCollector(path, FORMAT)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ListFormatError.at(str(path), line, f"not UTF-8 (byte 0x{raw[exc.start]:02x})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [clean(name) for name in next(reader, [])]
        _check_header(header, collector)
        previous_end = reader.line_num
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                collector.problem(
                    line, "", f"expected {len(header)} cells as in the header, found {len(row)}"
                )
                continue
            _read_row(dict(zip(header, (cell.strip() for cell in row), strict=True)), line, collector)
    except csv.Error as exc:
        raise ListFormatError.at(str(path), reader.line_num, f"not CSV: {exc}") from None
    return collector.finish()


def _check_header(header: list[str], collector: ListCollector) -> None:
    if not header:
        raise ListFormatError.at(
            collector.source, 1, f"no header row; it names the columns {', '.join(COLUMNS)}"
        )
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    repeated = sorted({name for name in header if header.count(name) > 1})
    for names, what in ((missing, "missing"), (unknown, "unknown"), (repeated, "repeated")):
        if names:
            collector.problem(1, "header", f"{what} column(s): {', '.join(names)}")
    collector.raise_problems()  # rows cannot be read against a wrong header


def _read_row(row: dict[str, str], line: int, collector: ListCollector) -> None:
    entity_id, schema = row["entity_id"], row["schema"]
    if not entity_id:
        collector.problem(line, "entity_id", "required")
        return
    if schema not in SCHEMAS:
        collector.problem(line, "schema", f"{schema!r} is not one of {', '.join(SCHEMAS)}")
        return
    draft = EntityDraft(entity_id, schema, line, f"entity_id {entity_id}")
    draft.add_name(row["name"], "primary", row["first_name"], row["patronymic"], row["last_name"])
    for alias in _values(row["aliases"]):
        draft.add_name(alias, "alias")
    for text in _values(row["birth_dates"]):
        try:
            draft.birth_dates.append(PartialDate.parse(text))
        except ValueError as exc:
            collector.problem(line, "birth_dates", str(exc))
    for text in _values(row["nationalities"]):
        country = collector.country(text, draft, "nationalities", keep_unknown=True)
        if country:
            draft.nationalities.append(country)
    if row["sex"] in ("M", "F"):
        draft.sex = "M" if row["sex"] == "M" else "F"
    elif row["sex"]:
        collector.problem(line, "sex", f"{row['sex']!r} is not M, F or empty")
    for text in _values(row["documents"]):
        parts = [clean(part) for part in text.split(":")]
        if len(parts) != 3 or not parts[1]:
            collector.problem(
                line, "documents", f"{text!r} is not TYPE:NUMBER:COUNTRY (TYPE and COUNTRY may be empty)"
            )
            continue
        country = collector.country(parts[2], draft, "documents", keep_unknown=True)
        draft.add_document(parts[1], parts[0], country)
    draft.programs += _values(row["programs"])
    if row["listed_on"]:
        try:
            if len(row["listed_on"]) != len("YYYY-MM-DD"):
                raise ValueError(f"{row['listed_on']!r} is not a date in the form YYYY-MM-DD")
            draft.listed_on = iso_day(row["listed_on"])
        except ValueError as exc:
            collector.problem(line, "listed_on", str(exc))
    draft.remarks.append(row["remarks"])
    collector.add(draft)
