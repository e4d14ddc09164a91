"""`freight check` on files: the input and output contract, errors naming file, line and field, nothing
half-written, quotas in input order; and the examples in docs/freight.md decided as documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from transitguard.domain.watchlists import ListedEntity, ListedName
from transitguard.engines.screening import ScreeningIndex
from transitguard.errors import EventValidationError, InputError
from transitguard.rulepacks.goods import DEFAULT_GOODS_PACK, GoodsRules, load_goods_rules
from transitguard.services.freight import check_file, party_index, read_baseline

DOC = Path(__file__).resolve().parents[2] / "docs" / "freight.md"


@pytest.fixture(scope="module")
def rules() -> GoodsRules:
    return load_goods_rules(DEFAULT_GOODS_PACK)


def consignment(ident: str = "C1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": ident,
        "date": "2022-07-12",
        "mode": "rail",
        "direction": "to_kaliningrad",
        "carrier": {"name": "AO FPK", "country": "RU"},
        "consignor": {"name": "OOO Stroy Resurs", "country": "RU"},
        "consignee": {"name": "AO Yantar Terminal", "country": "RU"},
        "lines": [
            {
                "cn_code": "2523 29 00",
                "description": "Portland cement",
                "origin_country": "RU",
                "net_mass_kg": 20000,
                "value_eur": 1900,
            }
        ],
    }
    body.update(changes)
    return body


def write(path: Path, *rows: dict[str, Any] | str) -> Path:
    path.write_bytes(b"".join((r.encode() if isinstance(r, str) else orjson.dumps(r)) + b"\n" for r in rows))
    return path


def decisions(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def problem(exc: pytest.ExceptionInfo[EventValidationError]) -> tuple[int, str, str]:
    first = exc.value.problems[0]
    return first.line, first.field, first.reason


def test_a_file_is_decided_line_by_line(tmp_path: Path, rules: GoodsRules) -> None:
    baseline = tmp_path / "baseline.csv"
    baseline.write_text("cn_prefix,annual_net_mass_kg\n2523,30000\n", encoding="utf-8")
    haulier = {"name": "UAB Transportas", "country": "LT"}
    source = write(
        tmp_path / "in.jsonl",
        consignment("A"),
        "",
        consignment("B"),
        consignment("C", mode="road", carrier=haulier),
    )
    seen: list[int] = []
    summary = check_file(source, tmp_path / "out.jsonl", baseline=baseline, rules=rules, on_line=seen.append)
    assert summary == {
        "consignments": 3,
        "lines": 3,
        "allow": 1,
        "deny": 1,
        "hold": 1,
        "rule_pack": f"{rules.id} {rules.version}",
    }
    assert seen == [1, 1, 1]
    first, second, third = decisions(tmp_path / "out.jsonl")
    assert first["id"] == "A"
    assert first["decision"] == "ALLOW"
    assert first["lines"][0]["cn_code"] == "25232900"
    assert [r["rule"] for r in first["lines"][0]["reasons"]] == ["xxi-a", "rail-quota-2019-2021"]
    assert second["decision"] == "DENY"  # 40 t against a 30 t quota, counted in input order
    assert "by 10,000 kg" in second["lines"][0]["reasons"][1]["message"]
    assert third["decision"] == "HOLD"  # road, a carrier not established in Russia: the pack's policy
    assert set(first) == {"id", "decision", "lines"}


def test_road_carrier_and_alpha3_countries(tmp_path: Path, rules: GoodsRules) -> None:
    lorry = {"name": "OOO Baltic Trans", "country": "RUS", "vehicle_country": "RUS", "trailer_country": None}
    source = write(tmp_path / "in.jsonl", consignment(mode="road", carrier=lorry))
    check_file(source, tmp_path / "out.jsonl", baseline=None, rules=rules)
    (decision,) = decisions(tmp_path / "out.jsonl")
    assert decision["decision"] == "DENY"
    assert [r["rule"] for r in decision["lines"][0]["reasons"]] == ["xxi-a", "art3l-road-carrier"]


def test_the_party_index_takes_every_entry_of_the_lists() -> None:
    assert party_index([]) is None
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "lists" / "eu_fsf.xml"
    index = party_index([fixture])
    assert index is not None
    assert any(entity.schema != "Person" for entity in index.entities)


def test_parties_are_screened_with_an_index(tmp_path: Path, rules: GoodsRules) -> None:
    index = ScreeningIndex.build(
        [ListedEntity("EU.77", "Company", (ListedName("Yantar Terminal AO"),))], persons_only=False
    )
    source = write(tmp_path / "in.jsonl", consignment())
    check_file(source, tmp_path / "out.jsonl", baseline=None, rules=rules, index=index)
    (decision,) = decisions(tmp_path / "out.jsonl")
    assert decision["decision"] == "DENY"
    assert "matches list entry EU.77" in decision["lines"][0]["reasons"][-1]["message"]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"mode": "sea"}, "mode", "'sea' is not a mode"),
        ({"date": "2022-13-01"}, "date", "not a date in the form YYYY-MM-DD"),
        ({"date": "12.07.2022"}, "date", "not a date in the form YYYY-MM-DD"),
        ({"date": "20220712"}, "date", "not a date in the form YYYY-MM-DD"),
        ({"direction": "north"}, "direction", "not a direction"),
        ({"lines": []}, "lines", "non-empty list"),
        ({"lines": None}, "lines", "required field is missing"),
        ({"colour": "red"}, "colour", "unknown field"),
        (
            {"carrier": {"name": "X", "country": "Russia"}},
            "carrier.country",
            "not an ISO 3166-1 country code",
        ),
        ({"consignee": {"name": "X"}}, "consignee.country", "required field is missing"),
    ],
)
def test_bad_consignment_fields_are_named(
    tmp_path: Path, rules: GoodsRules, change: dict[str, Any], field: str, reason: str
) -> None:
    source = write(tmp_path / "in.jsonl", consignment("A"), consignment("B", **change))
    with pytest.raises(EventValidationError) as raised:
        check_file(source, tmp_path / "out.jsonl", baseline=None, rules=rules)
    line, named, why = problem(raised)
    assert (line, named) == (2, field)
    assert reason in why
    assert raised.value.problems[0].source == str(source)
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    ("goods", "field", "reason"),
    [
        ({"cn_code": "72O8 51 20"}, "lines[0].cn_code", "is not a CN code"),
        ({"cn_code": "7208"}, "lines[0].cn_code", "is not a CN code"),
        ({"cn_code": 72085120}, "lines[0].cn_code", "a CN code is a string"),
        ({"net_mass_kg": -5}, "lines[0].net_mass_kg", "not a number of zero or more"),
        ({"value_eur": "12"}, "lines[0].value_eur", "not a number of zero or more"),
        ({"control_code": "dual use"}, "lines[0].control_code", "is not a control code"),
        ({"origin_country": "XX"}, "lines[0].origin_country", "not an ISO 3166-1 country code"),
        ({"weight": 1}, "lines[0].weight", "unknown field"),
    ],
)
def test_bad_goods_lines_are_named(
    tmp_path: Path, rules: GoodsRules, goods: dict[str, Any], field: str, reason: str
) -> None:
    body = consignment()
    body["lines"][0].update(goods)
    source = write(tmp_path / "in.jsonl", body)
    with pytest.raises(EventValidationError) as raised:
        check_file(source, tmp_path / "out.jsonl", baseline=None, rules=rules)
    assert problem(raised)[:2] == (1, field)
    assert reason in problem(raised)[2]


def test_every_bad_line_is_reported_and_an_old_output_survives(tmp_path: Path, rules: GoodsRules) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text("earlier decisions\n", encoding="utf-8")
    source = write(
        tmp_path / "in.jsonl", consignment("A", mode="air"), "{not json", consignment("A"), consignment("A")
    )
    with pytest.raises(EventValidationError) as raised:
        check_file(source, output, baseline=None, rules=rules)
    assert [(p.line, p.field) for p in raised.value.problems] == [(1, "mode"), (2, ""), (4, "id")]
    assert "already on line 3" in raised.value.problems[2].reason
    assert output.read_text(encoding="utf-8") == "earlier decisions\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ("cn_prefix,annual_net_mass_kg\n72O8,100\n", 2, "cn_prefix", "not a CN prefix"),
        ("cn_prefix,annual_net_mass_kg\n720,100\n", 2, "cn_prefix", "not a CN prefix"),
        ("cn_prefix,annual_net_mass_kg\n7208,-1\n", 2, "annual_net_mass_kg", "of zero or more"),
        ("cn_prefix,annual_net_mass_kg\n7208,lots\n", 2, "annual_net_mass_kg", "of zero or more"),
        ("cn_prefix,annual_net_mass_kg\n7208,1\n7208 ,2\n", 3, "cn_prefix", "already on line 2"),
        ("cn_prefix,tonnes\n7208,1\n", 1, "annual_net_mass_kg", "required column is missing"),
        ("cn_prefix,annual_net_mass_kg,year\n7208,1,2020\n", 1, "year", "unknown column"),
        ("cn_prefix,annual_net_mass_kg\n", 1, "", "no rows"),
    ],
)
def test_a_bad_baseline_is_named(
    tmp_path: Path, rules: GoodsRules, text: str, line: int, field: str, reason: str
) -> None:
    baseline = tmp_path / "baseline.csv"
    baseline.write_text(text, encoding="utf-8")
    source = write(tmp_path / "in.jsonl", consignment())
    with pytest.raises(EventValidationError) as raised:
        check_file(source, tmp_path / "out.jsonl", baseline=baseline, rules=rules)
    assert problem(raised)[:2] == (line, field)
    assert reason in problem(raised)[2]
    assert raised.value.problems[0].source == str(baseline)
    assert not (tmp_path / "out.jsonl").exists()


def test_a_missing_baseline_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the baseline"):
        read_baseline(tmp_path / "nowhere.csv")


def test_the_baseline_accepts_spaces_a_bom_and_a_description(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.csv"
    baseline.write_text(
        "\ufeffcn_prefix,annual_net_mass_kg,description\n7208 51,1000.5,quarto plate\n72,9e6,chapter\n",
        "utf-8",
    )
    read = read_baseline(baseline)
    assert read.annual_kg == {"720851": 1000.5, "72": 9e6}
    assert read.group("72085120") == "720851"


# -- the examples in docs/freight.md -----------------------------------------------------------------------


def _examples() -> list[tuple[str, str, str | None]]:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(
        r"```(json consignment|json decision|csv baseline)\n(.+?)\n```", text, flags=re.DOTALL
    )
    examples: list[tuple[str, str, str | None]] = []
    baseline: str | None = None
    pending: str | None = None
    for kind, body in blocks:
        if kind == "csv baseline":
            baseline = body
        elif kind == "json consignment":
            pending = body
        else:
            assert pending is not None, "a decision without its consignment"
            examples.append((pending, body, baseline))
            pending, baseline = None, None
    return examples


def test_the_docs_have_examples() -> None:
    assert len(_examples()) >= 1


@pytest.mark.parametrize("n", range(len(_examples())))
def test_the_documented_decision_is_the_engines(tmp_path: Path, rules: GoodsRules, n: int) -> None:
    given, expected, baseline_text = _examples()[n]
    baseline = None
    if baseline_text is not None:
        baseline = tmp_path / "baseline.csv"
        baseline.write_text(baseline_text + "\n", encoding="utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text(given + "\n", encoding="utf-8")
    check_file(source, tmp_path / "out.jsonl", baseline=baseline, rules=rules)
    assert decisions(tmp_path / "out.jsonl") == [orjson.loads(expected)]
