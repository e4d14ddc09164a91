"""FRTD decisions as the consular officer sees them: grant, refuse or refer, in time, with reasons."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from transitguard.domain.corridor import Corridor
from transitguard.engines.frtd import (
    FrtdApplication,
    FrtdContext,
    FrtdDecision,
    WatchlistMatch,
    applicant_keys,
    decide_frtd,
    person_key,
)
from transitguard.rulepacks import RulePack
from transitguard.rulepacks.people import FrtdSettings, PeopleRules, load_people_rules

RECEIVED = datetime.fromisoformat("2025-07-01T09:00:00+03:00")
NOW = RECEIVED + timedelta(hours=1)


@pytest.fixture(scope="module")
def rules() -> PeopleRules:
    return load_people_rules("kaliningrad")


def application(**changes: Any) -> FrtdApplication:
    data: dict[str, Any] = {
        "application_id": "A-1",
        "received_at": RECEIVED.isoformat(),
        "person": {
            "surname": "IVANOV",
            "given_names": "ANDREI SERGEEVICH",
            "birth_date": "1985-03-12",
            "sex": "M",
            "nationality": "RUS",
        },
        "travel_document": {
            "type": "PASSPORT",
            "number": "751234567",
            "issuing_state": "RUS",
            "expires": "2030-05-31",
        },
        "trains": {
            "outbound": {
                "number": "29",
                "service_date": "2025-07-03",
                "departure_at": "2025-07-03T15:30:00+03:00",
            },
            "return": {
                "number": "30",
                "service_date": "2025-07-20",
                "departure_at": "2025-07-20T13:10:00+02:00",
            },
        },
    }
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = data
        for key in parents:
            target = target[key]
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return FrtdApplication.model_validate(data, strict=False)


def decide(
    rules: PeopleRules,
    pack: RulePack,
    app: FrtdApplication | None = None,
    corridor: Corridor | None = None,
    **context: Any,
) -> FrtdDecision:
    return decide_frtd(
        app or application(),
        FrtdContext(**{"now": NOW, **context}),
        corridor=corridor or pack.corridor,
        rules=rules,
    )


def rule_ids(decision: FrtdDecision) -> list[str]:
    return [r.rule for r in decision.reasons]


def test_a_clean_application_is_granted_within_the_limits_of_the_regulation(
    rules: PeopleRules, pack: RulePack
) -> None:
    decision = decide(rules, pack)
    assert decision.decision == "GRANT"
    assert rule_ids(decision) == ["frtd-grant"]
    assert not decision.late
    assert decision.deadline == RECEIVED + timedelta(hours=24)
    frtd = decision.frtd
    assert frtd is not None
    assert re.fullmatch(r"LTU\d{9}", frtd.number)
    assert frtd.valid_from == date(2025, 7, 3)
    # 3 months at most (corridor.yaml: 92 days, counting the first day).
    assert (frtd.valid_until - frtd.valid_from).days + 1 == pack.corridor.transit_documents[
        "FRTD"
    ].max_validity_days
    assert frtd.valid_until >= date(2025, 7, 21)  # covers the return train
    assert frtd.authorised_transit_hours == 6
    assert frtd.max_transits == 2
    assert (frtd.outbound.number, frtd.return_.number if frtd.return_ else None) == ("29", "30")
    assert frtd.as_dict()["return"]["departure_at"] == "2025-07-20T13:10:00+02:00"
    assert decision.as_dict()["frtd"]["travel_document"]["number"] == "751234567"


def test_the_number_is_the_same_for_the_same_application(rules: PeopleRules, pack: RulePack) -> None:
    first, again = decide(rules, pack), decide(rules, pack, now=NOW + timedelta(hours=2))
    other = decide(rules, pack, application(application_id="A-2"))
    assert first.frtd
    assert again.frtd
    assert other.frtd
    assert first.frtd.number == again.frtd.number != other.frtd.number


def test_the_frtd_never_outlives_the_passport(rules: PeopleRules, pack: RulePack) -> None:
    decision = decide(rules, pack, application(travel_document__expires="2025-09-30"))
    assert decision.decision == "GRANT"
    assert decision.frtd is not None
    # Reg 693/2003 Art 6: the travel document must be valid LONGER than the FRTD.
    assert decision.frtd.valid_until == date(2025, 9, 29)


def test_a_passport_expiring_before_the_frtd_would_is_refused(rules: PeopleRules, pack: RulePack) -> None:
    decision = decide(rules, pack, application(travel_document__expires="2025-07-15"))
    assert decision.decision == "REFUSE"
    assert decision.frtd is None
    assert rule_ids(decision) == ["frtd-travel-document-outlives"]
    assert "expires on 2025-07-15" in decision.reasons[0].message
    assert "693/2003 Art 6" in decision.reasons[0].legal_basis


def test_an_expired_passport_is_refused(rules: PeopleRules, pack: RulePack) -> None:
    decision = decide(rules, pack, application(travel_document__expires="2025-06-30"))
    assert decision.decision == "REFUSE"
    assert rule_ids(decision)[0] == "frtd-travel-document"
    assert "expired on 2025-06-30" in decision.reasons[0].message


def test_an_earlier_confirmed_absconding_is_refused_or_referred_as_configured(
    rules: PeopleRules, pack: RulePack
) -> None:
    decision = decide(rules, pack, violations=("absconded",))
    assert decision.decision == "REFUSE"
    assert rule_ids(decision) == ["frtd-earlier-absconding"]
    checks = tuple(
        c.model_copy(update={"action": "refer"}) if c.id == "frtd-earlier-absconding" else c
        for c in rules.frtd.checks
    )
    lenient = _with_frtd(rules, rules.frtd.model_copy(update={"checks": checks}))
    referred = decide(lenient, pack, violations=("absconded", "absconded"))
    assert referred.decision == "REFER"
    assert "absconded, 2 times" in referred.reasons[0].message


def _with_frtd(rules: PeopleRules, settings: FrtdSettings) -> PeopleRules:
    return PeopleRules(rules.pack_id, rules.version, rules.path, rules.catalogue, rules.eligibility, settings)


def test_other_earlier_violations_go_to_an_officer(rules: PeopleRules, pack: RulePack) -> None:
    assert decide(rules, pack, violations=("refused",)).decision == "REFER"
    unknown = decide(rules, pack, violations=("smuggling",))
    assert unknown.decision == "REFER"
    assert rule_ids(unknown) == ["frtd-unknown-violation"]
    both = decide(rules, pack, violations=("refused", "absconded"))
    assert both.decision == "REFUSE"
    assert rule_ids(both) == ["frtd-earlier-absconding", "frtd-earlier-refusal"]


def test_a_decision_after_24_hours_is_flagged_late(rules: PeopleRules, pack: RulePack) -> None:
    on_time = decide(rules, pack, now=RECEIVED + timedelta(hours=24))
    assert not on_time.late
    late = decide(rules, pack, now=RECEIVED + timedelta(hours=30))
    assert late.late
    assert late.decision == "GRANT"  # still decided; the delay is on the record
    assert rule_ids(late) == ["frtd-grant", "frtd-decision-deadline"]
    assert "6.0 h overdue" in late.reasons[1].message
    assert late.as_dict()["late"] is True


def test_an_entry_ban_or_a_watchlist_hit_refuses(rules: PeopleRules, pack: RulePack) -> None:
    banned = decide(rules, pack, entry_ban="SIS Art 24 alert, LT national register")
    assert (banned.decision, rule_ids(banned)) == ("REFUSE", ["frtd-entry-ban"])
    match = WatchlistMatch("eu-fsf-1234", 0.97, "name 0.97 against 'Иванов Андрей'", "Иванов Андрей")
    hit = decide(rules, pack, watchlist_hits=(match,))
    assert (hit.decision, rule_ids(hit)) == ("REFUSE", ["frtd-watchlist-hit"])
    assert "eu-fsf-1234" in hit.reasons[0].message
    assert hit.as_dict()["screening"][0]["entity_id"] == "eu-fsf-1234"


def test_an_incomplete_application_is_refused_naming_the_fields(rules: PeopleRules, pack: RulePack) -> None:
    app = application(
        person__birth_date=None, travel_document__number=None, trains__return__departure_at=None
    )
    decision = decide(rules, pack, app)
    assert decision.decision == "REFUSE"
    assert rule_ids(decision)[0] == "frtd-complete-application"
    assert decision.reasons[0].message.endswith(
        "(missing: person.birth_date, travel_document.number, trains.return.departure_at)"
    )
    # One name only is a real case: an empty given name is not a missing one.
    assert decide(rules, pack, application(person__given_names="")).decision == "GRANT"


def test_only_nationals_travelling_between_the_parts_of_their_country(
    rules: PeopleRules, pack: RulePack
) -> None:
    decision = decide(rules, pack, application(person__nationality="BLR"))
    assert (decision.decision, rule_ids(decision)) == ("REFUSE", ["frtd-nationality"])


def test_internal_passports_until_the_end_of_2004_only(rules: PeopleRules, pack: RulePack) -> None:
    def internal(day: str, back: str) -> FrtdApplication:
        return application(
            received_at=f"{day}T09:00:00+03:00",
            travel_document__type="INTERNAL_PASSPORT",
            trains__outbound={"number": "29", "service_date": day, "departure_at": f"{day}T20:00:00+03:00"},
            trains__return={"number": "30", "service_date": back, "departure_at": f"{back}T10:00:00+02:00"},
        )

    early = decide(
        rules,
        pack,
        internal("2004-11-02", "2004-11-20"),
        now=datetime.fromisoformat("2004-11-02T10:00:00+03:00"),
    )
    assert early.decision == "GRANT"
    late = decide(
        rules,
        pack,
        internal("2004-12-20", "2005-01-10"),
        now=datetime.fromisoformat("2004-12-20T10:00:00+03:00"),
    )
    assert late.decision == "REFUSE"
    assert "ru-internal-passport" in rule_ids(late)


def test_a_non_biometric_passport_still_carries_an_frtd(rules: PeopleRules, pack: RulePack) -> None:
    decision = decide(rules, pack, application(travel_document__biometric=False))
    assert decision.decision == "GRANT"  # DOMAIN §1: FRTD rail transit is exempt from the 2025 rule


def test_the_trains_must_be_a_transit_train_and_its_return(rules: PeopleRules, pack: RulePack) -> None:
    unknown = decide(rules, pack, application(trains__outbound__number="701"))
    assert unknown.decision == "REFUSE"
    assert "train 701 does not run through the corridor" in unknown.reasons[0].message
    same_way = decide(rules, pack, application(trains__return__number="79"))
    assert "both go to_kaliningrad" in same_way.reasons[0].message
    before_147 = application(
        trains__outbound={
            "number": "147",
            "service_date": "2022-07-01",
            "departure_at": "2022-07-01T20:00:00+03:00",
        },
        trains__return=None,
        received_at="2022-06-28T09:00:00+03:00",
    )
    resumed = decide(rules, pack, before_147, now=datetime.fromisoformat("2022-06-28T10:00:00+03:00"))
    assert "train 147 does not run on 2022-07-01" in resumed.reasons[0].message


def test_a_return_beyond_three_months_does_not_fit_one_frtd(rules: PeopleRules, pack: RulePack) -> None:
    far = application(
        trains__return__service_date="2025-10-15", trains__return__departure_at="2025-10-15T13:10:00+02:00"
    )
    decision = decide(rules, pack, far)
    assert decision.decision == "REFUSE"
    assert "frtd-validity" in rule_ids(decision)


def test_a_one_way_journey(rules: PeopleRules, pack: RulePack) -> None:
    decision = decide(rules, pack, application(trains__return=None))
    assert decision.decision == "GRANT"
    assert decision.frtd is not None
    assert decision.frtd.return_ is None


def test_ticket_data_after_the_railways_cut_off_is_noted(rules: PeopleRules, pack: RulePack) -> None:
    rushed = decide(
        rules,
        pack,
        application(received_at="2025-07-03T01:30:00+03:00"),
        now=datetime.fromisoformat("2025-07-03T02:00:00+03:00"),
    )
    assert rushed.decision == "GRANT"
    assert rule_ids(rushed) == ["frtd-grant", "frtd-ticket-cutoff"]
    assert "received 14.0 h before departure" in rushed.reasons[1].message


def test_the_corridor_not_the_engine_says_how_long_a_transit_may_take(
    rules: PeopleRules, pack: RulePack
) -> None:
    spec = pack.corridor.transit_documents["FRTD"].model_copy(
        update={"max_transit_hours": 5, "max_validity_days": 30}
    )
    corridor = pack.corridor.model_copy(
        update={"transit_documents": {**pack.corridor.transit_documents, "FRTD": spec}}
    )
    decision = decide(rules, pack, corridor=corridor)
    assert decision.frtd is not None
    assert decision.frtd.authorised_transit_hours == 5
    assert decision.frtd.valid_until == date(2025, 8, 1)


def test_applicant_keys_match_how_journeys_and_people_are_keyed() -> None:
    keys = applicant_keys(application(travel_document__number="75 1234567"))
    assert keys == ("RUS:751234567", person_key("ivanov", "Andrei  Sergeevich", date(1985, 3, 12)))
    assert keys[1] == "person:IVANOV|ANDREI SERGEEVICH|1985-03-12"
