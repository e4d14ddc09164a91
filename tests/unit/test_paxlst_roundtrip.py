"""What transitguard writes as PAXLST reads back as the same manifest, whatever the names hold."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydifact import Characters
from pydifact.parser import Parser
from pydifact.tokenizer import Tokenizer

from transitguard.adapters.formats.paxlst import PaxlstError, read_paxlst
from transitguard.adapters.formats.paxlst_manifest import EU_FREE_MOVEMENT, to_manifest_body
from transitguard.adapters.formats.paxlst_segments import decode, split_segments
from transitguard.adapters.formats.paxlst_write import write_paxlst
from transitguard.domain.events import parse_event
from transitguard.rulepacks import load_rule_pack

CORRIDOR = load_rule_pack("kaliningrad").corridor
PREPARED = datetime(2024, 4, 30, 18, 15)

# Names, numbers and refs: any letters (Latin, Cyrillic, ...), digits, spaces, punctuation, and
# always a chance of the service characters ' + : ? and the repetition separator *.
name_text = st.text(
    st.one_of(
        st.sampled_from("'+:?*"),
        st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
    ),
    min_size=1,
    max_size=40,
)
country = st.one_of(
    st.sampled_from(["RUS", "BLR", "KAZ", "UKR", "LTU", "DEU", "POL", "LVA"]),
    st.from_regex(r"[A-Z]{3}", fullmatch=True),
)
any_day = st.dates(min_value=date(1890, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def passengers(draw: st.DrawFn, ref: str) -> dict[str, Any]:
    nationality = draw(country)
    if nationality in EU_FREE_MOVEMENT:
        transit: dict[str, Any] = {"kind": "EU_CITIZEN"}
    else:
        transit = {"kind": draw(st.sampled_from(["SCHENGEN_VISA", "NATIONAL_VISA"]))}
        if draw(st.booleans()):
            transit["number"] = draw(name_text)
        if draw(st.booleans()):
            transit["valid_until"] = draw(any_day).isoformat()
    passenger: dict[str, Any] = {
        "ref": ref,
        "surname": draw(name_text),
        "given_names": draw(st.one_of(st.just(""), name_text)),
        "birth_date": draw(any_day).isoformat(),
        "sex": draw(st.sampled_from(["M", "F", "X"])),
        "nationality": nationality,
        "travel_document": {
            "type": draw(st.sampled_from(["P", "I", "PT", "A", "C", "ID"])),
            "number": draw(name_text),
            "issuing_state": draw(country),
            "expires": draw(any_day).isoformat(),
        },
        "transit_document": transit,
    }
    if draw(st.booleans()):
        passenger["seat"] = draw(name_text.filter(lambda s: len(s) <= 20))
    return passenger


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    train = draw(st.sampled_from(CORRIDOR.trains))
    refs = draw(st.lists(name_text, max_size=6, unique=True))
    return {
        "train": {
            "number": train.number,
            "service_date": draw(
                st.dates(min_value=date(1995, 1, 1), max_value=date(2099, 12, 31))
            ).isoformat(),
            "direction": train.direction,
        },
        "passengers": [draw(passengers(ref)) for ref in refs],
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_written_paxlst_reads_back_as_the_same_manifest(manifest: dict[str, Any]) -> None:
    text = write_paxlst([manifest], sender="FPK", recipient="LTVSAT", prepared_at=PREPARED, corridor=CORRIDOR)
    [message] = read_paxlst(text.encode("utf-8"), "written.edi")
    assert message.warnings == ()
    body = to_manifest_body(message, CORRIDOR)
    assert body == manifest
    event = {
        "event_id": "e1",
        "type": "manifest.submitted",
        "occurred_at": "2024-04-30T18:15:00+03:00",
        **body,
    }
    parse_event(event)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_pydifact_reads_the_written_segments_as_the_reader_does(manifest: dict[str, Any]) -> None:
    text = write_paxlst([manifest], sender="FPK", recipient="LTVSAT", prepared_at=PREPARED)
    ours = [[s.tag, *s.elements] for s in split_segments(decode(text), "written.edi").segments]
    tokens = Tokenizer().get_tokens(text[9:].lstrip(), Characters.from_str(text[:9]))
    theirs = list(Parser().convert_tokens_to_raw_segments(tokens))
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        shaped = [mine[0]]
        for element in mine[1:]:
            components = list(element)
            while len(components) > 1 and components[-1] == "":
                components.pop()
            shaped.append(components[0] if len(components) == 1 else components)
        assert shaped == reference


@settings(max_examples=100, deadline=None)
@given(manifests(), st.sampled_from(["FRTD", "FTD", "RESIDENCE_PERMIT", None]))
def test_transit_documents_paxlst_cannot_carry_read_back_as_none(
    manifest: dict[str, Any], kind: str | None
) -> None:
    for passenger in manifest["passengers"]:
        if passenger["transit_document"]["kind"] == "EU_CITIZEN":
            continue
        if kind is None:
            del passenger["transit_document"]
        else:
            passenger["transit_document"] = {
                "kind": kind,
                "number": "F1",
                "valid_from": "2024-04-01",
                "valid_until": "2024-06-30",
            }
    text = write_paxlst([manifest], sender="FPK", recipient="LTVSAT", prepared_at=PREPARED)
    body = to_manifest_body(read_paxlst(text, "written.edi")[0], CORRIDOR)
    for written, read in zip(manifest["passengers"], body["passengers"], strict=True):
        if written.get("transit_document", {}).get("kind") != "EU_CITIZEN":
            written = {key: value for key, value in written.items() if key != "transit_document"}
        assert read == written


def test_several_manifests_in_one_interchange_and_the_syntax_identifier() -> None:
    manifest = {
        "train": {"number": "30", "service_date": "2024-05-01", "direction": "from_kaliningrad"},
        "passengers": [],
    }
    text = write_paxlst([manifest, manifest], sender="FPK", recipient="LTVSAT", prepared_at=PREPARED)
    assert text.startswith("UNA:+.? '\nUNB+UNOA:4+FPK+LTVSAT+240430:1815+1++APIS'\n")
    messages = read_paxlst(text, "two.edi")
    assert [(m.message_ref, m.warnings) for m in messages] == [("1", ()), ("2", ())]
    assert "UNE+2+1'\nUNZ+1+1'" in text


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m: m.update(nickname="x"), "unknown field(s) nickname"),
        (lambda m: m.update(type="train.crossed"), "'train.crossed' event is not a passenger list"),
        (lambda m: m["train"].update(direction="north"), "train.direction"),
        (lambda m: m["passengers"][0].pop("birth_date"), "passengers[0].birth_date: Field required"),
        (
            lambda m: m["passengers"][0]["travel_document"].update(type="V"),
            "a DOC code starting with V is a visa",
        ),
    ],
)
def test_the_writer_refuses_what_is_not_a_valid_manifest(change: Any, reason: str) -> None:
    manifest = {
        "train": {"number": "30", "service_date": "2024-05-01", "direction": "from_kaliningrad"},
        "passengers": [
            {
                "ref": "R1",
                "surname": "JONAITIS",
                "given_names": "RASA",
                "birth_date": "1988-02-14",
                "sex": "F",
                "nationality": "LTU",
                "travel_document": {
                    "type": "P",
                    "number": "LT1",
                    "issuing_state": "LTU",
                    "expires": "2029-06-30",
                },
                "transit_document": {"kind": "EU_CITIZEN"},
            }
        ],
    }
    change(manifest)
    with pytest.raises(PaxlstError, match=re.escape(reason)):
        write_paxlst([manifest], sender="FPK", recipient="LTVSAT", prepared_at=PREPARED)
