"""What every importer shares: an entry being read (EntityDraft), the list being read (ListCollector)
that gathers entries, warnings and problems, and the result (ListRead).

All or nothing: problems are collected while the file is read so that one run names them all, and
`ListCollector.finish` raises them together; a list with any problem gives no entities at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from transitguard.adapters.lists import countries
from transitguard.adapters.lists.errors import ListFormatError
from transitguard.domain.watchlists import (
    ListedDocument,
    ListedEntity,
    ListedName,
    NameKind,
    PartialDate,
    Sex,
)
from transitguard.errors import Problem

# A file this wrong is the wrong file: stop reading rather than list ten thousand problems.
MAX_PROBLEMS = 200

T = TypeVar("T")


@dataclass(frozen=True)
class ListRead:
    """The entries of one list file, what the importer had to say about it, the format it was read as
    and the list's own generation date when the file gives one."""

    entities: tuple[ListedEntity, ...]
    warnings: tuple[str, ...]
    format: str
    source_date: date | None


def clean(text: str | None) -> str:
    """Whitespace as a person reads it: runs of spaces and line breaks become one space."""
    return " ".join(text.split()) if text else ""


def unique(values: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(values))


@dataclass
class EntityDraft:
    """One entry while it is read; `build` makes the immutable ListedEntity. `line` is where the entry
    starts and `label` how messages name it (e.g. "INDIVIDUAL QDi.012")."""

    entity_id: str
    schema: str
    line: int
    label: str
    names: list[ListedName] = field(default_factory=list)
    birth_dates: list[PartialDate] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    sex: Sex | None = None
    documents: list[ListedDocument] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_on: date | None = None
    remarks: list[str] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_person(self) -> bool:
        return self.schema == "Person"

    def add_name(
        self,
        full: str | None,
        kind: NameKind = "primary",
        first: str | None = None,
        middle: str | None = None,
        last: str | None = None,
    ) -> None:
        """Adds a name; with no full name the parts make it ("first middle last"). Empty names are
        skipped here: an entry left with no name at all is the collector's problem to report."""
        first, middle, last = clean(first) or None, clean(middle) or None, clean(last) or None
        text = clean(full) or " ".join(p for p in (first, middle, last) if p)
        if text:
            self.names.append(ListedName(text, kind, first, middle, last))

    def add_document(self, number: str | None, kind: str | None = None, country: str | None = None) -> None:
        text = clean(number)
        if text:
            self.documents.append(ListedDocument(text, clean(kind) or None, country))

    def add_extra(self, key: str, value: str | None) -> None:
        text = clean(value)
        if text:
            self.extra.append((key, text))

    def build(self) -> ListedEntity:
        # The same name twice (a Latin alias repeating a primary name) is kept once, as the stronger kind.
        strength = {"primary": 0, "alias": 1, "weak": 2}
        best: dict[str, ListedName] = {}
        for name in self.names:
            kept = best.get(name.full)
            if kept is None or strength[name.kind] < strength[kept.kind]:
                best[name.full] = name
        return ListedEntity(
            entity_id=self.entity_id,
            schema=self.schema,
            names=tuple(best.values()),
            birth_dates=unique(self.birth_dates),
            nationalities=unique(self.nationalities),
            sex=self.sex,
            documents=unique(self.documents),
            programs=unique(p for p in (clean(p) for p in self.programs) if p),
            listed_on=self.listed_on,
            remarks="\n".join(unique(r for r in (clean(r) for r in self.remarks) if r)) or None,
            extra=unique(self.extra),
        )


class ListCollector:
    """Gathers the entries of one file, its warnings and its problems."""

    def __init__(self, path: Path, format_name: str) -> None:
        self.source = str(path)
        self.format = format_name
        self.warnings: list[str] = []
        self.problems: list[Problem] = []
        self._drafts: dict[str, EntityDraft] = {}
        self._countries: dict[str, str | None] = {}  # a list names the same few countries thousands of times

    def problem(self, line: int, field: str, reason: str) -> None:
        self.problems.append(Problem(self.source, line, field, reason))
        if len(self.problems) >= MAX_PROBLEMS:
            self.problems.append(Problem(self.source, line, "", f"stopped after {MAX_PROBLEMS} problems"))
            raise ListFormatError(self.problems)

    def warn(self, line: int, text: str) -> None:
        self.warnings.append(f"{self.source}:{line}: {text}")

    def country(self, value: str | None, draft: EntityDraft, what: str, *, keep_unknown: bool) -> str | None:
        """The alpha-3 of a code or name; an unknown one is a warning and, with `keep_unknown`, is kept
        upper-cased (a code the table does not know is still a code), otherwise left out. Words that say
        there is no country ("na", "None Identified") give None without a warning."""
        text = clean(value)
        if not text or text.casefold() in countries.NOT_A_COUNTRY:
            return None
        if text not in self._countries:
            self._countries[text] = countries.alpha3(text)
        found = self._countries[text]
        if found is not None:
            return found
        if keep_unknown:
            self.warn(
                draft.line, f"{draft.label}: unknown country {text!r} in {what}, kept as {text.upper()}"
            )
            return text.upper()
        self.warn(draft.line, f"{draft.label}: unknown country {text!r} in {what}, left out")
        draft.add_extra(f"{what.replace(' ', '_')}_text", text)
        return None

    def add(self, draft: EntityDraft) -> None:
        if not any(name.full for name in draft.names):
            self.problem(draft.line, draft.label, "the entry has no name")
            return
        earlier = self._drafts.get(draft.entity_id)
        if earlier is not None:
            self.problem(
                draft.line, draft.label, f"duplicate id {draft.entity_id} (first at line {earlier.line})"
            )
            return
        self._drafts[draft.entity_id] = draft

    def get(self, entity_id: str) -> EntityDraft | None:
        return self._drafts.get(entity_id)

    def raise_problems(self) -> None:
        if self.problems:
            raise ListFormatError(self.problems)

    def finish(self, source_date: date | None = None) -> ListRead:
        self.raise_problems()
        if not self._drafts:
            # Not an error (a list can be emptied), but loading it would unlist everyone: say so.
            self.warnings.append(f"{self.source}: the file has no entries")
        entities = tuple(draft.build() for draft in self._drafts.values())
        return ListRead(entities, tuple(self.warnings), self.format, source_date)
