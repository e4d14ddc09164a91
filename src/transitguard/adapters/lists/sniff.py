"""Which list format a file is, from its first few kilobytes (its name is not trusted: lists are
downloaded under all sorts of names)."""

from __future__ import annotations

import re
from pathlib import Path

from transitguard.adapters.lists.errors import ListFormatError

HEAD_BYTES = 8192
# The XML root element (after the declaration, comments and a DOCTYPE) and its namespace, if any.
_ROOT = re.compile(
    r"^(?:\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>))*\s*<(?:[\w.-]+:)?([\w.-]+)([^>]*)>", re.DOTALL
)
_XML_FORMATS = {"CONSOLIDATED_LIST": "un", "sdnList": "ofac-xml", "export": "eu"}
_OFAC_CSV_ROW = re.compile(r'^\d+,"')


def sniff_format(path: Path) -> str:
    """One of the list formats, or ListFormatError saying why none fits."""
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError as exc:
        raise ListFormatError.at(str(path), 0, f"cannot be read: {exc.strerror or exc}") from None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise ListFormatError.at(str(path), 1, "the file is empty")
    if text.startswith("{"):
        return "ftm"
    if text.startswith("<"):
        root = _ROOT.match(text)
        if root and root.group(1) in _XML_FORMATS:
            return _XML_FORMATS[root.group(1)]
        named = f"<{root.group(1)}>" if root else "an unknown element"
        known = ", ".join(f"<{tag}>" for tag in _XML_FORMATS)
        raise ListFormatError.at(
            str(path), 1, f"XML whose root is {named}: not a list format read here ({known})"
        )
    first_line = text.splitlines()[0]
    if first_line.startswith("entity_id,"):
        return "csv"
    if _OFAC_CSV_ROW.match(first_line):
        return "ofac-csv"
    raise ListFormatError.at(
        str(path),
        1,
        "cannot tell the list format from the content; name it (ftm, un, ofac-csv, ofac-xml, eu, csv)",
    )
