"""The goods rule pack: sanctions as dated, cited data, kept equal to the annexes; bad packs named by file
and key, never half-loaded; dump, diff and explain for `transitguard rules`."""

from __future__ import annotations

import csv
import json
import re
import shutil
import time
from datetime import date
from pathlib import Path

import orjson
import pytest
import yaml
from pydantic import BaseModel

from transitguard.errors import ConfigurationError, NotFoundError
from transitguard.rulepacks.goods import (
    DEFAULT_GOODS_PACK,
    GoodsIndex,
    GoodsRule,
    GoodsRules,
    LegalBasis,
    Policy,
    diff,
    dump,
    explain,
    explain_text,
    load_goods_rules,
    parse_code,
    summary,
)

ROOT = Path(__file__).resolve().parents[2]
ANNEXES = ROOT.parent / "shared" / "data" / "sanctions_goods" / "annexes"
HS_CN = ROOT.parent / "shared" / "data" / "hs_cn"
DOC = ROOT / "docs" / "freight.md"


@pytest.fixture(scope="module")
def rules() -> GoodsRules:
    return load_goods_rules(DEFAULT_GOODS_PACK)


def pack_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "goods"
    shutil.copytree(DEFAULT_GOODS_PACK, folder)
    return folder


def edit(path: Path, change: str, into: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert change in text, change
    path.write_text(text.replace(change, into, 1), encoding="utf-8")


# -- the shipped pack ---------------------------------------------------------------------------------


def test_the_pack_loads_fast_and_names_its_version(rules: GoodsRules) -> None:
    started = time.perf_counter()
    again = load_goods_rules(DEFAULT_GOODS_PACK)
    assert time.perf_counter() - started < 1.0
    assert again == rules
    assert rules.id == "kaliningrad-goods"
    assert rules.version
    assert rules.law_as_of == date(2023, 6, 24)


def test_the_pack_loads_from_its_folder_its_index_or_the_corridor_pack() -> None:
    for path in (DEFAULT_GOODS_PACK, DEFAULT_GOODS_PACK / "goods.yaml", DEFAULT_GOODS_PACK.parent):
        assert load_goods_rules(path).id == "kaliningrad-goods"


def test_every_rule_cites_its_legal_basis_and_source(rules: GoodsRules) -> None:
    for rule in rules.rules:
        assert rule.legal_basis.regulation, rule.id
        assert rule.legal_basis.article, rule.id
        assert rule.source, rule.id
        assert rule.message, rule.id
        assert rule.assumption == bool(rule.assumption_note), rule.id


def test_the_dates_customs_worked_to(rules: GoodsRules) -> None:
    """DOMAIN §3: steel stopped 17/18 Jun 2022, Annex XXI after 10 Jul, coal 10 Aug, oil 5 Dec / 5 Feb."""
    applies = {rule.id: rule.applies_from for rule in rules.rules}
    assert applies["xvii-a"] == date(2022, 6, 18)
    assert applies["xxi-a"] == date(2022, 7, 11)
    assert applies["xxii-coal"] == date(2022, 8, 11)
    assert applies["oil-crude"] == date(2022, 12, 6)
    assert applies["oil-products"] == date(2023, 2, 6)
    assert applies["art3l-1a-trailers"] == date(2023, 6, 24)
    assert rules.rule("xvii-a").valid_until == date(2023, 6, 23)
    assert rules.rule("xvii-2023").valid_from == date(2023, 6, 24)


def test_codes_keep_prefix_and_ex_semantics(rules: GoodsRules) -> None:
    assert "7208" in rules.rule("xvii-b").codes
    assert "7208 51 20" in rules.rule("xvii-a").codes
    assert "7210 41 00 20" in rules.rule("xvii-a").codes  # a TARIC code, kept at 10 digits
    assert rules.rule("oil-crude").codes == ("ex 2709 00",)
    assert parse_code("ex 2709 00") == ("270900", True)
    assert parse_code("7208 51 20") == ("72085120", False)
    assert "ex 9101" in rules.rule("xviii-s18-watches").codes  # printed "ex 9101 00 00": the heading


def test_annex_xviii_thresholds(rules: GoodsRules) -> None:
    assert rules.rule("xviii-s18-watches").threshold_eur == 300
    assert rules.rule("xviii-s15-electronics").threshold_eur == 750
    assert rules.rule("xviii-s16-electrical-optical").threshold_eur == 1000
    assert rules.rule("xviii-s19-instruments").threshold_eur == 1500
    assert rules.rule("xviii-s17-vehicles-cars").threshold_eur == 50_000
    assert rules.rule("xviii-s17-vehicles-motorcycles").threshold_eur == 5000
    assert rules.rule("xviii-s23-optical-sights").threshold_eur == 0  # of any value
    assert rules.rule("xviii-s17-vehicles-parts").assumption  # no amount stated: EUR 300 assumed


def _known_cn() -> set[str]:
    known: set[str] = set()
    for name in ("cn8_2025_flat.csv", "cn8_2026_flat.csv"):
        with (HS_CN / name).open(encoding="utf-8") as handle:
            known |= {row["cn8"] for row in csv.DictReader(handle)}
    for name in ("cnSubheadings_2026.json", "cnHeadings_2026.json", "cnChapters_2026.json"):
        known |= {item["code"] for item in json.loads((HS_CN / name).read_text(encoding="utf-8"))}
    with (HS_CN / "harmonized-system.csv").open(encoding="utf-8-sig") as handle:
        known |= {row["hscode"] for row in csv.DictReader(handle)}
    return known


def _as_read(code: str, known: set[str]) -> str:
    """A printed code that is no CN or HS code stands for the code its trailing zero pairs leave."""
    if len(code) == 10 or code in known:
        return code
    shorter = code
    while shorter not in known and shorter.endswith("00") and len(shorter) > 2:
        shorter = shorter[:-2]
    return shorter if shorter in known else code


# rule id → (annex file, the rows it was built from)
_ROWS = {
    "xvii-a": (
        "annex_xvii.csv",
        {"source_version": "02014R0833-20230427", "part": "A", "listed_from": "2022-03-16"},
    ),
    "xvii-a-tubes": (
        "annex_xvii.csv",
        {"source_version": "02014R0833-20230427", "listed_from": "2022-04-09"},
    ),
    "xvii-b": ("annex_xvii.csv", {"source_version": "02014R0833-20230427", "part": "B"}),
    "xvii-2023": ("annex_xvii.csv", {"source_version": "32023R1214"}),
    "xviii-s18-watches": ("annex_xviii.csv", {"source_version": "02014R0833-20230427", "section": "(18)"}),
    "xviii-2023-s15-electronics": ("annex_xviii.csv", {"source_version": "32023R1214", "section": "(15)"}),
    "xxi-2023": ("annex_xxi.csv", {"source_version": "32023R1214"}),
    "xxii-coal": ("annex_xxii.csv", {}),
    "oil-crude": ("annex_xxv_oil.csv", {"cn_code": "270900"}),
}


@pytest.mark.skipif(not ANNEXES.is_dir() or not HS_CN.is_dir(), reason="shared/data not present")
@pytest.mark.parametrize("rule_id", sorted(_ROWS))
def test_rule_codes_are_the_annex_rows(rules: GoodsRules, rule_id: str) -> None:
    """The YAML was generated from the annex CSVs (read from the legal text): it must still equal them."""
    name, where = _ROWS[rule_id]
    known = _known_cn()
    with (ANNEXES / name).open(encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if all(r[k].startswith(v) if k == "section" else r[k] == v for k, v in where.items())
        ]
    expected = {(_as_read(r["cn_code"], known), r["ex"] == "true") for r in rows}
    assert {parse_code(code) for code in rules.rule(rule_id).codes} == expected


def test_every_annex_row_is_in_some_rule(rules: GoodsRules) -> None:
    if not ANNEXES.is_dir() or not HS_CN.is_dir():
        pytest.skip("shared/data not present")
    known = _known_cn()
    in_pack = {parse_code(code)[0] for rule in rules.rules for code in rule.codes}
    for name in ("annex_xvii.csv", "annex_xviii.csv", "annex_xxi.csv", "annex_xxii.csv", "annex_xxv_oil.csv"):
        with (ANNEXES / name).open(encoding="utf-8") as handle:
            missing = {
                r["cn_code"] for r in csv.DictReader(handle) if _as_read(r["cn_code"], known) not in in_pack
            }
        assert not missing, (name, sorted(missing)[:5])


# -- bad packs: named by file and key, never half-loaded ---------------------------------------------------


def test_an_unknown_key_in_a_rule_is_named_with_its_file(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / "oil.yaml", "    kind: import_ban\n", "    kind: import_ban\n    wind_down: 2022-12-05\n")
    with pytest.raises(ConfigurationError, match=r"oil\.yaml: key rules\[0\]\.wind_down: Extra inputs"):
        load_goods_rules(folder)


def test_an_unknown_policy_key_is_named(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / "goods.yaml", "policy:\n", "policy:\n  quota_years: 3\n")
    with pytest.raises(ConfigurationError, match=r"goods\.yaml: key policy\.quota_years"):
        load_goods_rules(folder)


def test_a_dangling_exemption_is_named_with_file_and_key(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / "road.yaml", 'exemptions: ["art3l-2b-kaliningrad"]', 'exemptions: ["art3l-2c-kaliningrad"]')
    with pytest.raises(ConfigurationError, match=r"road\.yaml: key rules\[0\]\.exemptions\[0\]: 'art3l-2c"):
        load_goods_rules(folder)


def test_an_exemption_must_name_an_exemption(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / "road.yaml", 'exemptions: ["art3l-2b-kaliningrad"]', 'exemptions: ["xvii-a"]')
    with pytest.raises(ConfigurationError, match=r"exemptions\[0\]: 'xvii-a': a import_ban rule"):
        load_goods_rules(folder)


def test_a_dangling_replaces_is_named(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / "annex_xvii.yaml", 'replaces: ["xvii-a", ', 'replaces: ["xvii-c", ')
    with pytest.raises(
        ConfigurationError, match=r"annex_xvii\.yaml: key rules\[3\]\.replaces\[0\]: 'xvii-c'"
    ):
        load_goods_rules(folder)


def test_a_listed_file_that_is_missing_and_a_file_not_listed(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    (folder / "gold.yaml").rename(folder / "gold-2022.yaml")
    with pytest.raises(ConfigurationError, match=r"goods\.yaml: key files\[5\]: no rule file 'gold\.yaml'"):
        load_goods_rules(folder)
    edit(folder / "goods.yaml", "  - gold.yaml\n", "")
    with pytest.raises(
        ConfigurationError, match=r"key files: gold-2022\.yaml is in the pack folder but not listed"
    ):
        load_goods_rules(folder)


def test_a_rule_id_defined_twice(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / "gold.yaml", "id: gold-xxvii", "id: gold-xxvi")
    with pytest.raises(
        ConfigurationError, match=r"gold\.yaml: key rules\[1\]\.id: rule 'gold-xxvi' is already"
    ):
        load_goods_rules(folder)


def test_a_duplicated_yaml_key_is_not_silently_dropped(tmp_path: Path) -> None:
    folder = pack_copy(tmp_path)
    edit(
        folder / "oil.yaml",
        "    valid_from: 2022-06-04\n",
        "    valid_from: 2022-06-04\n    valid_from: 2022-01-01\n",
    )
    with pytest.raises(ConfigurationError, match=r"oil\.yaml: not valid YAML: .*duplicate key 'valid_from'"):
        load_goods_rules(folder)


@pytest.mark.parametrize(
    ("file", "change", "into", "message"),
    [
        (
            "oil.yaml",
            '"ex 2709 00"',
            '"ex 27O9 00"',
            r"oil\.yaml: key rules\[0\]\.codes\[0\]: .*not a CN code",
        ),
        (
            "oil.yaml",
            "    kind: import_ban\n",
            "    kind: import_ban\n    threshold_eur: 300\n",
            r"threshold_eur: not used",
        ),
        (
            "gold.yaml",
            '      - "7108"',
            '      - "7108"\n      - "7108"',
            r"codes\[1\]: '7108' is listed twice",
        ),
        (
            "oil.yaml",
            "wind_down_until: 2022-12-05",
            "wind_down_until: 2022-01-05",
            r"wind_down_until: .*before",
        ),
        ("road.yaml", "    assumption: true\n", "", r"road\.yaml: key rules\[2\]\.assumption_note"),
        ("road.yaml", 'countries: ["RU"]', "countries: []", r"rules\[0\]\.countries: a rule of kind"),
        (
            "goods.yaml",
            "value: HOLD",
            "value: MAYBE",
            r"goods\.yaml: key policy\.road_sanctioned_goods_other_carrier",
        ),
    ],
)
def test_a_bad_value_is_named(tmp_path: Path, file: str, change: str, into: str, message: str) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / file, change, into)
    with pytest.raises(ConfigurationError, match=message):
        load_goods_rules(folder)


def test_a_pack_that_fails_leaves_the_loaded_one_as_it_was(tmp_path: Path, rules: GoodsRules) -> None:
    before = dump(rules)
    folder = pack_copy(tmp_path)
    edit(folder / "road.yaml", 'exemptions: ["art3l-2b-kaliningrad"]', 'exemptions: ["nothing"]')
    active = rules
    with pytest.raises(ConfigurationError):
        active = load_goods_rules(folder)
    assert active is rules
    assert dump(active) == before


# -- dump, diff, explain -----------------------------------------------------------------------------------


def test_dump_is_json_and_complete(rules: GoodsRules) -> None:
    body = orjson.loads(orjson.dumps(dump(rules)))
    assert body["version"] == rules.version
    assert len(body["rules"]) == len(rules.rules)
    first = body["rules"][0]
    assert first["file"] == "annex_xvii.yaml"
    assert first["applies_from"] == "2022-06-18"
    assert body["policy"]["ex_codes"]["value"] == "apply"


def test_diff_names_rules_added_removed_and_fields_changed(tmp_path: Path, rules: GoodsRules) -> None:
    folder = pack_copy(tmp_path)
    edit(folder / "goods.yaml", 'version: "', 'version: "next-')
    edit(folder / "oil.yaml", "wind_down_until: 2023-02-05", "wind_down_until: 2023-03-05")
    edit(folder / "gold.yaml", '      - "7108"', '      - "7108"\n      - "7113"')
    text = (folder / "parties.yaml").read_text(encoding="utf-8")
    (folder / "parties.yaml").write_text(
        text.replace("id: asset-freeze-parties", "id: asset-freeze-all"), "utf-8"
    )
    changed = diff(rules, load_goods_rules(folder))
    assert changed["new"]["version"].startswith("next-")
    assert changed["added"] == ["asset-freeze-all"]
    assert changed["removed"] == ["asset-freeze-parties"]
    by_id = {c["id"]: c["fields"] for c in changed["changed"]}
    assert by_id["oil-products"]["wind_down_until"] == {"old": "2023-02-05", "new": "2023-03-05"}
    assert by_id["oil-products"]["applies_from"] == {"old": "2023-02-06", "new": "2023-03-06"}
    assert by_id["gold-xxvi"]["codes"] == {"added": ["7113"], "removed": []}
    assert set(by_id) == {"oil-products", "gold-xxvi"}
    assert diff(rules, rules)["changed"] == []


def test_explain_gives_the_rule_its_basis_dates_and_codes(rules: GoodsRules) -> None:
    told = explain(rules, "xxii-coal")
    assert told["legal_basis"].startswith("Council Regulation (EU) No 833/2014 Art 3j")
    assert told["dates"] == {
        "valid_from": "2022-04-09",
        "wind_down_until": "2022-08-10",
        "applies_from": "2022-08-11",
        "valid_until": "2023-06-23",
    }
    assert "2701" in told["codes"]
    assert told["file"] == "annex_xxii_coal.yaml"
    with pytest.raises(NotFoundError, match="did you mean xxii-coal"):
        explain(rules, "xxii-cole")


# -- the docs document every field ---------------------------------------------------------------------


@pytest.mark.parametrize("model", [GoodsRule, LegalBasis, Policy, GoodsIndex])
def test_every_rule_pack_field_is_documented(model: type[BaseModel]) -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in model.model_fields if f"`{name}`" not in text]
    assert not missing, f"docs/freight.md does not document {missing}"


def test_every_rule_file_is_in_the_docs(rules: GoodsRules) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert all(f"`{name}`" in text for name in rules.files)
    kinds = set(re.findall(r"`([a-z_]+)`", text))
    assert {rule.kind for rule in rules.rules} <= kinds


def test_the_yaml_is_plain_safe_yaml() -> None:
    for path in DEFAULT_GOODS_PACK.glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path


def test_summary_and_explain_text_for_the_cli(rules: GoodsRules) -> None:
    said = summary(rules)
    assert said["rules"] == len(rules.rules)
    assert said["by_kind"]["control_list"] == 3
    assert "art3l-1a-trailers" in said["assumptions"]
    text = explain_text(rules, "oil-crude")
    assert "applies: 2022-12-06 to (no end) (in force 2022-06-04; wind-down until 2022-12-05)" in text
    assert "codes (1): ex 2709 00" in text
    assert text.splitlines()[-1].startswith("assumption: ")
