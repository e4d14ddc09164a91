"""Person screening: transliteration-aware name matching against watchlists (pure, no I/O)."""

from transitguard.engines.screening.index import Match, Query, ScreeningIndex

__all__ = ["Match", "Query", "ScreeningIndex"]
