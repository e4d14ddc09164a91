"""Freight screening: a consignment → ALLOW, DENY or HOLD per line and overall, with the reasons.

Pure: rules, quotas and lists come in as arguments, nothing is read from disk, the clock or the network;
the only state is the caller's QuotaBalance and the engine's memo tables. The logic (docs/freight.md):

* a line's goods rules are those in force on the consignment's date (after their wind-down), for its
  mode and direction, whose codes cover the declared CN code (and, for Annex XVIII, above the value);
* a control code (dual-use, Annex VII, military) denies the line on every mode;
* sanctioned goods by rail cross only within their product group's quota (no baseline → HOLD);
  by road with a carrier established in Russia they are denied (Art 3l, guidance of 13 Jul 2022);
  by road with another carrier the pack's policy decides; unsanctioned goods with a Russian road
  carrier are allowed under the Art 3l(2)(b) Kaliningrad exemption;
* a trailer registered in Russia (from 24 Jun 2023) or a party on an asset-freeze list denies every line;
* overall: DENY if any line is denied, else HOLD if any is held, else ALLOW.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from transitguard.engines.freight_codes import (
    DIRECTION_BIT,
    MODE_BIT,
    CodeIndex,
    CompiledRule,
    ControlLists,
    printed,
)
from transitguard.engines.freight_model import (
    Carrier,
    Consignment,
    ConsignmentDecision,
    Decision,
    GoodsLine,
    LineDecision,
    Party,
    Reason,
    overall,
)
from transitguard.engines.freight_quota import QuotaBalance, QuotaBaseline, kg
from transitguard.engines.screening import Match, Query, ScreeningIndex
from transitguard.rulepacks.goods import GOODS_KINDS, GoodsRules

_POLICY_RULE = "policy.road_sanctioned_goods_other_carrier"


@dataclass(frozen=True, slots=True)
class _Context:
    """What holds for every line of one consignment."""

    day: int
    year: int
    direction: int
    mode: int
    road: bool
    quota: CompiledRule | None  # the rail quota rule in force on the day, if any
    carrier_ban: CompiledRule | None  # the carrier is a Russian road undertaking and the ban applies
    carrier_exemption: CompiledRule | None
    trailer_ban: CompiledRule | None
    trailer_exemption: CompiledRule | None
    blanket: tuple[Reason, ...]  # deny every line: listed parties


class FreightEngine:
    """Compile a goods rule pack once; `check` one consignment after another, in input order."""

    def __init__(
        self,
        rules: GoodsRules,
        *,
        baseline: QuotaBaseline | Mapping[str, float] | None = None,
        index: ScreeningIndex | None = None,
        party_threshold: float | None = None,
    ) -> None:
        compiled = [CompiledRule.of(rule) for rule in rules.rules]
        by_kind: dict[str, list[CompiledRule]] = {}
        for rule in compiled:
            by_kind.setdefault(rule.rule.kind, []).append(rule)
        self.rules = rules
        self._by_id = {rule.rule.id: rule for rule in compiled}
        self._codes = CodeIndex(rule for rule in compiled if rule.rule.kind in GOODS_KINDS)
        self._controls = ControlLists(by_kind.get("control_list", ()))
        self._quota_rules = by_kind.get("rail_quota", [])
        self._carrier_bans = by_kind.get("road_carrier_ban", [])
        self._trailer_bans = by_kind.get("trailer_ban", [])
        self._party_rules = by_kind.get("party_screening", [])
        policy = rules.policy
        self._ex_hold = policy.ex_codes.value == "hold"
        self._other_carrier = policy.road_sanctioned_goods_other_carrier.value
        self._other_carrier_reason = Reason(
            _POLICY_RULE,
            "Council Regulation (EU) No 833/2014 Art 3l; Commission guidance of 13 Jul 2022 (silent on "
            f"carriers not established in Russia); goods rule pack {rules.id} {rules.version}, policy",
            "sanctioned goods by road with a carrier not established in Russia: "
            + policy.road_sanctioned_goods_other_carrier.basis,
        )
        if baseline is not None and not isinstance(baseline, QuotaBaseline):
            baseline = QuotaBaseline(baseline)
        self.baseline = baseline
        self.index = index
        self.party_threshold = party_threshold or policy.party_match_threshold.value
        self._party_memo: dict[str, Match | None] = {}

    # -- one consignment ---------------------------------------------------------------------------

    def check(self, consignment: Consignment, balance: QuotaBalance) -> ConsignmentDecision:
        """Decide every line; the quota balance moves only if the consignment is not denied."""
        context = self._context(consignment)
        pending: dict[tuple[int, str], float] = {}
        lines = tuple(self._line(line, context, balance, pending) for line in consignment.lines)
        decision = overall([line.decision for line in lines])
        if pending and decision != "DENY":
            balance.add(pending)
        return ConsignmentDecision(consignment.id, decision, lines)

    def check_all(
        self, consignments: Iterable[Consignment], balance: QuotaBalance | None = None
    ) -> list[ConsignmentDecision]:
        balance = QuotaBalance() if balance is None else balance
        return [self.check(consignment, balance) for consignment in consignments]

    def _first(self, rules: list[CompiledRule], day: int, direction: int, mode: int) -> CompiledRule | None:
        return next((rule for rule in rules if rule.applies(day, direction, mode)), None)

    def _context(self, consignment: Consignment) -> _Context:
        day = consignment.date.toordinal()
        direction = DIRECTION_BIT[consignment.direction]
        mode = MODE_BIT[consignment.mode]
        carrier = consignment.carrier
        carrier_ban = trailer_ban = None
        for rule in self._carrier_bans:
            if carrier.country in rule.rule.countries and rule.applies(day, direction, mode):
                carrier_ban = rule
                break
        for rule in self._trailer_bans:
            if carrier.trailer_country in rule.rule.countries and rule.applies(day, direction, mode):
                trailer_ban = rule
                break
        return _Context(
            day=day,
            year=consignment.date.year,
            direction=direction,
            mode=mode,
            road=consignment.mode == "road",
            # the rail quota, also for road lines when the policy counts them against it
            quota=self._first(self._quota_rules, day, direction, MODE_BIT["rail"]),
            carrier_ban=carrier_ban,
            carrier_exemption=self._exemption(carrier_ban, day, direction, mode),
            trailer_ban=trailer_ban,
            trailer_exemption=self._exemption(trailer_ban, day, direction, mode),
            blanket=self._parties(consignment, day, direction, mode),
        )

    def _exemption(
        self, ban: CompiledRule | None, day: int, direction: int, mode: int
    ) -> CompiledRule | None:
        if ban is None:
            return None
        found = [self._by_id[rule_id] for rule_id in ban.rule.exemptions]
        return self._first(found, day, direction, mode)

    # -- one line ----------------------------------------------------------------------------------

    def _line(
        self,
        line: GoodsLine,
        context: _Context,
        balance: QuotaBalance,
        pending: dict[tuple[int, str], float],
    ) -> LineDecision:
        reasons: list[Reason] = []
        sanctioned = hold = deny = False
        day, direction, mode = context.day, context.direction, context.mode
        matches = self._codes.lookup(line.cn_code)
        for hit in matches.full:
            rule = hit.rule
            if (
                rule.start <= day <= rule.end
                and rule.directions & direction
                and rule.modes & mode
                and (not rule.origins or line.origin_country in rule.origins)
                and line.value_eur > rule.min_value
            ):
                if hit.ex and self._ex_hold:
                    reasons.append(hit.hold)
                    hold = True
                else:
                    reasons.append(hit.reason)
                    sanctioned = True
        if matches.partial and not sanctioned:
            for hit in matches.partial:
                rule = hit.rule
                if (
                    rule.applies(day, direction, mode)
                    and (not rule.origins or line.origin_country in rule.origins)
                    and line.value_eur > rule.min_value
                ):
                    reasons.append(hit.hold)
                    hold = True
        if line.control_code is not None:
            listed = self._controls.match(line.control_code, day, direction, mode)
            if listed:
                reasons.extend(listed)
                deny = True
            else:
                reasons.append(self._unknown_control(line.control_code))
                hold = True
        if sanctioned:
            outcome = self._sanctioned(line, context, balance, pending, reasons)
            deny = deny or outcome == "DENY"
            hold = hold or outcome == "HOLD"
        elif context.carrier_ban is not None:
            if context.carrier_exemption is None:
                reasons.append(context.carrier_ban.reason)
                deny = True
            elif not hold:
                reasons.append(context.carrier_exemption.reason)
        if context.trailer_ban is not None:
            if context.trailer_exemption is not None and not sanctioned:
                reasons.append(context.trailer_exemption.reason)
            else:
                reasons.append(context.trailer_ban.reason)
                deny = True
        if context.blanket:
            reasons.extend(context.blanket)
            deny = True
        decision: Decision = "DENY" if deny else ("HOLD" if hold else "ALLOW")
        return LineDecision(line.cn_code, decision, tuple(reasons) if reasons else ())

    def _sanctioned(
        self,
        line: GoodsLine,
        context: _Context,
        balance: QuotaBalance,
        pending: dict[tuple[int, str], float],
        reasons: list[Reason],
    ) -> Decision:
        """A line some goods rule covers: the mode, the carrier and the quota decide."""
        if context.road:
            if context.carrier_ban is not None:
                reasons.append(context.carrier_ban.reason)
                return "DENY"
            choice = self._other_carrier
            if choice != "QUOTA":
                reasons.append(self._other_carrier_reason)
                return choice
        if context.quota is None:
            return "DENY"  # no quota regime in force: the ban itself decides
        decision, reason = self._quota(line, context, context.quota, balance, pending)
        reasons.append(reason)
        return decision

    def _quota(
        self,
        line: GoodsLine,
        context: _Context,
        rule: CompiledRule,
        balance: QuotaBalance,
        pending: dict[tuple[int, str], float],
    ) -> tuple[Decision, Reason]:
        group = self.baseline.group(line.cn_code) if self.baseline is not None else None
        if group is None or self.baseline is None:
            return "HOLD", rule.with_message(
                f"no baseline (2019-2021 average) for the product group of {printed(line.cn_code)}: "
                "held until a quota is set for it"
            )
        annual = self.baseline.annual_kg[group]
        key = (context.year, group)
        used = balance.get(context.year, group) + pending.get(key, 0.0)
        after = used + line.net_mass_kg
        quota = f"the {context.year} rail quota for product group {printed(group)} ({kg(annual)} a year)"
        if after > annual + 1e-9:
            return "DENY", rule.with_message(
                f"over {quota} by {kg(after - annual)}: {kg(used)} already used, "
                f"this line {kg(line.net_mass_kg)}"
            )
        pending[key] = pending.get(key, 0.0) + line.net_mass_kg
        return "ALLOW", rule.with_message(f"within {quota}: {kg(after)} used with this line")

    def _unknown_control(self, control_code: str) -> Reason:
        return Reason(
            "control-code-unknown",
            "Reg (EU) 2021/821 Annex I; Reg (EU) No 833/2014 Annex VII; EU Common Military List",
            f"control code {control_code!r} is on no control list in force on this date: check it",
        )

    # -- parties -----------------------------------------------------------------------------------

    def _parties(self, consignment: Consignment, day: int, direction: int, mode: int) -> tuple[Reason, ...]:
        if self.index is None:
            return ()
        rule = self._first(self._party_rules, day, direction, mode)
        if rule is None:
            return ()
        found: list[Reason] = []
        parties: tuple[tuple[str, Party | Carrier], ...] = (
            ("consignor", consignment.consignor),
            ("consignee", consignment.consignee),
            ("carrier", consignment.carrier),
        )
        for role, party in parties:
            match = self._match(self.index, party.name)
            if match is not None:
                found.append(
                    rule.with_message(
                        f"{role} {party.name!r} matches list entry {match.entity_id} {match.name!r} "
                        f"(score {match.score:.2f}): {rule.rule.message}"
                    )
                )
        return tuple(found)

    def _match(self, index: ScreeningIndex, name: str) -> Match | None:
        """The best list entry at or above the threshold; memoised, as the same parties come back."""
        if name in self._party_memo:
            return self._party_memo[name]
        matches = index.screen(Query(id=name, name=name), threshold=self.party_threshold, limit=1)
        found = matches[0] if matches else None
        self._party_memo[name] = found
        return found


__all__ = [
    "Carrier",
    "Consignment",
    "ConsignmentDecision",
    "FreightEngine",
    "GoodsLine",
    "LineDecision",
    "Party",
    "QuotaBalance",
    "QuotaBaseline",
    "Reason",
]
