"""The freight engine as a customs officer sees it: what may cross on which day, by which mode, and why."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson
import pytest

from transitguard.domain.watchlists import ListedEntity, ListedName
from transitguard.engines.freight import (
    Carrier,
    Consignment,
    ConsignmentDecision,
    FreightEngine,
    GoodsLine,
    Party,
    QuotaBalance,
)
from transitguard.engines.freight_model import Direction, Mode
from transitguard.engines.screening import ScreeningIndex
from transitguard.rulepacks.goods import DEFAULT_GOODS_PACK, GoodsRules, load_goods_rules

LT_CARRIER = Carrier("UAB Baltic Haulage", "LT", "LT", "LT")
RU_CARRIER = Carrier("OOO Yantar Trans", "RU", "RU", "RU")
RAILWAY = Carrier("AO FPK", "RU")


@pytest.fixture(scope="module")
def rules() -> GoodsRules:
    return load_goods_rules(DEFAULT_GOODS_PACK)


def line(
    code: str, mass: float = 1_000, value: float = 1_000, origin: str = "RU", control: str | None = None
) -> GoodsLine:
    return GoodsLine(code, "goods", origin, mass, value, control)


def consignment(
    day: str,
    *lines: GoodsLine,
    mode: Mode = "rail",
    direction: Direction = "to_kaliningrad",
    carrier: Carrier = RAILWAY,
    ident: str = "C1",
) -> Consignment:
    return Consignment(
        id=ident,
        date=date.fromisoformat(day),
        mode=mode,
        direction=direction,
        carrier=carrier,
        consignor=Party("PAO Ural Metall", "RU"),
        consignee=Party("OOO Zapad Stroy", "RU"),
        lines=lines,
    )


def check(
    engine: FreightEngine, *consignments: Consignment, balance: QuotaBalance | None = None
) -> list[ConsignmentDecision]:
    return engine.check_all(consignments, balance)


def rules_of(decision: ConsignmentDecision, n: int = 0) -> list[str]:
    return [r.rule for r in decision.lines[n].reasons]


def message(decision: ConsignmentDecision, rule: str, n: int = 0) -> str:
    return next(r.message for r in decision.lines[n].reasons if r.rule == rule)


# -- iron and steel: the wind-down, then the quota ---------------------------------------------------------


def test_steel_by_rail_before_and_after_the_wind_down_and_over_quota(rules: GoodsRules) -> None:
    engine = FreightEngine(rules, baseline={"7208": 100_000})
    during, within, over = check(
        engine,
        consignment("2022-06-10", line("72085120", 60_000)),
        consignment("2022-06-20", line("72085120", 60_000), ident="C2"),
        consignment("2022-06-21", line("72085120", 45_000), ident="C3"),
    )
    assert during.decision == "ALLOW"
    assert during.lines[0].reasons == ()  # in the wind-down: the ban does not bite yet
    assert within.decision == "ALLOW"
    assert rules_of(within) == ["xvii-a", "rail-quota-2019-2021"]
    assert "60,000 kg used" in message(within, "rail-quota-2019-2021")
    assert over.decision == "DENY"
    assert "by 5,000 kg" in message(over, "rail-quota-2019-2021")


def test_prefix_semantics_heading_against_subheading(rules: GoodsRules) -> None:
    """7208 (Part B, from 9 Jan 2023) covers every 7208 code; 7208 51 20 (Part A) only itself."""
    engine = FreightEngine(rules)
    listed_a, not_in_a, later = check(
        engine,
        consignment("2022-11-02", line("72085120"), mode="road", carrier=RU_CARRIER),
        consignment("2022-11-02", line("72085210"), mode="road", carrier=RU_CARRIER),
        consignment("2023-01-09", line("72085210"), mode="road", carrier=RU_CARRIER),
    )
    assert listed_a.decision == "DENY"
    assert rules_of(listed_a)[0] == "xvii-a"
    assert not_in_a.decision == "ALLOW"  # Part B is still in its wind-down
    assert rules_of(not_in_a) == ["art3l-2b-kaliningrad"]
    assert later.decision == "DENY"
    assert rules_of(later)[0] == "xvii-b"
    assert message(later, "xvii-b").startswith("7208: ")


def test_the_2023_list_replaces_the_parts(rules: GoodsRules) -> None:
    (decision,) = check(
        FreightEngine(rules), consignment("2023-07-01", line("72085120"), mode="road", carrier=RU_CARRIER)
    )
    assert rules_of(decision)[0] == "xvii-2023"


def test_a_less_precise_declared_code_is_held(rules: GoodsRules) -> None:
    """The annex lists TARIC 7210 41 00 20 / 30 / 80; a declared 7210 41 00 may or may not be one."""
    (decision,) = check(
        FreightEngine(rules, baseline={"72": 1e9}), consignment("2022-07-01", line("72104100"))
    )
    assert decision.decision == "HOLD"
    assert "7210 41 00 20, 7210 41 00 30, 7210 41 00 80" in message(decision, "xvii-a")
    assert "declare the full code" in message(decision, "xvii-a")


# -- revenue goods, coal, oil: their own dates -------------------------------------------------------------


def test_cement_before_and_after_the_10_july_wind_down(rules: GoodsRules) -> None:
    engine = FreightEngine(rules, baseline={"2523": 50_000})
    before, after = check(
        engine, consignment("2022-07-05", line("25232900")), consignment("2022-07-12", line("25232900"))
    )
    assert before.decision == "ALLOW"
    assert before.lines[0].reasons == ()
    assert after.decision == "ALLOW"
    assert rules_of(after) == ["xxi-a", "rail-quota-2019-2021"]


def test_coal_on_11_august_2022(rules: GoodsRules) -> None:
    engine = FreightEngine(rules, baseline={"2701": 1_000_000})
    last_day, first_day = check(
        engine, consignment("2022-08-10", line("27011290")), consignment("2022-08-11", line("27011290"))
    )
    assert last_day.lines[0].reasons == ()
    assert rules_of(first_day) == ["xxii-coal", "rail-quota-2019-2021"]
    (road,) = check(engine, consignment("2022-08-11", line("27011290"), mode="road", carrier=RU_CARRIER))
    assert road.decision == "DENY"


@pytest.mark.parametrize(
    ("day", "crude", "products"),
    [
        ("2022-12-05", False, False),
        ("2022-12-06", True, False),
        ("2023-02-05", True, False),
        ("2023-02-06", True, True),
    ],
)
def test_oil_crude_and_products_dates(rules: GoodsRules, day: str, crude: bool, products: bool) -> None:
    (decision,) = check(
        FreightEngine(rules),
        consignment(day, line("27090090"), line("27101943"), mode="road", carrier=RU_CARRIER),
    )
    assert ("oil-crude" in rules_of(decision, 0)) is crude
    assert ("oil-products" in rules_of(decision, 1)) is products
    assert decision.lines[0].decision == ("DENY" if crude else "ALLOW")


def test_gold_needs_russian_origin(rules: GoodsRules) -> None:
    engine = FreightEngine(rules)
    russian, swiss = check(
        engine,
        consignment("2022-08-01", line("71081200", 10), mode="road", carrier=RU_CARRIER),
        consignment("2022-08-01", line("71081200", 10, origin="CH"), mode="road", carrier=RU_CARRIER),
    )
    assert "gold-xxvi" in rules_of(russian)
    assert "gold-xxvi" not in rules_of(swiss)


# -- luxury goods: an export ban, by direction and value ---------------------------------------------------


def test_a_luxury_watch_above_300_euro(rules: GoodsRules) -> None:
    engine = FreightEngine(rules)
    watch = line("91011100", 0.2, 12_000)
    russian_road, other_road, cheap, outbound = check(
        engine,
        consignment("2022-09-01", watch, mode="road", carrier=RU_CARRIER),
        consignment("2022-09-01", watch, mode="road", carrier=LT_CARRIER),
        consignment("2022-09-01", replace(watch, value_eur=250), mode="road", carrier=RU_CARRIER),
        consignment("2022-09-01", watch, mode="road", carrier=RU_CARRIER, direction="from_kaliningrad"),
    )
    assert russian_road.decision == "DENY"
    assert rules_of(russian_road) == ["xviii-s18-watches", "art3l-road-carrier"]
    assert "above EUR 300 per item" in message(russian_road, "xviii-s18-watches")
    assert other_road.decision == "HOLD"  # policy: sanctioned goods, carrier not established in Russia
    assert rules_of(other_road) == ["xviii-s18-watches", "policy.road_sanctioned_goods_other_carrier"]
    assert cheap.decision == "ALLOW"
    assert outbound.decision == "ALLOW"  # leaves the Union into Belarus: Art 3h not applied


def test_luxury_thresholds_per_section(rules: GoodsRules) -> None:
    engine = FreightEngine(rules)
    phone_700, phone_800, sight = check(
        engine,
        consignment("2022-09-01", line("85171300", 0.2, 700), mode="road", carrier=RU_CARRIER),
        consignment("2022-09-01", line("85171300", 0.2, 800), mode="road", carrier=RU_CARRIER),
        consignment("2022-09-01", line("90049090", 0.2, 5), mode="road", carrier=RU_CARRIER),
    )
    assert "xviii-s15-electronics" not in rules_of(phone_700)
    assert "xviii-s15-electronics" in rules_of(phone_800)
    assert "xviii-s23-optical-sights" in rules_of(sight)  # of any value


# -- dual use and military: every mode ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("control", "rule"),
    [("5A002", "dual-use-annex-i"), ("ML10.a", "military-cml"), ("X.A.I.001", "advanced-tech-annex-vii")],
)
def test_a_control_code_is_denied_on_rail(rules: GoodsRules, control: str, rule: str) -> None:
    engine = FreightEngine(rules, baseline={"84": 1e12})
    (decision,) = check(engine, consignment("2022-05-01", line("90268080", value=100, control=control)))
    assert decision.decision == "DENY"
    assert rules_of(decision) == [rule]
    assert "every mode" in message(decision, rule)


def test_a_control_code_no_list_knows_is_held(rules: GoodsRules) -> None:
    unknown = line("90268080", value=100, control="Q.1")
    (decision,) = check(FreightEngine(rules), consignment("2022-05-01", unknown))
    assert decision.decision == "HOLD"
    assert rules_of(decision) == ["control-code-unknown"]


# -- road: Art 3l and the Kaliningrad exemption --------------------------------------------------------------


def test_russian_road_carrier_sanctioned_denied_unsanctioned_allowed(rules: GoodsRules) -> None:
    (decision,) = check(
        FreightEngine(rules),
        consignment("2022-07-12", line("25232900"), line("04021019"), mode="road", carrier=RU_CARRIER),
    )
    assert decision.decision == "DENY"
    assert [line.decision for line in decision.lines] == ["DENY", "ALLOW"]
    assert rules_of(decision, 0) == ["xxi-a", "art3l-road-carrier"]
    assert rules_of(decision, 1) == ["art3l-2b-kaliningrad"]
    assert "Art 3l(2)(b)" in decision.lines[1].reasons[0].legal_basis


def test_road_with_another_carrier_follows_the_policy(tmp_path: Path, rules: GoodsRules) -> None:
    (held,) = check(
        FreightEngine(rules), consignment("2022-07-12", line("25232900"), mode="road", carrier=LT_CARRIER)
    )
    assert held.decision == "HOLD"
    folder = tmp_path / "goods"
    shutil.copytree(DEFAULT_GOODS_PACK, folder)
    index = folder / "goods.yaml"
    index.write_text(index.read_text(encoding="utf-8").replace("value: HOLD", "value: QUOTA"), "utf-8")
    engine = FreightEngine(load_goods_rules(folder), baseline={"2523": 1_500})
    within, over = check(
        engine,
        consignment("2022-07-12", line("25232900"), mode="road", carrier=LT_CARRIER),
        consignment("2022-07-13", line("25232900"), mode="road", carrier=LT_CARRIER),
    )
    assert within.decision == "ALLOW"
    assert over.decision == "DENY"


def test_russian_trailer_from_24_june_2023_behind_any_tractor(rules: GoodsRules) -> None:
    hauled = Carrier("UAB Baltic Haulage", "LT", "LT", "RU")
    before, after = check(
        FreightEngine(rules),
        consignment("2023-06-23", line("04021019"), mode="road", carrier=hauled),
        consignment("2023-06-24", line("04021019"), mode="road", carrier=hauled),
    )
    assert before.decision == "ALLOW"
    assert after.decision == "DENY"
    assert rules_of(after) == ["art3l-1a-trailers"]


# -- parties ---------------------------------------------------------------------------------------------


def test_a_party_on_a_list_denies_every_line(rules: GoodsRules) -> None:
    listed = ListedEntity("EU.1234.56", "Company", (ListedName("Zapad Stroy OOO"),))
    index = ScreeningIndex.build([listed], persons_only=False)
    engine = FreightEngine(rules, index=index)
    (decision,) = check(engine, consignment("2022-05-01", line("04021019"), line("94036010")))
    assert decision.decision == "DENY"
    assert all(rules_of(decision, n) == ["asset-freeze-parties"] for n in range(2))
    said = message(decision, "asset-freeze-parties")
    assert "consignee 'OOO Zapad Stroy' matches list entry EU.1234.56" in said
    clean = replace(
        consignment("2022-05-01", line("04021019")), consignee=Party("UAB Vilniaus Prekyba", "LT")
    )
    assert check(engine, clean)[0].decision == "ALLOW"


# -- quotas ------------------------------------------------------------------------------------------------


def test_no_baseline_or_no_row_holds_a_sanctioned_line(rules: GoodsRules) -> None:
    (none,) = check(FreightEngine(rules), consignment("2022-07-12", line("25232900")))
    (no_row,) = check(
        FreightEngine(rules, baseline={"7208": 1e6}), consignment("2022-07-12", line("25232900"))
    )
    for decision in (none, no_row):
        assert decision.decision == "HOLD"
        assert "no baseline" in message(decision, "rail-quota-2019-2021")


def test_the_longest_prefix_is_the_product_group(rules: GoodsRules) -> None:
    engine = FreightEngine(rules, baseline={"72": 1e9, "7208": 50_000, "720851": 10_000})
    narrow, heading, chapter = check(
        engine,
        consignment("2022-07-01", line("72085120", 5_000)),
        consignment("2022-07-01", line("72081000", 5_000), ident="C2"),
        consignment("2022-07-01", line("72131000", 5_000), ident="C3"),
    )
    assert "product group 7208 51 (10,000 kg a year)" in message(narrow, "rail-quota-2019-2021")
    assert "product group 7208 (50,000 kg a year)" in message(heading, "rail-quota-2019-2021")
    assert "product group 72 (" in message(chapter, "rail-quota-2019-2021")


def test_quotas_count_per_calendar_year_in_input_order(rules: GoodsRules) -> None:
    engine = FreightEngine(rules, baseline={"7208": 10_000})
    balance = QuotaBalance()
    december, late, january = check(
        engine,
        consignment("2022-12-30", line("72085120", 8_000)),
        consignment("2022-12-31", line("72085120", 3_000), ident="C2"),
        consignment("2023-01-02", line("72085120", 9_000), ident="C3"),
        balance=balance,
    )
    assert (december.decision, late.decision, january.decision) == ("ALLOW", "DENY", "ALLOW")
    assert balance.used == {(2022, "7208"): 8_000, (2023, "7208"): 9_000}


def test_a_denied_consignment_does_not_use_quota_a_held_one_reserves_it(rules: GoodsRules) -> None:
    engine = FreightEngine(rules, baseline={"7208": 10_000})
    balance = QuotaBalance()
    denied, held = check(
        engine,
        consignment("2022-07-01", line("72085120", 6_000), line("90268080", value=100, control="5A002")),
        consignment("2022-07-12", line("72085120", 6_000), line("25232900"), ident="C2"),
        balance=balance,
    )
    assert denied.decision == "DENY"
    assert denied.lines[0].decision == "ALLOW"  # within quota, but the consignment does not cross
    assert held.decision == "HOLD"  # cement has no baseline row
    assert balance.used == {(2022, "7208"): 6_000}
    (later,) = check(engine, consignment("2022-07-13", line("72085120", 5_000), ident="C3"), balance=balance)
    assert later.decision == "DENY"


def test_lines_of_one_consignment_share_the_balance(rules: GoodsRules) -> None:
    (decision,) = check(
        FreightEngine(rules, baseline={"7208": 10_000}),
        consignment("2022-07-01", line("72085120", 6_000), line("72081000", 6_000)),
    )
    assert [line.decision for line in decision.lines] == ["ALLOW", "DENY"]


# -- the pack's policy, determinism, the output shape ------------------------------------------------------


def test_ex_codes_can_be_held_for_an_officer(tmp_path: Path, rules: GoodsRules) -> None:
    (applied,) = check(
        FreightEngine(rules), consignment("2022-12-07", line("27090090"), mode="road", carrier=RU_CARRIER)
    )
    assert applied.decision == "DENY"
    assert "an ex code" in message(applied, "oil-crude")
    folder = tmp_path / "goods"
    shutil.copytree(DEFAULT_GOODS_PACK, folder)
    index = folder / "goods.yaml"
    index.write_text(index.read_text(encoding="utf-8").replace("value: apply", "value: hold"), "utf-8")
    (held,) = check(
        FreightEngine(load_goods_rules(folder)),
        consignment("2022-12-07", line("27090090"), mode="road", carrier=LT_CARRIER),
    )
    assert held.decision == "HOLD"
    assert "check the goods against the annex" in message(held, "oil-crude")


def test_the_same_stream_gives_the_same_decisions(rules: GoodsRules) -> None:
    stream = [
        consignment("2022-07-12", line("25232900", 700), ident="A"),
        consignment("2022-07-13", line("72085120", 900), line("04021019"), ident="B"),
        consignment("2022-07-14", line("25232900", 700), mode="road", carrier=RU_CARRIER, ident="C"),
    ]
    first = FreightEngine(rules, baseline={"2523": 1_000, "7208": 1_000}).check_all(stream)
    again = FreightEngine(rules, baseline={"2523": 1_000, "7208": 1_000}).check_all(stream)
    assert first == again


def test_a_decision_serialises_to_the_output_contract(rules: GoodsRules) -> None:
    (decision,) = check(
        FreightEngine(rules), consignment("2022-07-12", line("25232900"), mode="road", carrier=RU_CARRIER)
    )
    body = orjson.loads(orjson.dumps(decision))
    assert body == decision.as_dict()
    assert set(body) == {"id", "decision", "lines"}
    assert set(body["lines"][0]) == {"cn_code", "decision", "reasons"}
    assert set(body["lines"][0]["reasons"][0]) == {"rule", "legal_basis", "message"}
