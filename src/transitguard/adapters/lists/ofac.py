"""OFAC SDN list, legacy CSV: `sdn.csv` with its companions `alt.csv` (alternate names) and
`sdn_comments.csv` (the rest of remarks too long for sdn.csv), found in the same folder.

sdn.csv has no header; its columns are SDN_COLUMNS. "-0-" means empty. Latin-1. The file ends with a
Ctrl-Z line. entity_id is "ofac-" + ent_num. The strong aliases are in alt.csv; the weak ones are in
the remarks ("a.k.a. 'ABU ALI'"), as are dates of birth, nationalities and documents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from transitguard.adapters.lists.draft import EntityDraft, ListCollector, ListRead, clean
from transitguard.adapters.lists.errors import ListFormatError
from transitguard.adapters.lists.ofac_remarks import read_remarks, split_name

FORMAT = "ofac-csv"
ENCODING = "latin-1"
EMPTY = "-0-"
END_OF_FILE = "\x1a"
SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
COMMENT_COLUMNS = ("ent_num", "Remarks_Extended")
SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization"}
ALT_TYPES = frozenset({"aka", "fka", "nka"})
VESSEL_EXTRA = (("call_sign", 5), ("vessel_type", 6), ("tonnage", 7), ("grt", 8), ("vessel_owner", 10))


def _rows(path: Path, collector: ListCollector, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; "-0-" cells come back empty."""
    text = path.read_bytes().decode(ENCODING)  # every byte is a Latin-1 character: this cannot fail
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    try:
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            cells = [cell.strip() for cell in row]
            if len(cells) != len(columns):
                if any(cell.strip(END_OF_FILE) for cell in cells):
                    named = ", ".join(columns)
                    collector.problem(
                        line, "", f"expected {len(columns)} columns ({named}), found {len(cells)}"
                    )
                continue
            yield line, ["" if cell == EMPTY else cell for cell in cells]
    except csv.Error as exc:
        raise ListFormatError.at(str(path), reader.line_num, f"not CSV: {exc}") from None


def companion(path: Path, word: str) -> Path | None:
    """The file next to `path` whose name has `word` in it ("alt", "comments"): the one named like
    `path` with "sdn" replaced, else the only one. Several candidates and no such name is an error."""
    named = path.with_name(path.name.lower().replace("sdn", word, 1))
    if named != path and named.exists():
        return named
    candidates = sorted(p for p in path.parent.glob("*.csv") if word in p.name.lower() and p != path)
    if len(candidates) > 1:
        listed = ", ".join(p.name for p in candidates)
        reason = f"several {word} files next to it ({listed}); name the one to use"
        raise ListFormatError.at(str(path), 0, reason)
    return candidates[0] if candidates else None


def read_ofac_csv(path: Path, alt_path: Path | None = None, comments_path: Path | None = None) -> ListRead:
    """Reads sdn.csv; `alt_path` and `comments_path` default to the companions found next to it."""
    alt_path = alt_path or companion(path, "alt")
    comments_path = comments_path or companion(path, "comments")
    collector = ListCollector(path, FORMAT)
    comments = _comments(comments_path) if comments_path else {}
    for line, cells in _rows(path, collector, SDN_COLUMNS):
        _read_sdn(line, cells, comments, collector)
    if alt_path is not None:
        _read_alt(alt_path, collector)
    return collector.finish()


def _comments(path: Path) -> dict[str, str]:
    collector = ListCollector(path, FORMAT)
    comments = {cells[0]: cells[1] for _, cells in _rows(path, collector, COMMENT_COLUMNS)}
    collector.raise_problems()  # the companion's own problems, naming that file
    return comments


def _read_sdn(line: int, cells: list[str], comments: dict[str, str], collector: ListCollector) -> None:
    number, name, sdn_type, program, title = cells[:5]
    remarks = cells[11] + comments.get(number, "")
    if not number.isdigit():
        collector.problem(line, "ent_num", f"{number!r} is not a number")
        return
    schema = SCHEMAS.get(sdn_type.casefold())
    if schema is None:
        collector.problem(line, "SDN_Type", f"{sdn_type!r} is not individual, vessel, aircraft or -0-")
        return
    draft = EntityDraft(f"ofac-{number}", schema, line, f"ent_num {number}")
    first, last = split_name(name) if schema == "Person" else (None, None)
    draft.add_name(name, "primary", first, None, last)
    draft.programs += [p.strip("[] ") for p in program.split("] [")]
    draft.add_extra("title", title)
    if schema == "Vessel":
        for key, column in VESSEL_EXTRA:
            draft.add_extra(key, cells[column])
        flag = collector.country(cells[9], draft, "Vess_flag", keep_unknown=False)
        if flag:
            draft.nationalities.append(flag)
    draft.remarks.append(remarks)
    _apply_remarks(remarks, draft, collector)
    collector.add(draft)


def _apply_remarks(remarks: str, draft: EntityDraft, collector: ListCollector) -> None:
    facts = read_remarks(remarks)
    for text in facts.impossible:
        collector.problem(draft.line, "Remarks", text)
    for text in facts.unread:
        collector.warn(draft.line, f"{draft.label}: {text!r} is not a date of birth OFAC writes, left out")
    draft.birth_dates += facts.birth_dates
    for place in facts.birth_places:
        draft.add_extra("birth_place", place)
    for country_text in facts.countries:
        country = collector.country(country_text, draft, "nationality", keep_unknown=False)
        if country:
            draft.nationalities.append(country)
    draft.sex = facts.sex
    for kind, number, issuer in facts.documents:
        draft.add_document(
            number, kind, collector.country(issuer, draft, "document country", keep_unknown=False)
        )
    for alias in facts.weak_aliases:
        first, last = split_name(alias) if draft.is_person else (None, None)
        draft.add_name(alias, "weak", first, None, last)


def _read_alt(path: Path, sdn: ListCollector) -> None:
    collector = ListCollector(path, FORMAT)
    for line, cells in _rows(path, collector, ALT_COLUMNS):
        number, _, alt_type, name, alt_remarks = cells
        draft = sdn.get(f"ofac-{number}")
        if draft is None:
            collector.warn(
                line, f"alternate name {name!r} is for ent_num {number}, which sdn.csv does not list"
            )
            continue
        if alt_type.casefold() not in ALT_TYPES:
            collector.problem(line, "alt_type", f"{alt_type!r} is not aka, fka or nka")
            continue
        first, last = split_name(name) if draft.is_person else (None, None)
        draft.add_name(name, "weak" if "weak" in alt_remarks.casefold() else "alias", first, None, last)
        if not clean(name):
            collector.problem(line, "alt_name", "empty")
    collector.raise_problems()
    sdn.warnings += collector.warnings
