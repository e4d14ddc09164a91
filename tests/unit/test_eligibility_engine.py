"""Entry eligibility as a border guard at Kena sees it: who may enter Lithuania, who may only transit."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transitguard.engines.eligibility import (
    EligibilityDecision,
    EligibilityRequest,
    PersonDocument,
    decide,
)
from transitguard.rulepacks.people import PeopleRules, load_people_rules

PASSPORT = PersonDocument("PASSPORT", date(2030, 1, 1), "RUS")
VISA = PersonDocument("SCHENGEN_VISA", date(2026, 12, 31), "DEU")
FRTD = PersonDocument("FRTD", date(2026, 12, 31), "LTU", valid_from=date(2020, 1, 1))
PERMIT = PersonDocument("RESIDENCE_PERMIT", date(2027, 6, 30), "LTU")


@pytest.fixture(scope="module")
def rules() -> PeopleRules:
    return load_people_rules("kaliningrad")


def russian(
    rules: PeopleRules,
    on: date,
    *documents: PersonDocument,
    purpose: str | None = None,
    categories: tuple[str, ...] = (),
    listed: bool = False,
    nationality: str = "RUS",
) -> EligibilityDecision:
    request = EligibilityRequest(on, nationality, purpose, documents, frozenset(categories), listed)
    return decide(request, rules)


def rule_ids(decision: EligibilityDecision) -> list[str]:
    return [r.rule for r in decision.reasons]


def test_a_russian_tourist_with_a_schengen_visa_the_day_before_and_after_19_september_2022(
    rules: PeopleRules,
) -> None:
    before = russian(rules, date(2022, 9, 18), PASSPORT, VISA, purpose="tourism")
    assert before.decision == "ALLOW"
    assert rule_ids(before) == ["ground-schengen-visa"]
    after = russian(rules, date(2022, 9, 20), PASSPORT, VISA, purpose="tourism")
    assert after.decision == "REFUSE"
    # E, not C: the visa is valid; the purpose is what the restriction refuses (docs/eligibility.md).
    assert after.refusal_code == "E"
    assert rule_ids(after) == ["ru-entry-restriction-2022"]
    assert "purpose: tourism" in after.reasons[0].message
    assert "Joint statement" in after.reasons[0].legal_basis


@pytest.mark.parametrize("purpose", ["tourism", "business", "culture", "sport", None])
def test_the_restricted_purposes_and_an_unstated_one(rules: PeopleRules, purpose: str | None) -> None:
    decision = russian(rules, date(2023, 6, 1), PASSPORT, VISA, purpose=purpose)
    assert (decision.decision, decision.refusal_code) == ("REFUSE", "E")


@pytest.mark.parametrize("purpose", ["family", "work", "study"])
def test_purposes_outside_the_restriction_are_not_refused_by_it(rules: PeopleRules, purpose: str) -> None:
    assert russian(rules, date(2023, 6, 1), PASSPORT, VISA, purpose=purpose).decision == "ALLOW"


def test_a_russian_with_an_eu_residence_permit_may_enter(rules: PeopleRules) -> None:
    decision = russian(rules, date(2023, 6, 1), PASSPORT, PERMIT, purpose="tourism")
    assert decision.decision == "ALLOW"
    assert rule_ids(decision) == ["ground-residence-permit", "exception-residence-permit-or-d-visa"]


def test_a_residence_permit_of_a_state_outside_the_eu_does_not_count(rules: PeopleRules) -> None:
    british = PersonDocument("RESIDENCE_PERMIT", date(2027, 6, 30), "GBR")
    decision = russian(rules, date(2023, 6, 1), PASSPORT, british, purpose="work")
    assert (decision.decision, decision.refusal_code) == ("REFUSE", "C")
    assert "issued by GBR does not count" in decision.reasons[0].message


def test_an_frtd_holder_asking_to_leave_the_train_at_kena_is_refused(rules: PeopleRules) -> None:
    decision = russian(rules, date(2024, 5, 10), PASSPORT, FRTD)  # no purpose: asks to get off
    assert decision.decision == "REFUSE"
    assert decision.refusal_code == "C"
    assert rule_ids(decision)[:2] == ["visa-or-permit-required", "ground-frtd"]
    assert "transit through the corridor only" in decision.reasons[1].message
    assert "needed for entry into Lithuania" in decision.reasons[0].message


def test_the_same_frtd_holder_staying_on_the_train_transits(rules: PeopleRules) -> None:
    decision = russian(rules, date(2024, 5, 10), PASSPORT, FRTD, purpose="transit")
    assert decision.decision == "ALLOW"
    assert decision.scope == "transit"
    assert rule_ids(decision) == ["ground-frtd"]


def test_an_frtd_holder_may_leave_the_train_on_another_ground(rules: PeopleRules) -> None:
    with_permit = russian(rules, date(2024, 5, 10), PASSPORT, FRTD, PERMIT)
    assert with_permit.decision == "ALLOW"
    assert "ground-residence-permit" in rule_ids(with_permit)
    family = russian(rules, date(2024, 5, 10), PASSPORT, FRTD, VISA, categories=("family_of_eu_citizen",))
    assert family.decision == "ALLOW"
    assert rule_ids(family) == ["ground-schengen-visa", "exception-family-of-eu-citizen"]


def test_a_diplomat_may_enter_on_business(rules: PeopleRules) -> None:
    passport = PersonDocument("DIPLOMATIC_PASSPORT", date(2031, 1, 1), "RUS")
    visa = PersonDocument("NATIONAL_VISA", date(2026, 1, 1), "LTU")
    decision = russian(rules, date(2024, 2, 1), passport, visa, purpose="business", categories=("diplomat",))
    assert decision.decision == "ALLOW"
    assert rule_ids(decision) == ["ground-national-visa", "exception-diplomat"]


def test_an_exception_category_does_not_replace_the_visa(rules: PeopleRules) -> None:
    decision = russian(rules, date(2024, 2, 1), PASSPORT, purpose="family", categories=("humanitarian",))
    assert (decision.decision, decision.refusal_code) == ("REFUSE", "C")


def test_a_listed_person_is_refused_with_h_even_with_valid_documents(rules: PeopleRules) -> None:
    decision = russian(rules, date(2024, 2, 1), PASSPORT, PERMIT, FRTD, purpose="transit", listed=True)
    assert decision.decision == "REFUSE"
    assert decision.refusal_code == "H"
    assert rule_ids(decision) == ["eu-travel-ban"]
    assert "2014/145/CFSP" in decision.reasons[0].legal_basis


def test_the_travel_ban_does_not_oblige_lithuania_to_refuse_its_own_citizens(rules: PeopleRules) -> None:
    own = PersonDocument("EU_CITIZEN", date(2030, 1, 1), "LTU")
    assert russian(rules, date(2024, 2, 1), own, nationality="LTU", listed=True).decision == "ALLOW"
    latvian = PersonDocument("EU_CITIZEN", date(2030, 1, 1), "LVA")
    assert russian(rules, date(2024, 2, 1), latvian, nationality="LVA", listed=True).refusal_code == "H"


def test_a_non_biometric_russian_passport_from_1_june_2025(rules: PeopleRules) -> None:
    old = PersonDocument("PASSPORT", date(2027, 1, 1), "RUS", biometric=False)
    assert russian(rules, date(2025, 5, 31), old, VISA, purpose="family").decision == "ALLOW"
    refused = russian(rules, date(2025, 6, 1), old, VISA, purpose="family")
    assert (refused.decision, refused.refusal_code) == ("REFUSE", "A")
    assert "ru-non-biometric-passport" in rule_ids(refused)
    # Even a Schengen visa holder needs an FRTD to transit on such a passport (DOMAIN §1).
    assert russian(rules, date(2025, 6, 1), old, VISA, purpose="transit").refusal_code == "A"
    assert russian(rules, date(2025, 6, 1), old, FRTD, purpose="transit").decision == "ALLOW"
    # A biometric passport, or one whose chip nobody reported, is recognised.
    chip = PersonDocument("PASSPORT", date(2027, 1, 1), "RUS", biometric=True)
    assert russian(rules, date(2025, 6, 1), chip, VISA, purpose="family").decision == "ALLOW"


def test_internal_passports_carried_transit_until_the_end_of_2004_only(rules: PeopleRules) -> None:
    internal = PersonDocument("INTERNAL_PASSPORT", None, "RUS")
    frtd = PersonDocument("FRTD", date(2005, 3, 1), "LTU")
    assert russian(rules, date(2004, 12, 31), internal, frtd, purpose="transit").decision == "ALLOW"
    refused = russian(rules, date(2005, 1, 1), internal, frtd, purpose="transit")
    assert (refused.decision, refused.refusal_code) == ("REFUSE", "A")
    assert "ru-internal-passport" in rule_ids(refused)
    # Never a document to enter on.
    entry = russian(rules, date(2004, 6, 1), internal, PersonDocument("NATIONAL_VISA", date(2005, 1, 1)))
    assert entry.refusal_code == "A"
    assert "for transit only" in entry.reasons[0].message


def test_expired_documents_are_named_with_their_date(rules: PeopleRules) -> None:
    expired = PersonDocument("PASSPORT", date(2021, 3, 1), "RUS")
    decision = russian(rules, date(2021, 3, 2), expired, VISA, purpose="work")
    assert decision.refusal_code == "A"
    assert "PASSPORT expired on 2021-03-01" in decision.reasons[0].message
    old_visa = PersonDocument("SCHENGEN_VISA", date(2021, 1, 1))
    decision = russian(rules, date(2021, 3, 2), PASSPORT, old_visa, purpose="work")
    assert decision.refusal_code == "C"
    assert "SCHENGEN_VISA expired on 2021-01-01" in decision.reasons[0].message
    early = PersonDocument("SCHENGEN_VISA", date(2022, 1, 1), valid_from=date(2021, 6, 1))
    assert (
        "valid only from 2021-06-01" in russian(rules, date(2021, 3, 2), PASSPORT, early).reasons[0].message
    )


def test_several_failures_give_the_letter_that_comes_first(rules: PeopleRules) -> None:
    decision = russian(rules, date(2023, 6, 1), purpose="tourism")
    assert decision.refusal_code == "A"
    assert rule_ids(decision) == [
        "valid-travel-document",
        "visa-or-permit-required",
        "ru-entry-restriction-2022",
    ]
    assert "none was presented" in decision.reasons[0].message


def test_free_movement(rules: PeopleRules) -> None:
    german = PersonDocument("EU_CITIZEN", date(2030, 1, 1), "DEU")
    decision = russian(rules, date(2023, 6, 1), german, nationality="DEU", purpose="tourism")
    assert decision.decision == "ALLOW"
    assert rule_ids(decision) == ["free-movement"]
    # A Russian-German dual national travelling on the German card: free movement, no restriction.
    assert russian(rules, date(2023, 6, 1), german, purpose="tourism").decision == "ALLOW"


def test_what_the_rules_do_not_know_is_an_error_not_a_guess(rules: PeopleRules) -> None:
    with pytest.raises(ValueError, match="unknown category 'oligarch'"):
        russian(rules, date(2023, 6, 1), PASSPORT, categories=("oligarch",))
    with pytest.raises(ValueError, match="unknown document kind"):
        russian(rules, date(2023, 6, 1), PersonDocument("ID_CARD"))
    with pytest.raises(ValueError, match="before 2003-07-01"):
        russian(rules, date(2001, 1, 1), PASSPORT)


def test_the_decision_as_the_output_contract_writes_it(rules: PeopleRules) -> None:
    allowed = russian(rules, date(2022, 9, 18), PASSPORT, VISA, purpose="tourism").as_dict()
    assert list(allowed) == ["decision", "reasons"]
    refused = russian(rules, date(2022, 9, 20), PASSPORT, VISA, purpose="tourism").as_dict()
    assert list(refused) == ["decision", "refusal_code", "reasons"]
    assert list(refused["reasons"][0]) == ["rule", "legal_basis", "message"]


KINDS = [
    "PASSPORT",
    "DIPLOMATIC_PASSPORT",
    "SCHENGEN_VISA",
    "NATIONAL_VISA",
    "RESIDENCE_PERMIT",
    "FRTD",
    "FTD",
]
documents = st.lists(
    st.builds(
        PersonDocument,
        kind=st.sampled_from(KINDS),
        valid_until=st.one_of(st.none(), st.dates(date(2003, 7, 1), date(2030, 1, 1))),
        issuing_state=st.sampled_from([None, "RUS", "LTU", "GBR"]),
        biometric=st.sampled_from([None, True, False]),
    ),
    max_size=4,
).map(tuple)


@settings(max_examples=300, deadline=None)
@given(
    on=st.dates(date(2003, 7, 1), date(2030, 1, 1)),
    docs=documents,
    purpose=st.sampled_from([None, "tourism", "business", "family", "work", "transit"]),
    categories=st.sets(st.sampled_from(["diplomat", "dissident", "humanitarian", "transport_crew"])),
    listed=st.booleans(),
)
def test_every_decision_is_explained_and_coded(
    rules: PeopleRules,
    on: date,
    docs: tuple[PersonDocument, ...],
    purpose: str | None,
    categories: set[str],
    listed: bool,
) -> None:
    decision = decide(EligibilityRequest(on, "RUS", purpose, docs, frozenset(categories), listed), rules)
    assert decision.reasons, "a decision without a reason"
    assert all(r.legal_basis and r.message and r.rule for r in decision.reasons)
    assert (decision.decision == "REFUSE") == (decision.refusal_code is not None)
    if decision.refusal_code:
        assert decision.refusal_code in rules.catalogue.refusal_codes
    if listed and on >= date(2014, 3, 17):
        assert decision.refusal_code == "H"
    if decision.decision == "ALLOW" and purpose != "transit":
        # Entry is never carried by an FRTD or FTD alone.
        kinds = {r.rule for r in decision.reasons}
        assert kinds - {"ground-frtd", "ground-ftd"}
