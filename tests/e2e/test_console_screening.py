"""Reviewing a screening hit in the console: the hit shows why it matched, the review needs a decision
and a reason and is recorded with the audit record; a role without the screening permissions can do
neither."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
from test_console_support import Console, console_fixture  # noqa: F401 - the shared fixture

from factories import manifest, passenger
from transitguard.services.ports import HitFilter

LISTED = {
    "id": "zh",
    "schema": "Person",
    "properties": {
        "name": ["Татьяна Владимировна ЖУРАВЛЕВА"],
        "birthDate": ["1967-12-19"],
        "gender": ["female"],
        "nationality": ["ru"],
    },
}


def _hit_on_a_train(console: Console, folder: Path) -> str:
    listing = folder / "eu.ftm.jsonl"
    listing.write_bytes(orjson.dumps(LISTED) + b"\n")
    console.application.screening.import_list("eu-fsf", listing)
    traveller = passenger("1", surname="ZHURAVLEVA", given="TATIANA", passport="751112233")
    traveller.update(birth_date="1967-12-19", sex="F")
    console.ingest([manifest("h-m", [traveller], number="147", service_date="2023-05-02")])
    (hit,) = console.application.store.hits(HitFilter(train_key="147/2023-05-02/to_kaliningrad"))
    return hit.hit_id


def test_a_hit_is_reviewed_with_a_reason_and_the_review_is_audited(console: Console, tmp_path: Path) -> None:
    hit_id = _hit_on_a_train(console, tmp_path)
    token = console.sign_in("border_guard")
    train = console.client.get("/trains/147/2023-05-02/to_kaliningrad").text
    assert f'href="/hits/{hit_id}"' in train  # the manifest's screening flag leads to the hit
    page = console.client.get(f"/hits/{hit_id}").text
    assert "ЖУРАВЛЕВА" in page
    assert f'action="/hits/{hit_id}/review"' in page
    no_reason = console.client.post(
        f"/hits/{hit_id}/review", data={"csrf_token": token, "decision": "false_positive"}
    )
    assert no_reason.status_code == 422
    reviewed = console.client.post(
        f"/hits/{hit_id}/review",
        data={"csrf_token": token, "decision": "false_positive", "reason": "born 1976, not 1967"},
    )
    assert reviewed.status_code == 303
    (hit,) = console.application.store.hits(HitFilter(train_key="147/2023-05-02/to_kaliningrad"))
    assert (hit.status, hit.reviewed_by, hit.review_reason) == (
        "false_positive",
        "border_guard.console",
        "born 1976, not 1967",
    )
    (audit,) = console.audit("hit.review")
    assert (audit.subject, audit.reason) == (hit_id, "born 1976, not 1967")
    after = console.client.get(f"/hits/{hit_id}").text
    assert "born 1976, not 1967" in after
    assert not re.search(r'action="/hits/[^"]+/review"', after)  # reviewed once, not again


def test_a_role_without_screening_permissions_may_neither_see_nor_review_a_hit(
    console: Console, tmp_path: Path
) -> None:
    hit_id = _hit_on_a_train(console, tmp_path)
    token = console.sign_in("customs_officer")
    assert console.client.get(f"/hits/{hit_id}").status_code == 403
    refused = console.client.post(
        f"/hits/{hit_id}/review", data={"csrf_token": token, "decision": "confirmed", "reason": "x"}
    )
    assert refused.status_code == 403
    assert console.audit("hit.review") == []
