"""The goods rules compiled for speed: dated rules as integers, CN codes in one dict per code length.

A heading (7208) covers every code that starts with it, a subheading (7208 51 20) only itself and its
TARIC extensions. A declared code is looked up by its own prefixes (2, 4, 6, 8, 10 digits: five dict
probes, no regex) and the answer is memoised per code: a year of freight has a few thousand distinct
codes. A rule code *more* precise than the declared one (the annex lists 7210 41 00 20, the declaration
says 7210 41 00) is a partial match: the goods may or may not be the listed ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from transitguard.engines.freight_model import Reason
from transitguard.rulepacks.goods import GoodsRule, parse_code

DIRECTION_BIT = {"to_kaliningrad": 1, "from_kaliningrad": 2}
MODE_BIT = {"rail": 1, "road": 2}
_NO_END = date.max.toordinal()
_CODE_LENGTHS = (2, 4, 6, 8, 10)


def printed(digits: str, ex: bool = False) -> str:
    """Digits as the annexes print them: 7208 51 20, 7210 41 00 20, ex 2709 00, 44."""
    parts = (
        [digits[:4], *(digits[i : i + 2] for i in range(4, len(digits), 2))] if len(digits) > 2 else [digits]
    )
    return ("ex " if ex else "") + " ".join(parts)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: GoodsRule
    start: int  # first day it applies (after the wind-down), as a date ordinal
    end: int  # last day it applies, inclusive
    directions: int
    modes: int
    origins: frozenset[str]
    min_value: float  # a line applies only when its value is above this (-1: any value)
    reason: Reason

    @classmethod
    def of(cls, rule: GoodsRule) -> CompiledRule:
        threshold = rule.threshold_eur
        return cls(
            rule=rule,
            start=rule.applies_from.toordinal(),
            end=rule.valid_until.toordinal() if rule.valid_until else _NO_END,
            directions=sum(DIRECTION_BIT[d] for d in set(rule.directions)),
            modes=sum(MODE_BIT[m] for m in set(rule.modes)),
            origins=frozenset(rule.origins),
            # threshold 0 is "of any value" (Annex XVIII section 23); none is no value condition
            min_value=threshold if threshold else -1.0,
            reason=Reason(rule.id, rule.legal_basis.citation(), rule.message),
        )

    def applies(self, day: int, direction: int, mode: int) -> bool:
        return self.start <= day <= self.end and bool(self.directions & direction) and bool(self.modes & mode)

    def with_message(self, message: str) -> Reason:
        return Reason(self.reason.rule, self.reason.legal_basis, message)


@dataclass(frozen=True, slots=True)
class CodeHit:
    """One listed code of one rule, with the reasons it gives (built once, shared by every line)."""

    rule: CompiledRule
    listed: str  # the code as the annex prints it
    ex: bool
    reason: Reason  # the line is covered
    hold: Reason  # the line may be covered: an ex code under the "hold" policy, or a partial match


@dataclass(frozen=True, slots=True)
class CodeMatches:
    full: tuple[CodeHit, ...]  # listed codes the declared code falls under
    partial: tuple[CodeHit, ...]  # listed codes under the declared code (more precise than it)


_NONE = CodeMatches((), ())


class CodeIndex:
    """Listed CN codes of the goods rules, by length; `lookup` answers for one declared code."""

    def __init__(self, rules: Iterable[CompiledRule]) -> None:
        self._by_length: dict[int, dict[str, list[CodeHit]]] = {n: {} for n in _CODE_LENGTHS}
        self._under: dict[str, list[CodeHit]] = {}
        self._memo: dict[str, CodeMatches] = {}
        for compiled in rules:
            for text in compiled.rule.codes:
                digits, ex = parse_code(text)
                listed = printed(digits, ex)
                hit = CodeHit(
                    compiled,
                    listed,
                    ex,
                    compiled.with_message(
                        f"{listed}: {compiled.rule.message}"
                        + (" (an ex code: only part of it is listed; treated as covered)" if ex else "")
                    ),
                    compiled.with_message(
                        f"{listed}: {compiled.rule.message}. An ex code covers only part of its code: "
                        "check the goods against the annex"
                    ),
                )
                self._by_length[len(digits)].setdefault(digits, []).append(hit)
                for n in _CODE_LENGTHS:
                    if n < len(digits):
                        self._under.setdefault(digits[:n], []).append(hit)
        # Only the lengths some rule uses are probed per line.
        self._lengths = tuple((n, table) for n, table in self._by_length.items() if table)

    def lookup(self, code: str) -> CodeMatches:
        found = self._memo.get(code)
        if found is None:
            found = self.lookup_uncached(code)
            self._memo[code] = found
        return found

    def lookup_uncached(self, code: str) -> CodeMatches:
        full: list[CodeHit] = []
        for n, table in self._lengths:
            if n > len(code):
                break
            hits = table.get(code[:n])
            if hits:
                full.extend(hits)
        partial = self._partial(self._under.get(code, ()))
        return CodeMatches(tuple(full), partial) if full or partial else _NONE

    def _partial(self, hits: list[CodeHit] | tuple[()]) -> tuple[CodeHit, ...]:
        """One hold reason per rule, naming its codes under the declared one (a few, then a count)."""
        by_rule: dict[str, list[CodeHit]] = {}
        for hit in hits:
            by_rule.setdefault(hit.rule.rule.id, []).append(hit)
        grouped = []
        for group in by_rule.values():
            compiled = group[0].rule
            shown = ", ".join(h.listed for h in group[:4]) + (
                f" and {len(group) - 4} more" if len(group) > 4 else ""
            )
            message = (
                f"{shown}: {compiled.rule.message}. The annex lists a more precise code under the declared "
                "one: declare the full code"
            )
            grouped.append(
                CodeHit(compiled, group[0].listed, False, group[0].reason, compiled.with_message(message))
            )
        return tuple(grouped)

    def prefix_probe(self, code: str) -> bool:
        """The bare dict probes of a lookup, nothing else: the benchmark's baseline."""
        return any(code[:n] in table for n, table in self._lengths) or code in self._under


class ControlLists:
    """Control-list rules by code prefix ("5", "X.", "ML"): a declared control code matches by prefix."""

    def __init__(self, rules: Iterable[CompiledRule]) -> None:
        self._rules = [
            (prefix.upper(), compiled) for compiled in rules for prefix in compiled.rule.control_code_prefixes
        ]

    def match(self, control_code: str, day: int, direction: int, mode: int) -> list[Reason]:
        code = control_code.upper()
        return [
            compiled.with_message(f"{control_code}: {compiled.rule.message}")
            for prefix, compiled in self._rules
            if code.startswith(prefix) and compiled.applies(day, direction, mode)
        ]
