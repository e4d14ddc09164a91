"""Streaming the records of a large XML list with the line each element starts on.

ElementTree's iterparse cannot tell lines, so this drives the stdlib expat parser directly and builds
one small ElementTree per record (an INDIVIDUAL, an sdnEntry, a sanctionEntity): memory stays flat
however long the list is, and a problem can name the line a person would open the file at.

Tags and attribute names are local names: the namespace is dropped, so the OFAC list reads the same
in its old (tempuri.org) and new namespace. A document that declares entities is refused: no list
needs them, and refusing them closes the entity-expansion attacks ("billion laughs") outright.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from transitguard.adapters.lists.errors import ListFormatError

LINE = "{urn:transitguard}line"  # each element carries its line as this attribute
CHUNK = 1 << 16


def line_of(element: ET.Element) -> int:
    return int(element.get(LINE, "0"))


def _local(name: str) -> str:
    return name.rpartition("}")[2]


class XmlRecords:
    """Iterate to get the record elements, in file order. `root_tag`, `root_attrib` and `header` (the
    text of leaf elements outside records, by tag, e.g. OFAC's Publish_Date) are known once the
    iteration has reached them; all of them are complete when the iteration ends."""

    def __init__(self, path: Path, root_tags: frozenset[str], record_tags: frozenset[str]) -> None:
        self.path = path
        self.root_tags = root_tags
        self.record_tags = record_tags
        self.root_tag = ""
        self.root_attrib: dict[str, str] = {}
        self.header: dict[str, str] = {}

    def __iter__(self) -> Iterator[ET.Element]:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        stack: list[ET.Element] = []
        texts: list[list[str]] = []
        record_depth = 0  # depth of the record element in `stack`, 0 outside a record
        finished: list[ET.Element] = []
        source = str(self.path)

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal record_depth
            tag = _local(name)
            line = parser.CurrentLineNumber
            if not stack:
                if tag not in self.root_tags:
                    expected = " or ".join(f"<{t}>" for t in sorted(self.root_tags))
                    raise ListFormatError.at(
                        source, line, f"the root element is <{tag}>, expected {expected}"
                    )
                self.root_tag, self.root_attrib = tag, {_local(k): v for k, v in attrs.items()}
            element = ET.Element(tag, {_local(k): v for k, v in attrs.items()})
            element.set(LINE, str(line))
            if stack:
                if record_depth == 0 and tag in self.record_tags:
                    record_depth = len(stack) + 1
                else:
                    # Records never hang on the tree, so outside them it holds only the small header.
                    stack[-1].append(element)
            stack.append(element)
            texts.append([])

        def end(name: str) -> None:
            nonlocal record_depth
            element = stack.pop()
            text = "".join(texts.pop())
            element.text = text
            if record_depth and len(stack) + 1 == record_depth:
                record_depth = 0
                finished.append(element)
            elif not record_depth and len(element) == 0 and text.strip():
                self.header[element.tag] = text.strip()

        def data(text: str) -> None:
            if texts:
                texts[-1].append(text)

        def refuse_entities(name: str, *_: object) -> None:
            raise ListFormatError.at(
                source,
                parser.CurrentLineNumber,
                f"the document declares the entity {name!r}; lists have none",
            )

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data
        parser.EntityDeclHandler = refuse_entities
        with self.path.open("rb") as stream:
            while True:
                chunk = stream.read(CHUNK)
                try:
                    parser.Parse(chunk, not chunk)
                except expat.ExpatError as exc:
                    reason = f"malformed XML: {expat.ErrorString(exc.code)} (column {exc.offset + 1})"
                    raise ListFormatError.at(source, exc.lineno, reason) from None
                yield from finished
                finished.clear()
                if not chunk:
                    break
