"""PAXLST in: the public GTAS samples read as their senders meant, counts that do not add up are
reported, a rail list becomes a manifest.submitted body the event contract accepts, and bad input is
named by source, segment and byte."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import orjson
import pytest
from pydifact import Characters
from pydifact.parser import Parser
from pydifact.tokenizer import Tokenizer

from transitguard.adapters.formats.paxlst import (
    PaxlstError,
    PaxlstMessage,
    looks_like_paxlst,
    read_paxlst,
    warning_lines,
)
from transitguard.adapters.formats.paxlst_manifest import (
    passengers_without_transit_document,
    to_manifest_body,
)
from transitguard.adapters.formats.paxlst_segments import decode, split_segments
from transitguard.domain.events import ManifestSubmitted, parse_event
from transitguard.errors import InputError
from transitguard.rulepacks import RulePack

PAXLST_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "paxlst"
APIS = PAXLST_DATA / "gtas" / "apis"
TAMR = PAXLST_DATA / "gtas" / "apis_tamr"
DOC = Path(__file__).resolve().parents[2] / "docs" / "paxlst.md"
SAMPLES = sorted([*APIS.glob("*"), *TAMR.glob("*")])

needs_samples = pytest.mark.skipif(not APIS.is_dir(), reason="shared PAXLST samples not present")


def sample(name: str) -> list[PaxlstMessage]:
    path = APIS / name if (APIS / name).exists() else TAMR / name
    return read_paxlst(path.read_bytes(), name)


def one(text: str, source: str = "list.edi") -> PaxlstMessage:
    messages = read_paxlst(text, source)
    assert len(messages) == 1
    return messages[0]


def interchange(*body: str, una: str = "UNA:+.? '", ref: str = "7", count: int | None = None) -> str:
    """A small PAXLST interchange of our own around message segments (UNH..UNT excluded)."""
    segments = [
        "UNH+M1+PAXLST:D:05B:UN:IATA",
        *body,
    ]
    segments.append(f"UNT+{len(segments) + 1 if count is None else count}+M1")
    return "\n".join(
        [
            una + f"UNB+UNOA:4+FPK+LTVSAT+240430:1815+{ref}++APIS'",
            *(s + "'" for s in segments),
            f"UNZ+1+{ref}'",
        ]
    )


RAIL_HEAD = (
    "BGM+745",
    "TDT+20+29+2++FPK",
    "LOC+125+LT-KENA",
    "DTM+189:2405010640:201",
    "LOC+87+LT-KYBARTAI",
)


def passenger(surname: str = "PETROVA", *extra: str, ref: str = "R1", dob: str = "880214") -> tuple[str, ...]:
    return (
        f"NAD+FL+++{surname}:OLGA",
        "ATT+2++F",
        f"DTM+329:{dob}",
        "NAT+2+LTU",
        f"RFF+ABO:{ref}",
        "DOC+P:110:111+LT0001234",
        "DTM+36:290630",
        "LOC+91+LTU",
        *extra,
    )


# --- the samples -----------------------------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize(
    ("name", "kind", "persons", "conveyance", "departure", "arrival", "departure_at"),
    [
        ("loader__Test1.txt", "crew", 8, "UA0989", "FRA", "IAD", datetime(2017, 1, 27, 17, 25)),
        ("loader__Test3.txt", "passengers", 260, "UA0989", "FRA", "IAD", datetime(2017, 1, 27, 17, 25)),
        ("loader__airline2.edi", "passengers", 10, "TN506", "BRE", "YEU", datetime(2014, 5, 11, 13, 40)),
        (
            "loader__multiple_flight_leg_apis.txt",
            "passengers",
            2,
            "QQ827",
            "JFK",
            "CDG",
            datetime(2008, 8, 10, 20),
        ),
        ("parsers__apisMessage.txt", "passengers", 2, "AA124", "ORD", "JFK", datetime(2007, 2, 19, 18, 40)),
        ("flight1.txt", "passengers", 10, "LA532", "SCL", "JFK", datetime(2020, 1, 19, 23)),
        ("flight2.txt", "passengers", 10, "FI615", "KEF", "JFK", datetime(2020, 2, 26, 12)),
        ("flight3.txt", "passengers", 10, "YY123", "IAD", "BRU", datetime(2020, 4, 24, 12)),
    ],
)
def test_every_sample_reads_with_its_list_and_conveyance(
    name: str, kind: str, persons: int, conveyance: str, departure: str, arrival: str, departure_at: datetime
) -> None:
    [message] = sample(name)
    assert (message.list_kind, len(message.persons), message.conveyance_id) == (kind, persons, conveyance)
    assert (message.departure, message.arrival, message.departure_at) == (departure, arrival, departure_at)
    assert message.transport_mode is None  # the IATA samples leave the mode out: air by convention


@needs_samples
def test_a_crew_list_reads_its_people_with_generated_stable_refs() -> None:
    [message] = sample("loader__Test1.txt")
    first = message.persons[0]
    assert message.crew == message.persons
    assert (first.ref, first.surname, first.given_names) == ("1402010600-1", "Steur", "Andrea Pat")
    assert (first.birth_date, first.sex, first.nationality) == (date(1978, 7, 6), "F", "GBR")
    [passport] = first.documents
    assert (passport.code, passport.issuing_state, passport.expires) == ("P", "GBR", date(2061, 2, 18))
    assert [p.ref for p in message.persons][-1] == "1402010600-8"
    assert sample("loader__Test1.txt")[0].persons == message.persons


@needs_samples
def test_the_samples_bookkeeping_errors_are_reported_as_warnings() -> None:
    [crew] = sample("loader__Test1.txt")
    assert "CNT+41+8 should be CNT+41:8" in crew.warnings
    assert "UNE closes group '1402010600', but UNG opened '1403010600'" in crew.warnings
    [big] = sample("loader__Test3.txt")
    assert "CNT+41 says 206 crew, the list names 0 (NAD+FM)" in big.warnings
    assert "no CNT+42 count of passengers (260 persons named)" in big.warnings
    assert any(w.startswith("not UTF-8 (byte 12949 is 0x87)") for w in big.warnings)
    [custom] = sample("loader__airline2.edi")
    assert "CNT+42 says 136 passengers, the list names 10 (NAD+FL)" in custom.warnings
    assert "UNT closes message '140211180 0', but UNH opened '1402111800'" in custom.warnings
    assert warning_lines([custom])[0].startswith("loader__airline2.edi: message 1402111800: ")


@needs_samples
def test_custom_separators_and_several_legs() -> None:
    [custom] = sample("loader__airline2.edi")  # UNA:*.? $
    assert [p.surname for p in custom.persons[:2]] == ["BETTON", "TRIBBLE"]
    [legs] = sample("loader__multiple_flight_leg_apis.txt")
    assert [(leg.conveyance_id, leg.departure, leg.arrival, leg.reported) for leg in legs.legs] == [
        ("QQ877", "MIA", "IAD", False),
        ("QQ827", "IAD", "JFK", False),
        ("QQ827", "JFK", "CDG", True),
    ]
    assert [p.ref for p in legs.persons] == ["UUI34T543", "ABC124"]
    assert any(w.startswith("text after the last UNZ was ignored") for w in legs.warnings)


@needs_samples
def test_seats_visas_and_padded_dates() -> None:
    [message] = sample("flight1.txt")
    first = message.persons[0]
    assert first.seat == "056F"
    assert [(d.code, d.issuing_state) for d in first.documents] == [("", "CHN"), ("V", "USA")]
    assert first.travel_document is not None
    assert first.travel_document.number == "433419360"
    [padded] = sample("flight3.txt")  # "DTM+329: 670603"
    assert padded.persons[6].birth_date == date(1967, 6, 3)


@needs_samples
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_splitter_sees_the_segments_pydifact_sees(path: Path) -> None:
    """pydifact is the reference syntax layer; the reader's faster splitter must agree with it."""
    decoded = decode(path.read_bytes())
    ours = [
        [segment.tag, *(_pydifact_shape(e) for e in segment.elements)]
        for segment in split_segments(decoded, path.name).segments
    ]
    text = decoded.text.lstrip()
    characters = Characters()
    if text.startswith("UNA"):
        characters = Characters.from_str(text[:9])
        text = text[9:]
    text = text[: text.rindex(characters.segment_terminator) + 1]  # pydifact refuses trailing text
    tokens = Tokenizer().get_tokens(text, characters)
    theirs = [[s[0].strip(), *s[1:]] for s in Parser().convert_tokens_to_raw_segments(tokens)]
    assert ours == theirs


def _pydifact_shape(element: tuple[str, ...]) -> str | list[str]:
    components = list(element)
    while len(components) > 1 and components[-1] == "":
        components.pop()
    return components[0] if len(components) == 1 else components


@needs_samples
def test_air_lists_map_to_a_conveyance_body_not_an_event(pack: RulePack) -> None:
    body = to_manifest_body(sample("flight1.txt")[0], pack.corridor)
    assert body["conveyance"] == {
        "mode": None,
        "id": "LA532",
        "carrier": None,
        "departure": "SCL",
        "arrival": "JFK",
        "departure_at": "2020-01-19T23:00:00",
        "arrival_at": "2020-01-20T07:40:00",
    }
    first = body["passengers"][0]
    assert first["documents"][1] == {
        "type": "V",
        "number": "57131424",
        "issuing_state": "USA",
        "expires": "2021-07-29",
    }
    assert "train" not in body
    crew = to_manifest_body(sample("loader__Test1.txt")[0], pack.corridor)
    assert crew["passengers"] == []
    assert (
        len(to_manifest_body(sample("loader__Test1.txt")[0], pack.corridor, include_crew=True)["passengers"])
        == 8
    )


# --- syntax ----------------------------------------------------------------------------------------


def test_the_release_character_and_custom_separators() -> None:
    plain = one(interchange(*RAIL_HEAD, *passenger("O?'NEILL?+SMITH?:JR??"), "CNT+42:1"))
    assert plain.persons[0].surname == "O'NEILL+SMITH:JR?"
    text = interchange(*RAIL_HEAD, *passenger(), "CNT+42:1", una="")
    separators = str.maketrans({":": "|", "+": "*", "'": "~"})
    # component |, element *, no release character (a space), terminator ~
    custom = "UNA|*.  ~" + text.translate(separators).replace("PETROVA", "O'NEILL+SMITH?")
    read = one(custom)
    assert (read.persons[0].surname, read.persons[0].given_names) == ("O'NEILL+SMITH?", "OLGA")
    assert (read.conveyance_id, read.transport_mode, read.warnings) == ("29", "2", ())


def test_several_interchanges_each_with_its_own_una() -> None:
    first = interchange(*RAIL_HEAD, *passenger(), "CNT+42:1", ref="1")
    second = interchange(*RAIL_HEAD, *passenger("KAZLAUSKAITE"), "CNT+42:1", ref="2")
    second = second.replace("'", "$")  # its UNA now reads UNA:+.? $
    messages = read_paxlst(("\ufeff" + first + "\r\n" + second).encode(), "two.edi")
    assert [(m.interchange_ref, m.persons[0].surname, m.warnings) for m in messages] == [
        ("1", "PETROVA", ()),
        ("2", "KAZLAUSKAITE", ()),
    ]


def test_several_messages_in_one_group() -> None:
    message = ["UNH+M{n}+PAXLST:D:05B:UN:IATA", *RAIL_HEAD, *passenger(ref="R{n}"), "CNT+42:1", "UNT+16+M{n}"]
    text = "".join(
        [
            "UNB+UNOA:4+FPK+LTVSAT+240430:1815+9'UNG+PAXLST+FPK+LTVSAT+240430:1815+G1+UN+D:05B'",
            *(s.format(n=n) + "'" for n in (1, 2, 3) for s in message),
            "UNE+3+G1'UNZ+1+9'",
        ]
    )
    messages = read_paxlst(text, "group.edi")
    assert [(m.message_ref, m.persons[0].ref, m.warnings) for m in messages] == [
        ("M1", "R1", ()),
        ("M2", "R2", ()),
        ("M3", "R3", ()),
    ]


def test_decoding_follows_the_unb_repertoire() -> None:
    text = interchange(*RAIL_HEAD, *passenger("ИВАНОВА"), "CNT+42:1").replace("UNOA", "UNOE")
    assert one(text.encode("iso8859-5")).persons[0].surname == "ИВАНОВА"  # type: ignore[arg-type]
    utf8 = interchange(*RAIL_HEAD, *passenger("ŽEMAITĖ"), "CNT+42:1").replace("UNOA", "UNOW")
    assert one(utf8.encode()).persons[0].surname == "ŽEMAITĖ"  # type: ignore[arg-type]


def test_two_digit_years_of_birth_take_the_century_that_is_not_in_the_future() -> None:
    people = [
        *passenger(ref="A", dob="240501"),
        *passenger(ref="B", dob="240502"),
        *passenger(ref="C", dob="550101"),
    ]
    message = one(interchange(*RAIL_HEAD, *people, "CNT+42:3"))  # departure 2024-05-01
    assert [p.birth_date for p in message.persons] == [date(2024, 5, 1), date(1924, 5, 2), date(1955, 1, 1)]
    full = one(interchange(*RAIL_HEAD, *passenger(dob="19100101:102"), "CNT+42:1"))
    assert full.persons[0].birth_date == date(1910, 1, 1)


def test_every_count_that_does_not_add_up_is_a_warning() -> None:
    body = [*RAIL_HEAD, *passenger(ref="R1"), *passenger(ref="R1"), "CNT+42:3"]
    text = interchange(*body, count=99, ref="7").replace("UNZ+1+7", "UNZ+2+8")
    text = text.replace(
        "UNB+UNOA:4+FPK+LTVSAT+240430:1815+7++APIS'",
        "UNB+UNOA:4+FPK+LTVSAT+240430:1815+7++APIS'\nUNG+PAXLST+FPK+LTVSAT+240430:1815+G1+UN+D:05B'",
    )
    text = text.replace("UNZ+2+8", "UNE+5+G2'\nUNZ+2+8")
    assert one(text).warnings == (
        "UNT says 99 segments in the message, there are 24",
        "reference 'R1' names two persons (segments 10 and 18)",
        "CNT+42 says 3 passengers, the list names 2 (NAD+FL)",
        "UNE says 5 messages in group 'G1', there are 1",
        "UNE closes group 'G2', but UNG opened 'G1'",
        "UNZ says 2 groups in the interchange, there are 1",
        "UNZ closes interchange '8', but UNB opened '7'",
    )


def test_a_party_that_is_not_read_does_not_take_the_next_persons_data() -> None:
    body = [*RAIL_HEAD, *passenger(ref="R1"), "NAD+DDU+++SOMEONE", "ATT+2++M", "CNT+42:1"]
    message = one(interchange(*body))
    assert message.persons[0].sex == "F"
    assert message.warnings == ("NAD+DDU (segment 17) is not read: not FL or FM",)


# --- rail lists to manifest.submitted -------------------------------------------------------------


def test_a_rail_list_becomes_a_body_the_event_contract_accepts(pack: RulePack) -> None:
    visa = ("DOC+V:110:111+LTU000987", "DTM+36:241130", "LOC+91+LTU")
    russian = passenger("SMIRNOV", *visa, ref="R2")
    russian = tuple(s.replace("NAT+2+LTU", "NAT+2+RUS") for s in russian)
    message = one(interchange(*RAIL_HEAD, *passenger(), *russian, "CNT+42:2"))
    body = to_manifest_body(message, pack.corridor)
    assert body["train"] == {"number": "29", "service_date": "2024-05-01", "direction": "to_kaliningrad"}
    assert [p["transit_document"] for p in body["passengers"]] == [
        {"kind": "EU_CITIZEN"},
        {"kind": "SCHENGEN_VISA", "number": "LTU000987", "valid_until": "2024-11-30"},
    ]
    event = parse_event(
        {
            "event_id": "paxlst-M1",
            "type": "manifest.submitted",
            "occurred_at": "2024-04-30T18:15:00+03:00",
            **body,
        }
    )
    assert isinstance(event, ManifestSubmitted)
    assert event.train.key == "29/2024-05-01/to_kaliningrad"
    assert event.passengers[1].travel_document.number == "LT0001234"


def test_a_passenger_whose_transit_document_paxlst_cannot_carry_has_none(pack: RulePack) -> None:
    russian = tuple(s.replace("NAT+2+LTU", "NAT+2+RUS") for s in passenger(ref="R9"))
    us_visa = ("DOC+V:110:111+US123", "DTM+36:261130", "LOC+91+USA")  # not valid in Lithuania
    body = to_manifest_body(one(interchange(*RAIL_HEAD, *russian, *us_visa, "CNT+42:1")), pack.corridor)
    assert "transit_document" not in body["passengers"][0]
    assert passengers_without_transit_document(body) == ["R9"]
    event = {"event_id": "e9", "type": "manifest.submitted", "occurred_at": "2024-04-30T18:15:00+03:00"}
    parsed = parse_event({**event, **body})
    assert isinstance(parsed, ManifestSubmitted)
    assert parsed.passengers[0].transit_document is None


def test_an_unknown_train_is_an_error_that_names_it(pack: RulePack) -> None:
    head = tuple(s.replace("TDT+20+29+", "TDT+20+31+") for s in RAIL_HEAD)
    message = one(interchange(*head, *passenger(), "CNT+42:1"))
    with pytest.raises(
        PaxlstError, match=r"train '31' is not a train of corridor kaliningrad-rail \(known: 29, 30"
    ):
        to_manifest_body(message, pack.corridor)
    zero_padded = tuple(s.replace("TDT+20+29+", "TDT+20+030+") for s in RAIL_HEAD)
    body = to_manifest_body(one(interchange(*zero_padded, *passenger(), "CNT+42:1")), pack.corridor)
    assert body["train"]["number"] == "30"
    assert body["train"]["direction"] == "from_kaliningrad"


def test_a_rail_passenger_missing_what_the_manifest_needs_is_an_error(pack: RulePack) -> None:
    incomplete = [s for s in passenger(ref="R5") if not s.startswith(("DTM+329", "LOC+91"))]
    message = one(interchange(*RAIL_HEAD, *incomplete, "CNT+42:1"))
    with pytest.raises(PaxlstError) as caught:
        to_manifest_body(message, pack.corridor)
    assert caught.value.message == (
        "list.edi: segment 9 (NAD): message 'M1', person 'R5': a rail manifest needs "
        "date of birth (DTM+329), issuing state (LOC+91)"
    )


# --- errors ----------------------------------------------------------------------------------------


def test_an_error_names_source_segment_tag_and_byte() -> None:
    text = interchange(*RAIL_HEAD, *passenger(dob="881345"), "CNT+42:1")
    with pytest.raises(PaxlstError) as caught:
        read_paxlst(text.encode(), "feed.edi")
    error = caught.value
    assert isinstance(error, InputError)
    assert error.http_status == 422
    assert (error.source, error.segment, error.tag) == ("feed.edi", 11, "DTM")
    assert error.byte is not None
    assert text.encode()[error.byte :].startswith(b"DTM+329:881345")
    assert (
        error.message == f"feed.edi: segment 11 (DTM) at byte {error.byte}: "
        "date of birth: '881345' is not a real date/time (format 101)"
    )
    assert error.as_dict()["error"]["location"] == {
        "source": "feed.edi",
        "segment": 11,
        "tag": "DTM",
        "byte": error.byte,
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no PAXLST message"),
        ("hello world", "no segment terminator"),
        (
            "UNB+UNOA:4+A+B+240430:1815+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'",
            "ends inside message '1' (no UNT)",
        ),
        ("UNB+UNOA:4+A+B+240430:1815+1'", "ends inside interchange '1' (no UNZ)"),
        (
            "UNB+UNOA:4+A+B+240430:1815+1'UNH+1+CUSRES:D:05B:UN'UNT+2+1'UNZ+1+1'",
            "message type 'CUSRES' is not PAXLST",
        ),
        ("UNB+UNOA:4+A+B+240430:1815+1'UNH+1+PAXLST:D:05B:UN'BGM+999'UNT+3+1'UNZ+1+1'", "neither 745"),
        ("UNB+UNOA:4+A+B+240430:1815+1'UNH+1+PAXLST:D:05B:UN'UNT+2+1'UNZ+1+1'", "has no BGM"),
        ("UNB+UNOA:4+A+B+241330:1815+1'UNZ+0+1'", "UNB date/time of preparation '241330:1815'"),
        ("UNB+UNOA:4+A+B'UNZ+0+1'", "UNB has no date of preparation (element 4)"),
        ("UNH+1+PAXLST:D:05B:UN'UNT+2+1'", "UNH outside an interchange"),
        ("UNB+UNOA:4+A+B+240430:1815+1'UNH+1+PAXLST'UNB+X'", "UNB inside message '1'"),
        ("UNB+UNOA:4+A+B+240430:1815+1'BGM+745'UNZ+0+1'", "BGM outside a message"),
        ("UNA::.? 'UNB'", "not a usable service string advice"),
        ("UNB+UNOA:4+A+B+240430:1815+1'x'", "does not start with a segment tag"),
        ("UNB+UNOA:4+A+B+240430:1815+1'UNH+1+PAXLST'NAD+FL+++A'ATT+2++Q'", "sex 'Q' is not M, F, U or X"),
        ("UNB+UNOA:4+A+B+240430:1815+1'UNH+1+PAXLST'CNT+42:x'", "count 'x' is not a number"),
    ],
)
def test_unreadable_input_is_a_paxlst_error(text: str, reason: str) -> None:
    with pytest.raises(PaxlstError, match=re.escape(reason)) as caught:
        read_paxlst(text.encode(), "bad.edi")
    assert caught.value.message.startswith("bad.edi")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"UNA:+.? 'UNB+UNOA:4", True),
        (b"\xef\xbb\xbf\r\n  UNB+UNOA:4+", True),
        (b" UNA:+.?*'", True),
        (b'{"event_id": "e1"}', False),
        (b"<?xml version='1.0'?>", False),
        (b"", False),
    ],
)
def test_the_content_sniff(head: bytes, expected: bool) -> None:
    assert looks_like_paxlst(head) is expected


# --- the documented example ------------------------------------------------------------------------


def test_the_documented_example_parses_to_the_documented_line(pack: RulePack) -> None:
    doc = DOC.read_text(encoding="utf-8")
    example = re.search(r"```edifact\n(.+?)```", doc, flags=re.DOTALL)
    expected = re.search(r"```json paxlst-parse\n(.+?)```", doc, flags=re.DOTALL)
    assert example
    assert expected
    message = one(example.group(1), "docs/paxlst.md")
    assert message.warnings == ()
    assert to_manifest_body(message, pack.corridor) == orjson.loads(expected.group(1))
