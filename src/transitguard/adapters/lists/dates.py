"""Dates as the lists write them: ISO days, "12 Mar 1965" (OFAC, UN notes), year ranges."""

from __future__ import annotations

import re
from datetime import date

from transitguard.domain.watchlists import PartialDate

MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# A range wider than this is a guess, not a birth year: only its two ends are kept as years.
MAX_YEARS_SPELLED_OUT = 25

_DAY_MONTH_YEAR = re.compile(r"^(?:(\d{1,2})\s+)?(?:([A-Za-z]{3,9})\.?\s+)?(\d{4})$")


def month_number(word: str) -> int | None:
    """ "Mar", "Mar.", "March", "Sept" give 3 or 9; a word that is no month gives None."""
    word = word.rstrip(".").casefold()
    if len(word) < 3:
        return None
    for number, name in enumerate(MONTH_NAMES, 1):
        if name.startswith(word):
            return number
    return None


def day_month_year(text: str) -> PartialDate | None:
    """ "12 Mar 1965", "Mar 1965", "Nov. 1973" or "1965"; None when the text has another form, ValueError
    when it has this form but names no real date ("31 Feb 1965")."""
    found = _DAY_MONTH_YEAR.match(text.strip())
    if found is None:
        return None
    day, month_word, year = found.groups()
    if day and not month_word:
        return None
    month = month_number(month_word) if month_word else None
    if month_word and month is None:
        return None
    try:
        return PartialDate(int(year), month, int(day) if day else None)
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r} is an impossible date ({exc})") from None


def years_between(first: int, last: int) -> tuple[PartialDate, ...]:
    """Each year of a range ("born between 1960 and 1962" gives 1960, 1961, 1962)."""
    if last < first:
        raise ValueError(f"the range {first} to {last} ends before it starts")
    if last - first > MAX_YEARS_SPELLED_OUT:
        return (PartialDate(first), PartialDate(last))
    return tuple(PartialDate(year) for year in range(first, last + 1))


def iso_day(text: str) -> date:
    """A YYYY-MM-DD day (a time after it, as in "2026-02-27T00:00:09Z", is ignored)."""
    head = text.strip()[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", head):
        raise ValueError(f"{text.strip()!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(head)
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r} is an impossible date ({exc})") from None
