"""Person screening: transliteration-aware name matching against watchlists (pure, no I/O)."""

from transitguard.engines.screening.index import Match, Query, ScreeningIndex

# Where the labelled benchmark (bench/screening.py) keeps recall of true matches at 0.98 with under 1%
# false positives; lists may set their own.
DEFAULT_THRESHOLD = 0.9

__all__ = ["DEFAULT_THRESHOLD", "Match", "Query", "ScreeningIndex"]
