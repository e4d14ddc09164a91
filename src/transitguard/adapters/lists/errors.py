"""The one error a list importer raises: the file did not read, and nothing of it was taken."""

from __future__ import annotations

from collections.abc import Sequence

from transitguard.errors import InputError, Problem

SHOWN = 20


class ListFormatError(InputError):
    """A watchlist file that does not read. Each problem names the file, the line (for XML the line of
    the element), the field (a column, a JSON property or an element path) and the reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = "\n".join(str(p) for p in self.problems[:SHOWN])
        more = f"\n... and {len(self.problems) - SHOWN} more" if len(self.problems) > SHOWN else ""
        super().__init__(shown + more)

    @classmethod
    def at(cls, source: str, line: int, reason: str, field: str = "") -> ListFormatError:
        return cls([Problem(source, line, field, reason)])

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["problems"] = [p.__dict__ for p in self.problems]  # type: ignore[index]
        return body
