"""Rail quotas: the 2019–2021 average annual net mass per product group, and the running balance.

The baseline maps a CN prefix (a product group: "7208", "2523", "4403 11") to the average annual net
mass in kg; a line belongs to the group of the longest prefix it starts with. The balance counts what
has been let through per calendar year and group, in the order consignments are checked. A consignment
counts against the balance only if it is not denied as a whole: denied goods do not cross, and a held
consignment keeps its share reserved until an officer decides (docs/freight.md, "Quotas").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field


class QuotaBaseline:
    """Product groups and their annual quota in kg; `group(code)` is memoised per declared code."""

    def __init__(self, annual_kg: Mapping[str, float]) -> None:
        self.annual_kg = dict(annual_kg)
        self._lengths = sorted({len(prefix) for prefix in self.annual_kg}, reverse=True)
        self._memo: dict[str, str | None] = {}

    def group(self, code: str) -> str | None:
        found = self._memo.get(code, "")
        if found == "":
            found = next(
                (code[:n] for n in self._lengths if n <= len(code) and code[:n] in self.annual_kg), None
            )
            self._memo[code] = found
        return found

    def __len__(self) -> int:
        return len(self.annual_kg)


@dataclass
class QuotaBalance:
    """Net mass let through per (calendar year, product group). Mutable: the caller owns one per run
    (or seeds it with what earlier runs used this year)."""

    used: dict[tuple[int, str], float] = field(default_factory=dict)

    def get(self, year: int, group: str) -> float:
        return self.used.get((year, group), 0.0)

    def add(self, pending: Mapping[tuple[int, str], float]) -> None:
        for key, mass in pending.items():
            self.used[key] = self.used.get(key, 0.0) + mass

    def rows(self) -> Iterator[dict[str, object]]:
        for (year, group), mass in sorted(self.used.items()):
            yield {"year": year, "cn_prefix": group, "net_mass_kg": mass}


def kg(mass: float) -> str:
    """1,250 kg; 0.5 kg: thousands separated, no trailing zeros."""
    text = f"{mass:,.3f}".rstrip("0").rstrip(".")
    return f"{text} kg"
