"""Entry eligibility: may this person enter Lithuania (or transit it) on this date? Pure.

Input: the date, nationality, purpose (optional), documents, categories and whether the person is listed
under a travel ban (the caller screens). Output: ALLOW, or REFUSE with the Schengen Borders Code Annex V
refusal letter, and the reasons, each naming its rule and legal basis (rules: rulepacks/people.py).

How the rules combine (docs/eligibility.md):
1. every rule in force on the date is evaluated and every refusal collected; the decision's letter is the
   first of them in the catalogue's `refusal_precedence` (H before A before C before E ...);
2. the scope is `transit` when the purpose is transit (the person stays on the train), else `entry`:
   an FRTD or FTD is a ground for transit only, never for entering Lithuania (Reg 693/2003 Art 1, 3(1));
3. a travel document must be current (valid_from ≤ date ≤ valid_until; a missing bound is no limit),
   recognised on the date and a travel document for the scope; a document with no `biometric` flag is
   taken as biometric (the guard sees the passport; the feed often does not say);
4. free movement (EU/EEA/Swiss citizens) skips the visa requirement and the restrictions, not the travel
   ban or the travel document;
5. an ALLOW's reasons are the grounds that carried it (the visa, the permit, the exception).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from transitguard.rulepacks.people import (
    AuthorisationRule,
    DocumentNotRecognisedRule,
    ExceptionRule,
    GroundRule,
    PeopleRules,
    PurposeRestrictionRule,
    RuleBase,
)

__all__ = [
    "DOCUMENT_KINDS",
    "EligibilityDecision",
    "EligibilityRequest",
    "PersonDocument",
    "Reason",
    "decide",
    "recognised_travel_document",
]

Decision = Literal["ALLOW", "REFUSE"]
Scope = Literal["entry", "transit"]

# The kinds the Kaliningrad catalogue defines (rulepacks/kaliningrad/people/catalogue.yaml); another
# pack may define more. INTERNAL_PASSPORT: the Russian domestic passport, a travel document for FTD/FRTD
# transit only and only until 31 Dec 2004 (DOMAIN §1).
DOCUMENT_KINDS = (
    "PASSPORT",
    "DIPLOMATIC_PASSPORT",
    "INTERNAL_PASSPORT",
    "EU_CITIZEN",
    "SCHENGEN_VISA",
    "NATIONAL_VISA",
    "RESIDENCE_PERMIT",
    "FRTD",
    "FTD",
)


@dataclass(frozen=True)
class Reason:
    rule: str
    legal_basis: str
    message: str

    @classmethod
    def of(cls, rule: RuleBase, detail: str | None = None) -> Reason:
        return cls(rule.id, rule.legal_basis, f"{rule.message} ({detail})" if detail else rule.message)

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "legal_basis": self.legal_basis, "message": self.message}


@dataclass(frozen=True)
class PersonDocument:
    kind: str
    valid_until: date | None = None
    issuing_state: str | None = None
    biometric: bool | None = None
    valid_from: date | None = None


@dataclass(frozen=True)
class EligibilityRequest:
    on_date: date
    nationality: str
    purpose: str | None = None
    documents: tuple[PersonDocument, ...] = ()
    categories: frozenset[str] = field(default_factory=frozenset)
    listed: bool = False

    @property
    def scope(self) -> Scope:
        return "transit" if self.purpose == "transit" else "entry"


@dataclass(frozen=True)
class EligibilityDecision:
    decision: Decision
    refusal_code: str | None
    reasons: tuple[Reason, ...]
    scope: Scope

    @property
    def allowed(self) -> bool:
        return self.decision == "ALLOW"

    def as_dict(self) -> dict[str, Any]:
        """The contract's decision fields: decision, refusal_code (REFUSE only), reasons."""
        body: dict[str, Any] = {"decision": self.decision}
        if self.refusal_code is not None:
            body["refusal_code"] = self.refusal_code
        body["reasons"] = [r.as_dict() for r in self.reasons]
        return body


def _validate(request: EligibilityRequest, rules: PeopleRules) -> None:
    catalogue = rules.catalogue
    if request.on_date < rules.covers_from:
        raise ValueError(
            f"{request.on_date} is before {rules.covers_from}, the earliest date the rules cover"
        )
    if request.purpose is not None and request.purpose not in catalogue.purposes:
        raise ValueError(f"unknown purpose {request.purpose!r}")
    for document in request.documents:
        if document.kind not in catalogue.documents:
            raise ValueError(f"unknown document kind {document.kind!r}")
    for category in request.categories:
        if category not in catalogue.categories:
            raise ValueError(f"unknown category {category!r}")


def _current(document: PersonDocument, day: date) -> bool:
    return (document.valid_until is None or document.valid_until >= day) and (
        document.valid_from is None or document.valid_from <= day
    )


def _not_current(document: PersonDocument, day: date) -> str:
    if document.valid_from is not None and document.valid_from > day:
        return f"{document.kind} is valid only from {document.valid_from}"
    return f"{document.kind} expired on {document.valid_until}"


def _issued_by(document: PersonDocument, states: Sequence[str] | None) -> bool:
    return states is None or document.issuing_state is None or document.issuing_state in states


def _not_recognised(
    rule: DocumentNotRecognisedRule, document: PersonDocument, request: EligibilityRequest, held: set[str]
) -> bool:
    if document.kind not in rule.documents:
        return False
    # A passport that does not say who issued it is read as issued by the holder's state.
    issuer = document.issuing_state or request.nationality
    if issuer not in rule.issuing_states:
        return False
    if rule.biometric is not None and document.biometric is not rule.biometric:
        return False
    exempt = rule.exempt_when
    return not (exempt and request.scope == exempt.scope and held.intersection(exempt.documents))


def recognised_travel_document(
    request: EligibilityRequest, rules: PeopleRules
) -> tuple[PersonDocument | None, list[tuple[str, Reason]]]:
    """The first current, recognised travel document for the request's scope, or None with why each
    candidate failed as (refusal code, reason). Shared with the FRTD engine."""
    day, scope = request.on_date, request.scope
    in_force = rules.in_force(day)
    kinds = rules.catalogue.documents
    held = {d.kind for d in request.documents if _current(d, day)}
    problems: list[tuple[str, Reason]] = []
    travel_rule = in_force.travel_document
    for document in request.documents:
        spec = kinds[document.kind]
        if not spec.travel_document:
            continue
        if not _current(document, day):
            if travel_rule is not None:
                detail = _not_current(document, day)
                problems.append((travel_rule.refusal_code, Reason.of(travel_rule, detail)))
            continue
        if scope not in spec.travel_document_scopes:
            if travel_rule is not None:
                scopes = " and ".join(spec.travel_document_scopes)
                detail = f"{document.kind} is a travel document for {scopes} only"
                problems.append((travel_rule.refusal_code, Reason.of(travel_rule, detail)))
            continue
        refused = [r for r in in_force.not_recognised if _not_recognised(r, document, request, held)]
        if refused:
            problems.extend((r.refusal_code, Reason.of(r)) for r in refused)
            continue
        return document, []
    return None, problems


def decide(request: EligibilityRequest, rules: PeopleRules) -> EligibilityDecision:
    """ALLOW or REFUSE (with the SBC Annex V letter) and the reasons. ValueError on a date before the
    rules' coverage or a kind, category or purpose the catalogue does not define."""
    _validate(request, rules)
    day, scope = request.on_date, request.scope
    in_force = rules.in_force(day)
    current = [d for d in request.documents if _current(d, day)]
    held = {d.kind for d in current}
    refusals: list[tuple[str, Reason]] = []
    grounds: list[Reason] = []

    if request.listed:
        refusals.extend(
            (r.refusal_code, Reason.of(r))
            for r in in_force.travel_bans
            if request.nationality not in r.exempt_nationalities
        )

    travel_rule = in_force.travel_document
    if travel_rule is not None:
        document, problems = recognised_travel_document(request, rules)
        if document is None:
            if not any(reason.rule == travel_rule.id for _, reason in problems):
                detail = None if problems else "none was presented"
                refusals.append((travel_rule.refusal_code, Reason.of(travel_rule, detail)))
            refusals.extend(problems)

    free = next(
        (
            r
            for r in in_force.free_movement
            if request.nationality in r.nationalities or held.intersection(r.documents)
        ),
        None,
    )
    if free is not None:
        grounds.append(Reason.of(free))
    else:
        for rule, ground_rules in in_force.authorisations:
            _authorisation(rule, ground_rules, request, current, refusals, grounds)
        for restriction, exceptions in in_force.restrictions:
            _restriction(restriction, exceptions, request, current, refusals, grounds)

    if refusals:
        order = rules.precedence
        refusals = _unique(sorted(refusals, key=lambda item: order[item[0]]))
        return EligibilityDecision("REFUSE", refusals[0][0], tuple(r for _, r in refusals), scope)
    return EligibilityDecision("ALLOW", None, tuple(grounds), scope)


def _unique(refusals: list[tuple[str, Reason]]) -> list[tuple[str, Reason]]:
    seen: set[Reason] = set()
    kept = []
    for code, reason in refusals:
        if reason not in seen:
            seen.add(reason)
            kept.append((code, reason))
    return kept


def _authorisation(
    rule: AuthorisationRule,
    ground_rules: tuple[GroundRule, ...],
    request: EligibilityRequest,
    current: list[PersonDocument],
    refusals: list[tuple[str, Reason]],
    grounds: list[Reason],
) -> None:
    if request.nationality in rule.exempt_nationalities:
        return
    day, scope = request.on_date, request.scope
    matched: list[Reason] = []
    narrower: list[Reason] = []  # a document that authorises something, but not this (FRTD for entry)
    wrong_issuer: list[str] = []
    for ground in ground_rules:
        for document in current:
            if document.kind not in ground.documents:
                continue
            if not _issued_by(document, ground.issuing_states):
                wrong_issuer.append(f"{document.kind} issued by {document.issuing_state} does not count")
            elif scope in ground.scopes:
                matched.append(Reason.of(ground))
            else:
                narrower.append(Reason.of(ground))
    if matched:
        grounds.extend(m for index, m in enumerate(matched) if m not in matched[:index])
        return
    authorising = {d for g in ground_rules for d in g.documents}
    expired = [
        _not_current(d, day) for d in request.documents if d.kind in authorising and not _current(d, day)
    ]
    what = "entry into Lithuania" if scope == "entry" else "transit through the corridor"
    detail = "; ".join([f"needed for {what}", *expired, *wrong_issuer])
    refusals.append((rule.refusal_code, Reason.of(rule, detail)))
    refusals.extend((rule.refusal_code, reason) for reason in narrower)


def _excepted(exception: ExceptionRule, request: EligibilityRequest, current: list[PersonDocument]) -> bool:
    if request.scope not in exception.scopes:
        return False
    if request.categories.intersection(exception.categories):
        return True
    return any(d.kind in exception.documents and _issued_by(d, exception.issuing_states) for d in current)


def _restriction(
    rule: PurposeRestrictionRule,
    exceptions: tuple[ExceptionRule, ...],
    request: EligibilityRequest,
    current: list[PersonDocument],
    refusals: list[tuple[str, Reason]],
    grounds: list[Reason],
) -> None:
    if request.nationality not in rule.nationalities:
        return
    purpose = request.purpose
    if not (purpose in rule.purposes or (purpose is None and rule.unstated_purpose_restricted)):
        return
    for exception in exceptions:
        if _excepted(exception, request, current):
            grounds.append(Reason.of(exception))
            return
    detail = f"purpose: {purpose}" if purpose else "no purpose stated"
    refusals.append((rule.refusal_code, Reason.of(rule, detail + "; no exception applies")))
