"""The people rules of the Kaliningrad pack: dated, cited data; bad files named by file and key."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from transitguard.errors import ConfigurationError, NotFoundError
from transitguard.rulepacks import load_rule_pack
from transitguard.rulepacks import people as people_module
from transitguard.rulepacks.people import (
    PeopleRules,
    PurposeRestrictionRule,
    RefusingRule,
    diff,
    dump,
    explain,
    load_people_rules,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "eligibility.md"


@pytest.fixture(scope="module")
def rules() -> PeopleRules:
    return load_people_rules("kaliningrad")


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(load_rule_pack("kaliningrad").path, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_refusal_letters_of_the_borders_code(rules: PeopleRules) -> None:
    codes = rules.catalogue.refusal_codes
    assert list(codes) == list("ABCDEFGHI")
    assert "travel document" in codes["A"].reason
    assert "visa" in codes["C"].reason
    assert "purpose" in codes["E"].reason
    # H and I are [U] in DOMAIN.md §5: kept, marked as assumptions.
    assert codes["H"].assumption
    assert codes["I"].assumption
    assert not codes["A"].assumption


def test_every_refusal_maps_to_a_letter(rules: PeopleRules) -> None:
    refusing = [r for r in rules.eligibility.rules if isinstance(r, RefusingRule)]
    assert {r.id: r.refusal_code for r in refusing} == {
        "eu-travel-ban": "H",
        "valid-travel-document": "A",
        "ru-internal-passport": "A",
        "ru-non-biometric-passport": "A",
        "visa-or-permit-required": "C",
        "ru-entry-restriction-2022": "E",
    }


def test_the_dates_the_law_gives(rules: PeopleRules) -> None:
    restriction = rules.rule("ru-entry-restriction-2022")
    assert isinstance(restriction, PurposeRestrictionRule)
    assert restriction.valid_from == date(2022, 9, 19)
    assert set(restriction.purposes) == {"tourism", "culture", "sport", "business"}
    assert rules.rule("ru-non-biometric-passport").valid_from == date(2025, 6, 1)
    # Internal passports accepted until 31 Dec 2004: not recognised from the day after.
    assert rules.rule("ru-internal-passport").valid_from == date(2005, 1, 1)


def test_every_rule_cites_its_source_and_legal_basis(rules: PeopleRules) -> None:
    for rule in (*rules.eligibility.rules, *rules.frtd.checks):
        assert rule.legal_basis.strip(), rule.id
        cites_domain = "DOMAIN §" in rule.source
        # What DOMAIN.md does not state must be marked as an assumption.
        assert cites_domain or rule.assumption, rule.id
        if "not in DOMAIN" in rule.source or "[U]" in rule.source:
            assert rule.assumption, rule.id


def test_an_unknown_key_is_named_with_its_file(pack_copy: Path) -> None:
    path = pack_copy / "people" / "eligibility.yaml"
    edit(
        path,
        "    unstated_purpose_restricted: true",
        "    unstated_purpose_restricted: true\n    purpose_grace: 2",
    )
    with pytest.raises(ConfigurationError) as caught:
        load_people_rules(pack_copy)
    message = caught.value.message
    assert "eligibility.yaml" in message
    assert re.search(
        r"key rules\.\d+\.purpose_grace \(rule ru-entry-restriction-2022\): unknown key", message
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "catalogue.yaml",
            "refusal_precedence:",
            "refusal_order: []\nrefusal_precedence:",
            "key refusal_order",
        ),
        (
            "frtd.yaml",
            "issuing_state: LTU",
            "issuing_state: LTU\nissuing_office: Moscow",
            "key issuing_office",
        ),
        (
            "frtd.yaml",
            "  - id: frtd-grant\n    action: note",
            "  - id: frtd-grant\n    action: ignore",
            "action",
        ),
        ("eligibility.yaml", "kind: travel_ban", "kind: travel_banned", "key rules.0.kind"),
    ],
)
def test_bad_keys_anywhere_name_file_and_key(
    pack_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    edit(pack_copy / "people" / file, old, new)
    with pytest.raises(ConfigurationError, match=rf"{re.escape(file)}: .*{re.escape(expected)}"):
        load_people_rules(pack_copy)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      - exception-transport-crew\n",
            "      - exception-transport-crew\n      - exception-pilgrims\n",
            r"rules\.11\.exceptions\.5: no rule 'exception-pilgrims' is defined",
        ),
        (
            "grounds: [ground-schengen-visa,",
            "grounds: [exception-diplomat, ground-schengen-visa,",
            r"rules\.10\.grounds\.0: rule 'exception-diplomat' is not a ground rule",
        ),
        (
            "documents: [FTD, FRTD]",
            "documents: [FTD, FRTD, EES_RECORD]",
            r"unknown document kind 'EES_RECORD'",
        ),
        ("categories: [diplomat]", "categories: [ambassador]", r"unknown category 'ambassador'"),
        ("purposes: [tourism, culture", "purposes: [shopping, culture", r"unknown purpose 'shopping'"),
        ("refusal_code: E", "refusal_code: Z", r"unknown refusal code 'Z'"),
        ("- id: ground-ftd", "- id: ground-frtd", r"rule 'ground-frtd' is defined twice"),
    ],
)
def test_dangling_references_name_file_and_key(pack_copy: Path, old: str, new: str, expected: str) -> None:
    edit(pack_copy / "people" / "eligibility.yaml", old, new)
    with pytest.raises(ConfigurationError, match=r"eligibility\.yaml: key .*" + expected):
        load_people_rules(pack_copy)


def test_the_catalogue_must_define_what_the_engines_name(pack_copy: Path) -> None:
    path = pack_copy / "people" / "catalogue.yaml"
    frtd = (
        '  FRTD:\n    label: Facilitated Rail Transit Document\n    source: "DOMAIN §1: Reg (EC) 693/2003"\n'
    )
    edit(path, frtd, "")
    with pytest.raises(
        ConfigurationError, match=r"catalogue\.yaml: key documents: document kind FRTD is required"
    ):
        load_people_rules(pack_copy)


def test_precedence_lists_every_letter_once(pack_copy: Path) -> None:
    edit(pack_copy / "people" / "catalogue.yaml", "[H, I, B, D, A, C, E, F, G]", "[H, I, B, D, A, C, E, F]")
    with pytest.raises(ConfigurationError, match=r"catalogue\.yaml: key refusal_precedence"):
        load_people_rules(pack_copy)


def test_a_missing_frtd_check_is_named(pack_copy: Path) -> None:
    edit(pack_copy / "people" / "frtd.yaml", "  - id: frtd-validity\n", "  - id: frtd-validity-x\n")
    with pytest.raises(
        ConfigurationError, match=r"frtd\.yaml: key checks\.\d+\.id: unknown check 'frtd-validity-x'"
    ):
        load_people_rules(pack_copy)


def test_a_stray_file_is_not_silently_ignored(pack_copy: Path) -> None:
    (pack_copy / "people" / "eligibilty.yaml").write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"eligibilty\.yaml: unexpected file"):
        load_people_rules(pack_copy)


def test_dump_is_json_and_diff_names_rules_by_id(pack_copy: Path, rules: PeopleRules) -> None:
    dumped = dump(rules)
    assert json.loads(json.dumps(dumped)) == dumped
    assert dumped["version"] == rules.version
    assert diff(rules, load_people_rules(pack_copy)) == []
    edit(
        pack_copy / "people" / "eligibility.yaml",
        "valid_from: 2022-09-19\n    refusal_code: E",
        "valid_from: 2022-09-20\n    refusal_code: E",
    )
    changes = diff(rules, load_people_rules(pack_copy))
    assert changes == [
        {
            "change": "changed",
            "path": "eligibility.rules.ru-entry-restriction-2022.valid_from",
            "old": "2022-09-19",
            "new": "2022-09-20",
        }
    ]


def test_explain_says_what_when_and_why(rules: PeopleRules) -> None:
    text = explain(rules, "ru-entry-restriction-2022")
    assert "in force: 2022-09-19" in text
    assert "refusal code: E" in text
    assert "exception exception-diplomat" in text
    assert "DOMAIN §4" in text
    assert "reacts to earlier violation: absconded" in explain(rules, "frtd-earlier-absconding")
    with pytest.raises(NotFoundError):
        explain(rules, "no-such-rule")


def test_every_rule_file_field_is_documented() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    models = [
        value
        for value in vars(people_module).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == people_module.__name__
    ]
    fields = {name for model in models for name in model.model_fields}
    missing = sorted(name for name in fields if f"`{name}`" not in documented)
    assert not missing, f"fields not documented in docs/eligibility.md: {missing}"
    rules = load_people_rules("kaliningrad")
    kinds = {r.kind for r in rules.eligibility.rules}
    assert all(f"`{kind}`" in documented for kind in kinds)
    undocumented = [rule_id for rule_id in rules.rule_ids if f"`{rule_id}`" not in documented]
    assert not undocumented, f"rules not documented in docs/eligibility.md: {undocumented}"
