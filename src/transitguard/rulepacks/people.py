"""The people rules of a rule pack: who may enter or transit, and how FRTD applications are decided.

Three files in the pack's `people/` folder, loaded the way the corridor is (loader.py): YAML → typed
models that reject unknown keys → a second pass that resolves every reference (refusal letters, document
kinds, categories, purposes, grounds, exceptions) and fails naming the file and the key.

- `catalogue.yaml`: SBC Annex V refusal letters and their precedence, purposes, categories, document kinds;
- `eligibility.yaml`: date-effective entry rules (engines/eligibility.py);
- `frtd.yaml`: FRTD decision settings and checks (engines/frtd.py); validity and transit hours stay in
  corridor.yaml, which the FRTD engine reads.

`dump`, `diff` and `explain` serve `transitguard rules ...`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from transitguard.domain.events import TransitDocumentKind
from transitguard.errors import ConfigurationError, NotFoundError
from transitguard.rulepacks.loader import PACKS_ROOT, PackManifest
from transitguard.rulepacks.yaml_files import read_yaml

__all__ = [
    "FRTD_CHECK_IDS",
    "PEOPLE_FILES",
    "AuthorisationRule",
    "Catalogue",
    "DocumentNotRecognisedRule",
    "EligibilityFile",
    "EligibilityRule",
    "ExceptionRule",
    "FreeMovementRule",
    "FrtdCheck",
    "FrtdSettings",
    "GroundRule",
    "PeopleRules",
    "PurposeRestrictionRule",
    "RulesInForce",
    "TravelBanRule",
    "TravelDocumentRule",
    "diff",
    "dump",
    "explain",
    "load_people_rules",
]

PEOPLE_FILES = ("catalogue.yaml", "eligibility.yaml", "frtd.yaml")
# The FRTD checks the engine performs by id; a check with a `violation` may be added freely.
FRTD_CHECK_IDS = (
    "frtd-complete-application",
    "frtd-nationality",
    "frtd-travel-document",
    "frtd-travel-document-outlives",
    "frtd-validity",
    "frtd-trains",
    "frtd-entry-ban",
    "frtd-watchlist-hit",
    "frtd-unknown-violation",
    "frtd-ticket-cutoff",
    "frtd-decision-deadline",
    "frtd-grant",
)
# Document kinds the engines name: the event contract's transit documents and the passport.
REQUIRED_DOCUMENT_KINDS = (*get_args(TransitDocumentKind), "PASSPORT")

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
RefusalCode = Annotated[str, Field(pattern=r"^[A-Z]$")]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Text = Annotated[str, Field(min_length=1)]
Scope = Literal["entry", "transit"]
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- catalogue.yaml ------------------------------------------------------------------------------------


class RefusalCodeSpec(Spec):
    reason: Text
    legal_basis: Text
    source: Text
    assumption: bool = False


class Labelled(Spec):
    label: Text
    source: Text
    assumption: bool = False


class DocumentKindSpec(Labelled):
    travel_document: bool = False
    travel_document_scopes: tuple[Scope, ...] = ("entry", "transit")


class Catalogue(Spec):
    refusal_codes: dict[RefusalCode, RefusalCodeSpec]
    refusal_precedence: tuple[RefusalCode, ...]
    purposes: dict[str, Labelled]
    categories: dict[str, Labelled]
    documents: dict[str, DocumentKindSpec]


# -- eligibility.yaml ----------------------------------------------------------------------------------


class RuleBase(Spec):
    id: RuleId
    valid_from: date
    valid_until: date | None = None
    legal_basis: Text
    message: Text
    source: Text = Field(description="the fact's source, citing DOMAIN.md")
    assumption: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> RuleBase:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class RefusingRule(RuleBase):
    refusal_code: RefusalCode


class TravelBanRule(RefusingRule):
    """The caller says the person is listed: refuse entry and transit."""

    kind: Literal["travel_ban"]
    exempt_nationalities: tuple[CountryCode, ...] = ()


class TravelDocumentRule(RefusingRule):
    """At least one current, recognised travel document for the scope (entry or transit)."""

    kind: Literal["travel_document_required"]


class Exemption(Spec):
    scope: Scope
    documents: tuple[str, ...]


class DocumentNotRecognisedRule(RefusingRule):
    """Documents of these kinds, issued by these states (and, if set, with this biometric status),
    are not travel documents from valid_from on, unless `exempt_when` holds."""

    kind: Literal["document_not_recognised"]
    documents: tuple[str, ...] = Field(min_length=1)
    issuing_states: tuple[CountryCode, ...] = Field(min_length=1)
    biometric: bool | None = None
    exempt_when: Exemption | None = None


class FreeMovementRule(RuleBase):
    kind: Literal["free_movement"]
    nationalities: tuple[CountryCode, ...] = ()
    documents: tuple[str, ...] = ()


class GroundRule(RuleBase):
    """A document that authorises entry and/or transit (referenced from an authorisation_required rule)."""

    kind: Literal["ground"]
    documents: tuple[str, ...] = Field(min_length=1)
    scopes: tuple[Scope, ...] = Field(min_length=1)
    issuing_states: tuple[CountryCode, ...] | None = None


class AuthorisationRule(RefusingRule):
    kind: Literal["authorisation_required"]
    exempt_nationalities: tuple[CountryCode, ...] = ()
    grounds: tuple[RuleId, ...] = Field(min_length=1)


class PurposeRestrictionRule(RefusingRule):
    kind: Literal["purpose_restriction"]
    nationalities: tuple[CountryCode, ...] = Field(min_length=1)
    purposes: tuple[str, ...] = Field(min_length=1)
    unstated_purpose_restricted: bool
    exceptions: tuple[RuleId, ...] = ()


class ExceptionRule(RuleBase):
    """Lifts a purpose restriction: a category the person belongs to, or a document they hold."""

    kind: Literal["exception"]
    categories: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    issuing_states: tuple[CountryCode, ...] | None = None
    scopes: tuple[Scope, ...] = ("entry", "transit")

    @model_validator(mode="after")
    def _says_something(self) -> ExceptionRule:
        if not self.categories and not self.documents:
            raise ValueError("an exception needs categories or documents")
        return self


EligibilityRule = Annotated[
    TravelBanRule
    | TravelDocumentRule
    | DocumentNotRecognisedRule
    | FreeMovementRule
    | GroundRule
    | AuthorisationRule
    | PurposeRestrictionRule
    | ExceptionRule,
    Field(discriminator="kind"),
]
RULE_KINDS = (
    "travel_ban",
    "travel_document_required",
    "document_not_recognised",
    "free_movement",
    "ground",
    "authorisation_required",
    "purpose_restriction",
    "exception",
)


class EligibilityFile(Spec):
    covers_from: date
    state_groups: dict[str, tuple[CountryCode, ...]] = {}
    rules: tuple[EligibilityRule, ...]


# -- frtd.yaml -----------------------------------------------------------------------------------------


class TextSetting(Spec):
    value: Text
    source: Text
    assumption: bool = False


class CountriesSetting(Spec):
    value: tuple[CountryCode, ...] = Field(min_length=1)
    source: Text
    assumption: bool = False


class NumberSetting(Spec):
    value: Annotated[int, Field(ge=0)]
    source: Text
    assumption: bool = False


FrtdAction = Literal["refuse", "refer", "note"]


class FrtdCheck(RuleBase):
    action: FrtdAction
    violation: Annotated[str, Field(pattern=r"^[a-z_]+$")] | None = None


class FrtdSettings(Spec):
    issuing_state: CountryCode
    territory: CountryCode
    number_prefix: TextSetting
    eligible_nationalities: CountriesSetting
    decision_deadline_hours: NumberSetting
    journey_margin_days: NumberSetting
    ticket_cutoff_hours: NumberSetting
    checks: tuple[FrtdCheck, ...]

    def check(self, check_id: str) -> FrtdCheck:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def violation_check(self, violation: str) -> FrtdCheck | None:
        return next((c for c in self.checks if c.violation == violation), None)


# -- the loaded whole ----------------------------------------------------------------------------------

AnyRule = EligibilityRule | FrtdCheck


@dataclass(frozen=True)
class RulesInForce:
    """The eligibility rules in force on some day, sorted by kind, references resolved."""

    rules: tuple[EligibilityRule, ...]
    travel_bans: tuple[TravelBanRule, ...]
    travel_document: TravelDocumentRule | None
    not_recognised: tuple[DocumentNotRecognisedRule, ...]
    free_movement: tuple[FreeMovementRule, ...]
    authorisations: tuple[tuple[AuthorisationRule, tuple[GroundRule, ...]], ...]
    restrictions: tuple[tuple[PurposeRestrictionRule, tuple[ExceptionRule, ...]], ...]

    @classmethod
    def on(cls, day: date, rules: Sequence[EligibilityRule]) -> RulesInForce:
        live = tuple(r for r in rules if r.in_force(day))
        by_id = {r.id: r for r in live}

        def resolved(ids: Sequence[str], kind: type[R]) -> tuple[R, ...]:
            return tuple(r for r in (by_id.get(i) for i in ids) if isinstance(r, kind))

        return cls(
            rules=live,
            travel_bans=tuple(r for r in live if isinstance(r, TravelBanRule)),
            travel_document=next((r for r in live if isinstance(r, TravelDocumentRule)), None),
            not_recognised=tuple(r for r in live if isinstance(r, DocumentNotRecognisedRule)),
            free_movement=tuple(r for r in live if isinstance(r, FreeMovementRule)),
            authorisations=tuple(
                (r, resolved(r.grounds, GroundRule)) for r in live if isinstance(r, AuthorisationRule)
            ),
            restrictions=tuple(
                (r, resolved(r.exceptions, ExceptionRule))
                for r in live
                if isinstance(r, PurposeRestrictionRule)
            ),
        )


@dataclass(frozen=True)
class PeopleRules:
    pack_id: str
    version: str
    path: Path
    catalogue: Catalogue
    eligibility: EligibilityFile
    frtd: FrtdSettings
    # Derived at construction: the days on which the set of rules in force changes, with that set.
    _starts: list[date] = field(default_factory=list, compare=False, repr=False)
    _epochs: list[RulesInForce] = field(default_factory=list, compare=False, repr=False)
    _by_id: dict[str, AnyRule] = field(default_factory=dict, compare=False, repr=False)
    _precedence: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        rules = self.eligibility.rules
        starts = {date.min, *(r.valid_from for r in rules)}
        starts |= {
            r.valid_until + timedelta(days=1) for r in rules if r.valid_until and r.valid_until < date.max
        }
        self._starts[:] = sorted(starts)
        self._epochs[:] = [RulesInForce.on(start, rules) for start in self._starts]
        self._by_id.clear()
        self._by_id.update((r.id, r) for r in (*rules, *self.frtd.checks))
        self._precedence.clear()
        self._precedence.update((code, i) for i, code in enumerate(self.catalogue.refusal_precedence))

    @property
    def precedence(self) -> Mapping[str, int]:
        """Refusal letter → its rank in `refusal_precedence` (0 = the letter a decision gives first)."""
        return self._precedence

    @property
    def covers_from(self) -> date:
        return self.eligibility.covers_from

    def in_force(self, day: date) -> RulesInForce:
        """The eligibility rules in force on `day` (a binary search over the days the set changes)."""
        return self._epochs[bisect_right(self._starts, day) - 1]

    def rules_in_force(self, day: date) -> tuple[EligibilityRule, ...]:
        return self.in_force(day).rules

    def rule(self, rule_id: str) -> AnyRule:
        found = self._by_id.get(rule_id)
        if found is not None:
            return found
        raise NotFoundError(f"no rule {rule_id!r} in the people rules of pack {self.pack_id!r}")

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in (*self.eligibility.rules, *self.frtd.checks))


def _key(loc: Sequence[int | str]) -> str:
    """A pydantic location as the key a YAML author wrote: the union's kind tag left out."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        if index and isinstance(loc[index - 1], int) and part in RULE_KINDS:
            continue
        parts.append(str(part))
    return ".".join(parts) or "(top level)"


def _rule_hint(data: Any, loc: Sequence[int | str]) -> str:
    """' (rule <id>)' when the key is inside a list entry that has an id."""
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
        entries = data.get(str(loc[0]))
        if isinstance(entries, list) and 0 <= loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
            rule_id = entries[loc[1]].get("id")
            if isinstance(rule_id, str):
                return f" (rule {rule_id})"
    return ""


def _validated(model: type[M], data: Any, path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Unknown keys first: a misspelt key also shows up as the missing key it should have been.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        named = [
            f"key {_key(e['loc'])}{'.kind' if e['type'] == 'union_tag_invalid' else ''}"
            f"{_rule_hint(data, e['loc'])}: "
            + ("unknown key" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, "))
            for e in errors[:5]
        ]
        raise ConfigurationError(f"{path}: " + "; ".join(named)) from None


class _References:
    """Second pass: every name a rule uses must be defined; fails naming file and key."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def known(
        self, path: Path, key: str, values: Sequence[str], defined: Mapping[str, object], what: str
    ) -> None:
        for index, value in enumerate(values):
            if value not in defined:
                known = ", ".join(sorted(defined))
                raise ConfigurationError(
                    f"{path}: key {key}.{index}: unknown {what} {value!r} (known: {known})"
                )

    def catalogue_file(self, path: Path) -> None:
        codes = self.catalogue.refusal_codes
        precedence = self.catalogue.refusal_precedence
        if sorted(precedence) != sorted(codes):
            raise ConfigurationError(
                f"{path}: key refusal_precedence: must list each refusal code once "
                f"({', '.join(sorted(codes))}), got {', '.join(precedence)}"
            )
        for kind in REQUIRED_DOCUMENT_KINDS:
            if kind not in self.catalogue.documents:
                raise ConfigurationError(f"{path}: key documents: document kind {kind} is required")
        if "transit" not in self.catalogue.purposes:
            raise ConfigurationError(f"{path}: key purposes: the purpose 'transit' is required")

    def eligibility_file(self, file: EligibilityFile, path: Path) -> None:
        catalogue = self.catalogue
        by_id: dict[str, EligibilityRule] = {}
        for index, rule in enumerate(file.rules):
            key = f"rules.{index}"
            if rule.id in by_id:
                raise ConfigurationError(f"{path}: key {key}.id: rule {rule.id!r} is defined twice")
            by_id[rule.id] = rule
            if isinstance(rule, RefusingRule) and rule.refusal_code not in catalogue.refusal_codes:
                raise ConfigurationError(
                    f"{path}: key {key}.refusal_code (rule {rule.id}): "
                    f"unknown refusal code {rule.refusal_code!r}"
                )
            documents = getattr(rule, "documents", ())
            self.known(path, f"{key}.documents", documents, catalogue.documents, "document kind")
            if isinstance(rule, DocumentNotRecognisedRule) and rule.exempt_when is not None:
                self.known(
                    path,
                    f"{key}.exempt_when.documents",
                    rule.exempt_when.documents,
                    catalogue.documents,
                    "document kind",
                )
            if isinstance(rule, ExceptionRule):
                self.known(path, f"{key}.categories", rule.categories, catalogue.categories, "category")
            if isinstance(rule, PurposeRestrictionRule):
                self.known(path, f"{key}.purposes", rule.purposes, catalogue.purposes, "purpose")
        for index, rule in enumerate(file.rules):
            if isinstance(rule, AuthorisationRule):
                self._refs(path, f"rules.{index}.grounds", rule.grounds, by_id, GroundRule, "ground")
            if isinstance(rule, PurposeRestrictionRule):
                self._refs(
                    path, f"rules.{index}.exceptions", rule.exceptions, by_id, ExceptionRule, "exception"
                )

    @staticmethod
    def _refs(
        path: Path, key: str, ids: Sequence[str], by_id: Mapping[str, EligibilityRule], kind: type, what: str
    ) -> None:
        for index, rule_id in enumerate(ids):
            target = by_id.get(rule_id)
            if target is None:
                raise ConfigurationError(f"{path}: key {key}.{index}: no rule {rule_id!r} is defined")
            if not isinstance(target, kind):
                raise ConfigurationError(f"{path}: key {key}.{index}: rule {rule_id!r} is not a {what} rule")

    @staticmethod
    def frtd_file(settings: FrtdSettings, path: Path, eligibility_ids: set[str]) -> None:
        seen: set[str] = set()
        violations: set[str] = set()
        for index, check in enumerate(settings.checks):
            key = f"checks.{index}"
            if check.id in seen or check.id in eligibility_ids:
                raise ConfigurationError(f"{path}: key {key}.id: rule {check.id!r} is defined twice")
            seen.add(check.id)
            if check.violation is not None:
                if check.violation in violations:
                    raise ConfigurationError(
                        f"{path}: key {key}.violation: violation {check.violation!r} has two checks"
                    )
                violations.add(check.violation)
            elif check.id not in FRTD_CHECK_IDS:
                raise ConfigurationError(
                    f"{path}: key {key}.id: unknown check {check.id!r} (the engine knows "
                    f"{', '.join(FRTD_CHECK_IDS)}; a check with `violation` may have any id)"
                )
        missing = [c for c in FRTD_CHECK_IDS if c not in seen]
        if missing:
            raise ConfigurationError(f"{path}: key checks: missing check {missing[0]!r}")


def _pack_folder(pack_path: str | Path) -> Path:
    folder = Path(pack_path)
    if not folder.is_dir():
        folder = PACKS_ROOT / str(pack_path)
    if not folder.is_dir():
        raise ConfigurationError(f"rule pack {pack_path!r}: no such folder")
    return folder


def load_people_rules(pack_path: str | Path) -> PeopleRules:
    """Load `<pack>/people/*.yaml` (by pack name or folder); ConfigurationError names file and key."""
    folder = _pack_folder(pack_path)
    manifest_path = folder / "pack.yaml"
    manifest = _validated(PackManifest, read_yaml(manifest_path), manifest_path)
    people = folder / "people"
    if not people.is_dir():
        raise ConfigurationError(f"{people}: no people rules folder in pack {manifest.id!r}")
    stray = sorted(p.name for p in people.glob("*.y*ml") if p.name not in PEOPLE_FILES)
    if stray:
        raise ConfigurationError(
            f"{people / stray[0]}: unexpected file (the people rules are {', '.join(PEOPLE_FILES)})"
        )
    paths = {name: people / name for name in PEOPLE_FILES}
    catalogue = _validated(Catalogue, read_yaml(paths["catalogue.yaml"]), paths["catalogue.yaml"])
    references = _References(catalogue)
    references.catalogue_file(paths["catalogue.yaml"])
    eligibility = _validated(EligibilityFile, read_yaml(paths["eligibility.yaml"]), paths["eligibility.yaml"])
    references.eligibility_file(eligibility, paths["eligibility.yaml"])
    frtd = _validated(FrtdSettings, read_yaml(paths["frtd.yaml"]), paths["frtd.yaml"])
    references.frtd_file(frtd, paths["frtd.yaml"], {r.id for r in eligibility.rules})
    return PeopleRules(manifest.id, manifest.version, folder, catalogue, eligibility, frtd)


# -- dump, diff, explain -------------------------------------------------------------------------------


def dump(rules: PeopleRules) -> dict[str, Any]:
    """The loaded rules as JSON-ready data (what `transitguard rules dump` prints)."""
    return {
        "pack": rules.pack_id,
        "version": rules.version,
        "catalogue": rules.catalogue.model_dump(mode="json"),
        "eligibility": rules.eligibility.model_dump(mode="json", exclude_none=True),
        "frtd": rules.frtd.model_dump(mode="json", exclude_none=True),
    }


def _keyed(value: Any) -> Any:
    """Lists of rules become {id: rule}, so that a diff names rules, not positions."""
    if isinstance(value, dict):
        return {k: _keyed(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        return {v["id"]: _keyed(v) for v in value}
    return value


def _walk(old: Any, new: Any, path: str, changes: list[dict[str, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                changes.append({"change": "removed", "path": where, "old": old[key], "new": None})
            elif key not in old:
                changes.append({"change": "added", "path": where, "old": None, "new": new[key]})
            else:
                _walk(old[key], new[key], where, changes)
    elif old != new:
        changes.append({"change": "changed", "path": path, "old": old, "new": new})


def diff(old: PeopleRules, new: PeopleRules) -> list[dict[str, Any]]:
    """What changed between two loaded rule sets: [{change: added|removed|changed, path, old, new}].
    Rules are named by id (`eligibility.rules.ru-entry-restriction-2022.valid_from`), not position."""
    changes: list[dict[str, Any]] = []
    _walk(_keyed(dump(old)), _keyed(dump(new)), "", changes)
    return changes


def explain(rules: PeopleRules, rule_id: str) -> str:
    """One rule in words: what it does, when, on what legal basis, and what it refers to."""
    rule = rules.rule(rule_id)
    kind = rule.kind if not isinstance(rule, FrtdCheck) else f"FRTD check ({rule.action})"
    until = rule.valid_until.isoformat() if rule.valid_until else "further notice"
    lines = [
        f"{rule.id}: {kind}",
        f"  in force: {rule.valid_from.isoformat()} until {until}",
        f"  message: {rule.message}",
        f"  legal basis: {rule.legal_basis}",
        f"  source: {rule.source}" + ("  [assumption: unconfirmed, configurable]" if rule.assumption else ""),
    ]
    code = getattr(rule, "refusal_code", None)
    if isinstance(code, str):
        spec = rules.catalogue.refusal_codes[code]
        lines.append(f"  refusal code: {code} ({spec.reason}; {spec.legal_basis})")
    for name in ("documents", "categories", "purposes", "nationalities", "scopes", "exempt_nationalities"):
        values = getattr(rule, name, None)
        if values:
            lines.append(f"  {name.replace('_', ' ')}: {', '.join(values)}")
    if isinstance(rule, DocumentNotRecognisedRule):
        lines.append(f"  issuing states: {', '.join(rule.issuing_states)}")
        if rule.biometric is not None:
            lines.append(f"  biometric: {'yes' if rule.biometric else 'no'}")
        if rule.exempt_when is not None:
            lines.append(
                f"  not applied to {rule.exempt_when.scope} with {', '.join(rule.exempt_when.documents)}"
            )
    if isinstance(rule, PurposeRestrictionRule):
        lines.append(
            f"  no purpose stated counts as restricted: {'yes' if rule.unstated_purpose_restricted else 'no'}"
        )
    if isinstance(rule, FrtdCheck) and rule.violation:
        lines.append(f"  reacts to earlier violation: {rule.violation}")
    for name in ("grounds", "exceptions"):
        for ref in getattr(rule, name, ()):
            target = rules.rule(ref)
            lines.append(f"  {name[:-1]} {ref}: {target.message}")
    return "\n".join(lines)
