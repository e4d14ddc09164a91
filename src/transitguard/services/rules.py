"""The rule pack as a whole: the corridor, the goods sanctions and the people rules, loaded and checked
together, dumped, compared and explained (`transitguard rules ...`).

A pack that does not validate is reported and never used: each loader returns a new object or raises
ConfigurationError naming the file and key, so the active rules are only ever replaced by valid ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transitguard.errors import NotFoundError
from transitguard.rulepacks import RulePack, load_rule_pack
from transitguard.rulepacks import goods as goods_rules
from transitguard.rulepacks import people as people_rules


@dataclass(frozen=True)
class FullPack:
    corridor: RulePack
    goods: goods_rules.GoodsRules
    people: people_rules.PeopleRules


def load_full_pack(name_or_path: str | Path) -> FullPack:
    corridor = load_rule_pack(name_or_path)
    return FullPack(
        corridor=corridor,
        goods=goods_rules.load_goods_rules(corridor.path / "goods"),
        people=people_rules.load_people_rules(corridor.path),
    )


def validate(pack: FullPack) -> dict[str, Any]:
    return {
        "pack": pack.corridor.id,
        "version": pack.corridor.version,
        "corridor": {
            "checkpoints": len(pack.corridor.corridor.checkpoints),
            "trains": len(pack.corridor.corridor.trains),
        },
        "goods": goods_rules.summary(pack.goods),
        "people": {
            "eligibility_rules": len(pack.people.eligibility.rules),
            "frtd_checks": len(pack.people.frtd.checks),
        },
    }


def dump(pack: FullPack) -> dict[str, Any]:
    return {
        "pack": {"id": pack.corridor.id, "version": pack.corridor.version, "title": pack.corridor.title},
        "corridor": pack.corridor.corridor.model_dump(mode="json"),
        "goods": goods_rules.dump(pack.goods),
        "people": people_rules.dump(pack.people),
    }


def diff(old: FullPack, new: FullPack) -> dict[str, Any]:
    old_corridor = old.corridor.corridor.model_dump(mode="json")
    new_corridor = new.corridor.corridor.model_dump(mode="json")
    return {
        "old": f"{old.corridor.id} {old.corridor.version}",
        "new": f"{new.corridor.id} {new.corridor.version}",
        "corridor": sorted(
            k for k in set(old_corridor) | set(new_corridor) if old_corridor.get(k) != new_corridor.get(k)
        ),
        "goods": goods_rules.diff(old.goods, new.goods),
        "people": people_rules.diff(old.people, new.people),
    }


def explain(pack: FullPack, rule_id: str) -> str:
    """A rule of the goods or the people rules, by id, with its legal basis, dates and scope."""
    try:
        return goods_rules.explain_text(pack.goods, rule_id)
    except NotFoundError:
        pass
    try:
        return people_rules.explain(pack.people, rule_id)
    except NotFoundError:
        raise NotFoundError(
            f"no rule {rule_id!r} in the goods or people rules of {pack.corridor.id}"
        ) from None
