"""Any bytes at all either read as PAXLST or raise PaxlstError naming where: never another exception.

Three sources of input: random bytes, real and written lists with bytes deleted, inserted, swapped or
cut, and random segments in a PAXLST envelope (which reach the message-level checks that random bytes
seldom do). `pytest --hypothesis-show-statistics` prints how many examples each test ran.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transitguard.adapters.formats.paxlst import (
    PaxlstError,
    looks_like_paxlst,
    read_paxlst,
    warning_lines,
)
from transitguard.adapters.formats.paxlst_manifest import to_manifest_body
from transitguard.adapters.formats.paxlst_write import write_paxlst
from transitguard.rulepacks import load_rule_pack

CORRIDOR = load_rule_pack("kaliningrad").corridor
PAXLST_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "paxlst"
DOC = Path(__file__).resolve().parents[2] / "docs" / "paxlst.md"
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _written() -> bytes:
    passenger = {
        "ref": "R1",
        "surname": "O'NEILL+SMITH",
        "given_names": "ANNA: MARIA?",
        "birth_date": "1920-03-14",
        "sex": "X",
        "nationality": "RUS",
        "travel_document": {
            "type": "P",
            "number": "751234567",
            "issuing_state": "RUS",
            "expires": "2030-01-01",
        },
        "transit_document": {"kind": "SCHENGEN_VISA", "number": "LT1", "valid_until": "2024-12-31"},
        "seat": "07/045",
    }
    manifest = {
        "train": {"number": "29", "service_date": "2024-05-01", "direction": "to_kaliningrad"},
        "passengers": [passenger, {**passenger, "ref": "R2", "nationality": "LTU"}],
    }
    text = write_paxlst(
        [manifest], sender="FPK", recipient="LTVSAT", prepared_at=datetime(2024, 4, 30, 18), corridor=CORRIDOR
    )
    return text.encode()


# Small inputs keep thousands of examples fast: the written list, the documented example, and the public
# samples under 5 kB (the 47 kB one has the same structure as its 2 kB sibling).
SEEDS = [_written(), DOC.read_text(encoding="utf-8").split("```edifact\n")[1].split("```")[0].encode()]
SEEDS += [p.read_bytes() for p in sorted(PAXLST_DATA.glob("gtas/apis*/*")) if p.stat().st_size < 5000]


def read_or_refuse(data: bytes) -> None:
    """Read, and map what was read; the only exception allowed is a PaxlstError naming the source."""
    refusals: list[PaxlstError] = []
    try:
        messages = read_paxlst(data, "fuzz.edi")
    except PaxlstError as error:
        messages = []
        refusals.append(error)
    assert messages or refusals
    warning_lines(messages)
    for message in messages:
        try:
            to_manifest_body(message, CORRIDOR, include_crew=True)
        except PaxlstError as error:
            refusals.append(error)
    assert all(error.message.startswith("fuzz.edi") for error in refusals)


@settings(FUZZ, max_examples=2000)
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    read_or_refuse(data)
    looks_like_paxlst(data)


@settings(FUZZ, max_examples=200)
@given(st.binary(max_size=600))
def test_random_bytes_after_a_header(data: bytes) -> None:
    read_or_refuse(b"UNA:+.? 'UNB+UNOA:4+A+B+240430:1815+1'UNH+1+PAXLST'" + data)


INSERTS = [
    b"'",
    b"+",
    b":",
    b"?",
    b"$",
    b"*",
    b"UNA:+.? '",
    b"UNZ+1+1'",
    b"UNH+2+PAXLST'",
    b"\xff",
    b"\xc3",
    b" ",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "cut", "special"]))
        span = draw(st.integers(1, 40))
        if operation == "delete":
            del data[at : at + span]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=span))
        elif operation == "replace":
            data[at : at + 1] = bytes([draw(st.integers(0, 255))])
        elif operation == "duplicate":
            data[at:at] = data[at : at + span]
        elif operation == "cut":
            del data[at:]
        else:
            data[at:at] = draw(st.sampled_from(INSERTS))
    return bytes(data)


@settings(FUZZ, max_examples=2000)
@given(mutated())
def test_mutated_real_and_written_lists(data: bytes) -> None:
    read_or_refuse(data)


TAGS = ["UNA", "UNB", "UNG", "UNH", "BGM", "NAD", "TDT", "LOC", "DTM", "ATT", "NAT", "RFF", "DOC", "CNT"]
TAGS += ["UNT", "UNE", "UNZ", "COM", "FTX", "MEA"]
WORDS = ["745", "250", "999", "FL", "FM", "MS", "DDU", "20", "2", "4", "125", "87", "92", "189", "232", "329"]
WORDS += ["36", "91", "42", "41", "ABO", "SEA", "P", "V", "VD", "M", "F", "U", "Q", "RUS", "LTU", "29", "030"]
WORDS += ["31", "240501", "880214", "2405010640", "201", "102", "19100101", "000229", "991399", "", "?", "x"]
component = st.one_of(st.sampled_from(WORDS), st.text("0123456789AZ:?+' ", max_size=8))
element = st.lists(component, min_size=1, max_size=3).map(":".join)
segment = st.builds(
    lambda tag, elements: "+".join([tag, *elements]) + "'",
    st.sampled_from(TAGS),
    st.lists(element, max_size=4),
)


@settings(FUZZ, max_examples=1500)
@given(st.lists(segment, max_size=30), st.booleans())
def test_random_segments_in_an_envelope(segments: list[str], closed: bool) -> None:
    head = "UNB+UNOA:4+FPK+LTVSAT+240430:1815+1'UNH+M1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+29+2'"
    tail = f"UNT+{len(segments) + 4}+M1'UNZ+1+1'" if closed else ""
    read_or_refuse((head + "".join(segments) + tail).encode())
