"""The goods rule pack: sanctions rules for freight as data (YAML) → typed, checked models.

A pack is a folder: `goods.yaml` (the index: id, version, policy, the files) and one YAML file per rule
family, each `{family, rules: [...]}`. Loading is two passes, the way followthemoney loads its model:
every file into pydantic models that reject unknown keys, then a pass over the whole pack that checks
what one file cannot (a rule's fields fit its kind, ids are unique, references resolve, every file in
the folder is listed). Either pass fails with a ConfigurationError naming the file and the key, and
`load_goods_rules` returns a new object or raises: a pack that does not validate never half-loads, so
it can never replace the active one.

`dump`, `diff` and `explain` are what `transitguard rules dump|diff|explain` print.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from transitguard.domain.events import Direction
from transitguard.errors import ConfigurationError, NotFoundError
from transitguard.rulepacks.yaml_files import read_yaml

DEFAULT_GOODS_PACK = Path(__file__).parent / "kaliningrad" / "goods"
INDEX_FILE = "goods.yaml"

Mode = Literal["rail", "road"]
RuleKind = Literal[
    "import_ban",  # purchase / import / transfer / transport of listed goods from Russia (3g, 3i, 3j, 3m, 3o)
    "export_ban",  # sale / supply / transfer / export of listed goods to Russia (Art 3h)
    "control_list",  # dual-use and military control codes: prohibited on every mode
    "rail_quota",  # sanctioned goods by rail only within the 2019–2021 average (Commission guidance)
    "road_carrier_ban",  # Art 3l(1): road undertakings established in the listed countries
    "road_exemption",  # Art 3l(2)(b): Kaliningrad transit of goods not otherwise prohibited
    "trailer_ban",  # Art 3l(1a): trailers and semi-trailers registered in the listed countries
    "party_screening",  # consignor, consignee and carrier against asset-freeze lists
]
GOODS_KINDS = frozenset({"import_ban", "export_ban"})

# Which optional fields each kind may use; any other field set on a rule is a mistake in the pack.
_KIND_FIELDS: dict[str, frozenset[str]] = {
    "import_ban": frozenset({"codes", "origins"}),
    "export_ban": frozenset({"codes", "origins", "threshold_eur"}),
    "control_list": frozenset({"control_code_prefixes"}),
    "rail_quota": frozenset(),
    "road_carrier_ban": frozenset({"countries", "exemptions"}),
    "road_exemption": frozenset(),
    "trailer_ban": frozenset({"countries", "exemptions"}),
    "party_screening": frozenset(),
}
_KIND_REQUIRED: dict[str, str] = {
    "import_ban": "codes",
    "export_ban": "codes",
    "control_list": "control_code_prefixes",
    "road_carrier_ban": "countries",
    "trailer_ban": "countries",
}
_OPTIONAL = frozenset().union(*_KIND_FIELDS.values())

_CODE = re.compile(r"^(ex )?(\d{2}(?: ?\d{2}){0,4})$")
_COUNTRY = r"^[A-Z]{2}$"


def parse_code(text: str) -> tuple[str, bool]:
    """A code as the annexes print it ("7208 51 20", "ex 2709 00", "44") → (digits, ex)."""
    found = _CODE.match(text)
    if found is None:
        raise ValueError(
            f"{text!r} is not a CN code: 2, 4, 6, 8 or 10 digits, optionally spaced and preceded by 'ex '"
        )
    return found.group(2).replace(" ", ""), bool(found.group(1))


def _check_code(text: str) -> str:
    parse_code(text)
    return text


CodeText = Annotated[str, AfterValidator(_check_code)]
Country = Annotated[str, Field(pattern=_COUNTRY)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(Spec):
    regulation: str = Field(min_length=1)
    article: str = Field(min_length=1)
    annex: str | None = None
    amended_by: tuple[str, ...] = ()
    guidance: str | None = None

    def citation(self) -> str:
        text = f"{self.regulation} Art {self.article}"
        if self.annex:
            text += f", Annex {self.annex}"
        if self.amended_by:
            text += f" (as amended by {', '.join(self.amended_by)})"
        if self.guidance:
            text += f"; {self.guidance}"
        return text


class GoodsRule(Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: RuleKind
    title: str = Field(min_length=1)
    valid_from: date
    wind_down_until: date | None = None
    valid_until: date | None = None
    legal_basis: LegalBasis
    message: str = Field(min_length=1)
    source: str = Field(min_length=1)
    assumption: bool = False
    assumption_note: str | None = None
    directions: tuple[Direction, ...] = ("to_kaliningrad", "from_kaliningrad")
    modes: tuple[Mode, ...] = ("rail", "road")
    origins: tuple[Country, ...] = ()
    codes: tuple[CodeText, ...] = ()
    threshold_eur: float | None = Field(default=None, ge=0)
    control_code_prefixes: tuple[str, ...] = ()
    countries: tuple[Country, ...] = ()
    exemptions: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()

    @property
    def applies_from(self) -> date:
        """The first day the rule bites: after the wind-down, when contracts concluded before the
        listing could still be executed (the declaration does not say when a contract was made)."""
        if self.wind_down_until is None:
            return self.valid_from
        return max(self.valid_from, self.wind_down_until + timedelta(days=1))

    def in_force(self, day: date) -> bool:
        return self.applies_from <= day and (self.valid_until is None or day <= self.valid_until)


class RuleFile(Spec):
    family: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    rules: tuple[GoodsRule, ...] = Field(min_length=1)


class PolicyChoice(Spec):
    basis: str = Field(min_length=1)
    assumption: bool = False


class ExCodesChoice(PolicyChoice):
    value: Literal["apply", "hold"]


class RoadCarrierChoice(PolicyChoice):
    value: Literal["ALLOW", "HOLD", "DENY", "QUOTA"]


class ThresholdChoice(PolicyChoice):
    value: float = Field(gt=0, le=1)


class Policy(Spec):
    """Where the law is silent the pack decides, visibly: each choice carries its basis."""

    ex_codes: ExCodesChoice
    road_sanctioned_goods_other_carrier: RoadCarrierChoice
    party_match_threshold: ThresholdChoice


class GoodsIndex(Spec):
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    law_as_of: date
    attribution: str = Field(min_length=1)
    policy: Policy
    files: tuple[str, ...] = Field(min_length=1)


@dataclass(frozen=True)
class GoodsRules:
    """A loaded, checked goods rule pack. Immutable: reloading builds a new one."""

    id: str
    version: str
    title: str
    law_as_of: date
    attribution: str
    policy: Policy
    rules: tuple[GoodsRule, ...]
    file_of: Mapping[str, str]  # rule id → the file that defines it
    files: tuple[str, ...]
    path: Path

    def rule(self, rule_id: str) -> GoodsRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        close = difflib.get_close_matches(rule_id, [r.id for r in self.rules], n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise NotFoundError(f"goods rule pack {self.id} {self.version}: no rule {rule_id!r}{hint}")

    def of_kind(self, kind: str) -> tuple[GoodsRule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)


# -- loading ---------------------------------------------------------------------------------------


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], data: Any, path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Unknown keys first: a misspelt key also shows up as the missing key it should have been.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        named = [f"key {_key(e['loc'])}: {e['msg']}" for e in errors[:5]]
        raise ConfigurationError(f"{path}: " + "; ".join(named)) from None


def _key(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _index_path(pack_path: Path) -> Path:
    for candidate in (pack_path, pack_path / INDEX_FILE, pack_path / "goods" / INDEX_FILE):
        if candidate.is_file():
            return candidate
    raise ConfigurationError(f"{pack_path}: no goods rule pack here (expected {INDEX_FILE})")


def _check_rule(rule: GoodsRule, where: str) -> None:
    """What one rule's fields must satisfy given its kind (the model cannot name the key itself)."""
    allowed = _KIND_FIELDS[rule.kind]
    for name in sorted(_OPTIONAL - allowed):
        if getattr(rule, name) not in (None, ()):
            raise ConfigurationError(f"{where}.{name}: not used by a rule of kind {rule.kind}")
    required = _KIND_REQUIRED.get(rule.kind)
    if required and not getattr(rule, required):
        raise ConfigurationError(f"{where}.{required}: a rule of kind {rule.kind} needs at least one")
    if rule.valid_until is not None and rule.valid_until < rule.applies_from:
        raise ConfigurationError(f"{where}.valid_until: {rule.valid_until} is before the rule applies")
    if rule.wind_down_until is not None and rule.wind_down_until < rule.valid_from:
        raise ConfigurationError(f"{where}.wind_down_until: {rule.wind_down_until} is before valid_from")
    if rule.assumption != bool(rule.assumption_note):
        raise ConfigurationError(
            f"{where}.assumption_note: say what is unconfirmed exactly when assumption is true"
        )
    seen: set[str] = set()
    for n, text in enumerate(rule.codes):
        digits, _ = parse_code(text)
        if digits in seen:
            raise ConfigurationError(f"{where}.codes[{n}]: {text!r} is listed twice")
        seen.add(digits)


def _check_references(rules: list[tuple[GoodsRule, Path, int]]) -> None:
    by_id = {rule.id: rule for rule, _, _ in rules}
    for rule, path, n in rules:
        for i, target in enumerate(rule.exemptions):
            found = by_id.get(target)
            if found is None or found.kind != "road_exemption":
                what = "no such rule" if found is None else f"a {found.kind} rule, not a road_exemption"
                raise ConfigurationError(f"{path}: key rules[{n}].exemptions[{i}]: {target!r}: {what}")
        for i, target in enumerate(rule.replaces):
            if target not in by_id:
                raise ConfigurationError(f"{path}: key rules[{n}].replaces[{i}]: {target!r}: no such rule")


def load_goods_rules(pack_path: Path) -> GoodsRules:
    """Load and check a goods rule pack (its folder, its goods.yaml, or a corridor pack holding goods/)."""
    index_path = _index_path(pack_path)
    folder = index_path.parent
    index = _validated(GoodsIndex, read_yaml(index_path), index_path)
    found: list[tuple[GoodsRule, Path, int]] = []
    file_of: dict[str, str] = {}
    for f, name in enumerate(index.files):
        path = folder / name
        if name == INDEX_FILE or "/" in name or not path.is_file():
            raise ConfigurationError(f"{index_path}: key files[{f}]: no rule file {name!r} in {folder}")
        if name in index.files[:f]:
            raise ConfigurationError(f"{index_path}: key files[{f}]: {name!r} is listed twice")
        rule_file = _validated(RuleFile, read_yaml(path), path)
        for n, rule in enumerate(rule_file.rules):
            _check_rule(rule, f"{path}: key rules[{n}]")
            if rule.id in file_of:
                raise ConfigurationError(
                    f"{path}: key rules[{n}].id: rule {rule.id!r} is already defined in {file_of[rule.id]}"
                )
            file_of[rule.id] = name
            found.append((rule, path, n))
    unlisted = sorted(p.name for p in folder.glob("*.y*ml") if p.name not in {*index.files, INDEX_FILE})
    if unlisted:
        raise ConfigurationError(
            f"{index_path}: key files: {unlisted[0]} is in the pack folder but not listed"
        )
    _check_references(found)
    return GoodsRules(
        id=index.id,
        version=index.version,
        title=index.title,
        law_as_of=index.law_as_of,
        attribution=index.attribution,
        policy=index.policy,
        rules=tuple(rule for rule, _, _ in found),
        file_of=file_of,
        files=index.files,
        path=folder,
    )


# -- dump, diff, explain ---------------------------------------------------------------------------


def _rule_dict(rules: GoodsRules, rule: GoodsRule) -> dict[str, Any]:
    body = rule.model_dump(mode="json")
    body["file"] = rules.file_of[rule.id]
    body["applies_from"] = rule.applies_from.isoformat()
    return body


def dump(rules: GoodsRules) -> dict[str, Any]:
    """The loaded pack as one JSON-able dict (what the engine sees, defaults filled in)."""
    return {
        "id": rules.id,
        "version": rules.version,
        "title": rules.title,
        "law_as_of": rules.law_as_of.isoformat(),
        "attribution": rules.attribution,
        "policy": rules.policy.model_dump(mode="json"),
        "files": list(rules.files),
        "rules": [_rule_dict(rules, rule) for rule in rules.rules],
    }


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name == "codes":
            fields[name] = {
                "added": [c for c in after or () if c not in (before or ())],
                "removed": [c for c in before or () if c not in (after or ())],
            }
        else:
            fields[name] = {"old": before, "new": after}
    return fields


def diff(old: GoodsRules, new: GoodsRules) -> dict[str, Any]:
    """Rules added, removed and changed (with each changed field, codes as added/removed lists)."""
    before = {r.id: _rule_dict(old, r) for r in old.rules}
    after = {r.id: _rule_dict(new, r) for r in new.rules}
    changed = [
        {"id": rule_id, "fields": fields}
        for rule_id in after
        if rule_id in before and (fields := _changed_fields(before[rule_id], after[rule_id]))
    ]
    policy = _changed_fields(old.policy.model_dump(mode="json"), new.policy.model_dump(mode="json"))
    return {
        "old": {"id": old.id, "version": old.version},
        "new": {"id": new.id, "version": new.version},
        "added": [rule_id for rule_id in after if rule_id not in before],
        "removed": [rule_id for rule_id in before if rule_id not in after],
        "changed": changed,
        "policy": policy,
    }


def explain(rules: GoodsRules, rule_id: str) -> dict[str, Any]:
    """One rule for a person: what it says, on what legal basis, from and until when, which codes."""
    rule = rules.rule(rule_id)
    return {
        "id": rule.id,
        "title": rule.title,
        "kind": rule.kind,
        "file": rules.file_of[rule.id],
        "legal_basis": rule.legal_basis.citation(),
        "message": rule.message,
        "dates": {
            "valid_from": rule.valid_from.isoformat(),
            "wind_down_until": rule.wind_down_until.isoformat() if rule.wind_down_until else None,
            "applies_from": rule.applies_from.isoformat(),
            "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
        },
        "scope": {
            "modes": list(rule.modes),
            "directions": list(rule.directions),
            "origins": list(rule.origins),
        },
        "codes": list(rule.codes),
        "threshold_eur": rule.threshold_eur,
        "control_code_prefixes": list(rule.control_code_prefixes),
        "countries": list(rule.countries),
        "exemptions": list(rule.exemptions),
        "replaces": list(rule.replaces),
        "source": rule.source,
        "assumption": rule.assumption_note if rule.assumption else None,
        "pack": {"id": rules.id, "version": rules.version},
    }


def summary(rules: GoodsRules) -> dict[str, Any]:
    """What `rules validate` reports for a pack that loads: its version, rules by kind, what is assumed."""
    kinds: dict[str, int] = {}
    for rule in rules.rules:
        kinds[rule.kind] = kinds.get(rule.kind, 0) + 1
    return {
        "id": rules.id,
        "version": rules.version,
        "law_as_of": rules.law_as_of.isoformat(),
        "files": len(rules.files),
        "rules": len(rules.rules),
        "by_kind": kinds,
        "codes": sum(len(rule.codes) for rule in rules.rules),
        "assumptions": [rule.id for rule in rules.rules if rule.assumption],
    }


def explain_text(rules: GoodsRules, rule_id: str) -> str:
    """`explain` for a person at a terminal."""
    told = explain(rules, rule_id)
    dates = told["dates"]
    until = dates["valid_until"] or "(no end)"
    wind_down = f"; wind-down until {dates['wind_down_until']}" if dates["wind_down_until"] else ""
    lines = [
        f"{told['id']}: {told['title']} ({told['kind']}, {told['file']})",
        f"legal basis: {told['legal_basis']}",
        f"applies: {dates['applies_from']} to {until} (in force {dates['valid_from']}{wind_down})",
        f"scope: {', '.join(told['scope']['modes'])}; {', '.join(told['scope']['directions'])}"
        + (f"; origin {', '.join(told['scope']['origins'])}" if told["scope"]["origins"] else ""),
        f"message: {told['message']}",
    ]
    if told["threshold_eur"] is not None:
        lines.append(f"value: above EUR {told['threshold_eur']:g} per item (0: any value)")
    for name in ("codes", "control_code_prefixes", "countries", "exemptions", "replaces"):
        if told[name]:
            lines.append(f"{name.replace('_', ' ')} ({len(told[name])}): {', '.join(told[name])}")
    lines.append(f"source: {told['source']}")
    if told["assumption"]:
        lines.append(f"assumption: {told['assumption']}")
    return "\n".join(lines)


__all__ = [
    "DEFAULT_GOODS_PACK",
    "GOODS_KINDS",
    "GoodsRule",
    "GoodsRules",
    "LegalBasis",
    "Mode",
    "Policy",
    "RuleKind",
    "diff",
    "dump",
    "explain",
    "explain_text",
    "load_goods_rules",
    "parse_code",
    "summary",
]
