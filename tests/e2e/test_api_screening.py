"""Watchlists loaded over HTTP, people screened one by one and a manifest at once, the hits the
corridor raises reviewed, and a person's record read with a reason: each one in the audit trail."""

from __future__ import annotations

from pathlib import Path

from test_api_support import API, Api, api  # noqa: F401 - the fixture shared by the API tests

from factories import manifest, passenger

SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "sanctions"
    / "opensanctions_ftm"
    / "yente_t1_eu_fsf_sample.ftm.jsonl"
)
ZHURAVLEVA = "NK-2KeUB68qUJtykm3BuAcazG"  # Татьяна Владимировна ЖУРАВЛЕВА, born 1967-12-19


def _load_list(served: Api) -> dict[str, object]:
    answer = served.signed_in("admin").post(
        f"{API}/watchlists/eu-fsf",
        content=SAMPLE.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_an_administrator_loads_a_list_and_loading_it_again_changes_nothing(api: Api) -> None:  # noqa: F811
    first = _load_list(api)
    assert (first["watchlist"], first["changed"]) == ("eu-fsf", True)
    assert int(str(first["entities"])) > 0
    assert _load_list(api)["changed"] is False
    (listed,) = api.signed_in("border_guard").get(f"{API}/watchlists").json()
    assert (listed["watchlist"], listed["version"]) == ("eu-fsf", first["version"])
    assert [e.subject for e in api.audit("watchlist.import")] == ["eu-fsf", "eu-fsf"]


def test_a_list_that_does_not_read_is_refused_and_the_active_version_stays(api: Api) -> None:  # noqa: F811
    version = _load_list(api)["version"]
    broken = SAMPLE.read_bytes() + b'{"id": "x", "schema": "Person", "properties": \n'
    answer = api.signed_in("admin").post(f"{API}/watchlists/eu-fsf", params={"format": "ftm"}, content=broken)
    assert answer.status_code == 422
    assert answer.json()["error"]["problems"][0]["source"] == "request"
    (listed,) = api.signed_in("admin").get(f"{API}/watchlists").json()
    assert listed["version"] == version


def test_screening_one_person_finds_the_listed_one_and_explains_why(api: Api) -> None:  # noqa: F811
    _load_list(api)
    officer = api.signed_in("consular_officer")
    answer = officer.post(
        f"{API}/screening",
        json={"id": "q1", "name": "ZHURAVLEVA<<TATIANA<<<<<<<", "birth_date": "1967-12-19", "sex": "F"},
    )
    assert answer.status_code == 200, answer.text
    (match,) = answer.json()["matches"]
    assert (match["watchlist"], match["entity_id"]) == ("eu-fsf", ZHURAVLEVA)
    assert "date of birth 1967-12-19 matches" in match["explanation"]
    (record,) = api.audit("screening.run")
    assert (record.actor, record.subject, record.detail) == (
        "consular_officer.1",
        "q1",
        {"persons": 1, "matched": 1},
    )


def test_a_manifest_is_screened_in_one_request_in_the_order_given(api: Api) -> None:  # noqa: F811
    _load_list(api)
    persons = [
        {"id": "p1", "name": "Jonas Petraitis", "birth_date": "1980-01-02"},
        {"id": "p2", "name": "Журавлева Татьяна", "birth_date": "1967-12-19", "nationality": "RUS"},
        {"id": "p3", "name": "ZHURAVLEV TATIANA", "sex": "M"},
    ]
    answer = api.with_token("border_guard").post(f"{API}/screening/batch", json={"persons": persons})
    assert answer.status_code == 200, answer.text
    assert [(r["id"], [m["entity_id"] for m in r["matches"]]) for r in answer.json()] == [
        ("p1", []),
        ("p2", [ZHURAVLEVA]),
        ("p3", []),
    ]
    twice = api.with_token("border_guard").post(f"{API}/screening/batch", json={"persons": persons[:1] * 2})
    assert twice.status_code == 422
    assert twice.json()["error"]["message"] == "body:persons[1].id: 'p1' is already persons[0]"
    year_only = {"id": "p4", "name": "ZHURAVLEVA TATIANA", "birth_date": "1967", "sex": "F"}
    answer = api.with_token("border_guard").post(f"{API}/screening/batch", json={"persons": [year_only]})
    assert [m["entity_id"] for m in answer.json()[0]["matches"]] == [ZHURAVLEVA]
    impossible = dict(year_only, birth_date="1967-02-30")
    answer = api.with_token("border_guard").post(f"{API}/screening/batch", json={"persons": [impossible]})
    assert answer.json()["error"]["problems"][0]["field"] == "body:persons[0].birth_date"
    nameless = api.with_token("border_guard").post(f"{API}/screening/batch", json={"persons": [{"id": "x"}]})
    assert nameless.json()["error"]["problems"][0]["field"] == "body:persons[0].name"


def test_a_hit_on_a_manifest_is_reviewed_once_with_a_reason(api: Api) -> None:  # noqa: F811
    _load_list(api)
    listed = passenger("1", surname="ZHURAVLEVA", given="TATIANA", passport="751112233")
    listed.update(birth_date="1967-12-19", sex="F")
    api.with_token("feed").post(f"{API}/events", json=[manifest("m1", [listed, passenger("2")])])
    guard = api.signed_in("border_guard")
    (hit,) = guard.get(f"{API}/hits", params={"status": "open"}).json()
    assert hit["entity_id"] == ZHURAVLEVA
    review = {"decision": "false_positive", "reason": "another person: place of birth differs"}
    answer = guard.post(f"{API}/hits/{hit['hit_id']}/review", json=review)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "false_positive"
    assert guard.post(f"{API}/hits/{hit['hit_id']}/review", json=review).status_code == 409
    assert guard.post(f"{API}/hits/H-nothing/review", json=review).status_code == 404
    (reviewed,) = api.audit("hit.review")
    assert (reviewed.actor, reviewed.subject, reviewed.reason) == (
        "border_guard.1",
        hit["hit_id"],
        review["reason"],
    )


def test_reading_a_persons_record_needs_a_reason_and_is_audited(api: Api) -> None:  # noqa: F811
    api.with_token("feed").post(
        f"{API}/events", json=[manifest("m1", [passenger("1", passport="751234567")])]
    )
    guard = api.signed_in("border_guard")
    assert guard.get(f"{API}/persons/RUS:751234567").status_code == 422
    answer = guard.get(f"{API}/persons/RUS:751234567", params={"reason": "exit check at Kybartai"})
    assert answer.status_code == 200, answer.text
    record = answer.json()
    assert record["names"][0]["surname"] == "IVANOV"
    assert [j["passenger_ref"] for j in record["journeys"]] == ["1"]
    assert record["eligibility"]["decision"] in ("ALLOW", "REFUSE")
    unknown = guard.get(f"{API}/persons/RUS:000000001", params={"reason": "exit check at Kybartai"})
    assert unknown.status_code == 404
    reads = [(e.actor, e.subject, e.reason) for e in reversed(api.audit("person.read"))]
    assert reads == [
        ("border_guard.1", "RUS:751234567", "exit check at Kybartai"),
        ("border_guard.1", "RUS:000000001", "exit check at Kybartai"),
    ]
