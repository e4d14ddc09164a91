"""The decision pages: the FRTD queue (consular officers) and the freight decisions (customs), each
decision with its reasons, read from what `frtd decide --record` and `freight check --record` wrote."""

from __future__ import annotations

import re
from pathlib import Path

from test_console_support import (  # noqa: F401 - the shared fixture
    Console,
    console_fixture,
    freight_decision,
    frtd_decision,
)


def test_the_frtd_queue_shows_each_decision_with_its_reasons_and_the_read_is_audited(
    console: Console,
) -> None:
    console.ingest([frtd_decision("A-1", "GRANT", number="LTU7700001"), frtd_decision("A-2", "REFUSE")])
    console.sign_in("consular_officer")
    page = console.client.get("/frtd").text
    rows = re.findall(r'<tr class="decision-(\w+)">.*?<td class="mono">([^<]+)</td>', page, re.S)
    assert rows == [("refuse", "A-2"), ("grant", "A-1")]  # newest first
    assert "LTU7700001" in page
    assert "2023-04-28 09:00" in page  # when it was decided, in corridor time
    assert "RUS:750000001" in page
    assert "the applicant is banned from entry" in page
    (read,) = console.audit("frtd.read")
    assert read.actor == "consular_officer.console"


def test_freight_decisions_name_the_rule_and_its_legal_basis(console: Console) -> None:
    console.ingest(
        [
            freight_decision("C-STEEL", "DENY", "xvii-a", "72081000"),
            freight_decision("C-BREAD", "ALLOW", "", "19059080"),
        ]
    )
    console.sign_in("customs_officer")
    page = console.client.get("/freight").text
    assert re.search(r'decision-deny">DENY</span>\s*<strong class="mono">C-STEEL', page)
    assert re.search(r'decision-allow">ALLOW</span>\s*<strong class="mono">C-BREAD', page)
    assert "Annex XVII Part A: iron and steel products" in page
    assert "Council Regulation (EU) No 833/2014" in page


def _applications() -> bytes:
    text = (Path(__file__).resolve().parents[2] / "docs" / "eligibility.md").read_text(encoding="utf-8")
    block = text.split("<!-- example frtd input -->", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    return block.encode()


def test_a_consular_officer_uploads_applications_and_the_decisions_are_recorded(console: Console) -> None:
    token = console.sign_in("consular_officer")
    files = {"applications": ("day.jsonl", _applications(), "application/x-ndjson")}
    answer = console.client.post("/frtd/decide", data={"csrf_token": token}, files=files)
    assert answer.status_code == 200, answer.text[:500]
    just = answer.text.split('id="just-decided"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<td class="mono">([^<]+)</td>', just) == ["A-1", "A-2"]
    (decided,) = console.audit("frtd.decide")
    assert decided.actor == "consular_officer.console"
    # Recorded: the queue now lists both decisions from the ledger.
    queue = console.client.get("/frtd").text.split('id="just-decided"')[0]
    assert sorted(re.findall(r'<tr class="decision-\w+">.*?<td class="mono">([^<]+)</td>', queue, re.S)) == [
        "A-1",
        "A-2",
    ]


def test_deciding_needs_the_role_the_csrf_token_and_well_formed_lines(console: Console) -> None:
    files = {"applications": ("day.jsonl", _applications(), "application/x-ndjson")}
    token = console.sign_in("customs_officer")
    assert console.client.post("/frtd/decide", data={"csrf_token": token}, files=files).status_code == 403
    token = console.sign_in("consular_officer")
    assert console.client.post("/frtd/decide", data={"csrf_token": "nope"}, files=files).status_code == 403
    bad = {"applications": ("day.jsonl", b'{"application_id": "A-9"}\n', "application/x-ndjson")}
    refused = console.client.post("/frtd/decide", data={"csrf_token": token}, files=bad)
    assert refused.status_code == 422
    assert "day.jsonl" in refused.text
    assert console.audit("frtd.decide") == []
