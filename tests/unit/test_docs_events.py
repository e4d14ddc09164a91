"""docs/events.md documents every event type and every field, and its examples are accepted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from transitguard.adapters.formats.jsonl import ParsedLine, parse_line
from transitguard.domain.events import EVENT_TYPES, ManifestPassenger, TransitDocument, TravelDocument
from transitguard.rulepacks import RulePack

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `([a-z.]+)`$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields) - {"type"}


def test_every_event_type_is_documented_and_nothing_else() -> None:
    assert sorted(sections()) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_the_documented_example_is_accepted(event_type: str, pack: RulePack) -> None:
    examples = re.findall(r"```json event\n(.+?)\n```", sections()[event_type], flags=re.DOTALL)
    assert examples, f"{event_type} has no example"
    for example in examples:
        parsed = parse_line(example, "docs/events.md", 1, pack.corridor)
        assert isinstance(parsed, ParsedLine), str(parsed)
        assert parsed.entry.type == event_type


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_field_is_documented(event_type: str) -> None:
    section = sections()[event_type]
    common = DOC.read_text(encoding="utf-8").split("## `")[0]
    spans = re.findall(r"`([^`]+)`", section + common)
    documented = {word for span in spans for word in re.findall(r"[a-z_]+", span)}
    wanted = fields(EVENT_TYPES[event_type])
    if event_type == "manifest.submitted":
        wanted |= fields(ManifestPassenger) | fields(TravelDocument) | fields(TransitDocument) | {"type"}
    assert wanted - documented == set()
