"""Watchlist importers: sanctions and national list files read into ListedEntity records.

    read_list(path)              -> ListRead(entities, warnings, format, source_date)
    read_list(path, fmt="un")    the same, with the format named instead of sniffed

Formats (FORMATS): "ftm" FollowTheMoney JSON Lines (OpenSanctions), "un" UN Security Council
consolidated XML, "ofac-csv" OFAC SDN legacy CSV (sdn.csv with alt.csv and sdn_comments.csv beside
it), "ofac-xml" OFAC SDN XML, "eu" EU Financial Sanctions Files XML, "csv" transitguard's CSV for
national lists (docs/watchlists.md).

All or nothing: a file with any problem (bad JSON, malformed XML, wrong column count, an impossible
date, an entry without a name, the same id twice) raises ListFormatError naming the file, the line
and the reason of each problem, and gives no entities. Unknown countries are warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from transitguard.adapters.lists.draft import ListRead
from transitguard.adapters.lists.errors import ListFormatError
from transitguard.adapters.lists.eu import read_eu
from transitguard.adapters.lists.ftm import read_ftm
from transitguard.adapters.lists.national_csv import read_national_csv
from transitguard.adapters.lists.ofac import read_ofac_csv
from transitguard.adapters.lists.ofac_xml import read_ofac_xml
from transitguard.adapters.lists.sniff import sniff_format
from transitguard.adapters.lists.un import read_un

__all__ = ["FORMATS", "READERS", "ListFormatError", "ListRead", "read_list", "sniff_format"]

READERS: dict[str, Callable[[Path], ListRead]] = {
    "ftm": read_ftm,
    "un": read_un,
    "ofac-csv": read_ofac_csv,
    "ofac-xml": read_ofac_xml,
    "eu": read_eu,
    "csv": read_national_csv,
}
FORMATS = tuple(READERS)


def read_list(path: Path, fmt: str | None = None) -> ListRead:
    """Reads one list file; `fmt` None tells the format from the file's content."""
    if fmt is not None and fmt not in READERS:
        raise ListFormatError.at(str(path), 0, f"unknown list format {fmt!r}; one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise ListFormatError.at(str(path), 0, "no such file")
    return READERS[fmt or sniff_format(path)](path)
