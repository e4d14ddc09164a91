"""The Kaliningrad rule pack: the corridor as dated, cited data; bad packs named by file and key."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from transitguard.errors import ConfigurationError
from transitguard.rulepacks import RulePack, load_rule_pack


def test_the_corridor_facts(pack: RulePack) -> None:
    corridor = pack.corridor
    assert corridor.checkpoint_codes == {"LT-KENA", "LT-KYBARTAI"}
    assert corridor.directions["to_kaliningrad"].entry == "LT-KENA"
    assert {t.number for t in corridor.trains} == {"29", "30", "147", "148", "79", "80", "359", "360"}
    assert corridor.planned_places == {"LT-KENA", "VILNIUS", "KAUNAS", "LT-KYBARTAI"}
    assert corridor.transit_documents["FRTD"].max_transit_hours == 6
    assert corridor.transit_documents["FTD"].max_transit_hours == 24
    assert corridor.transit_documents["FRTD"].max_transits == 2


def test_values_that_changed_carry_their_dates(pack: RulePack) -> None:
    corridor = pack.corridor
    assert corridor.cap_on(date(2022, 7, 31)) == 250
    assert corridor.cap_on(date(2022, 8, 1)) == 300
    assert corridor.alighting_banned("LT-KENA", date(2024, 2, 29)) is None
    assert corridor.alighting_banned("LT-KENA", date(2024, 3, 1)) is not None


def test_every_value_cites_its_source(pack: RulePack) -> None:
    corridor = pack.corridor
    cited = [
        *corridor.checkpoints,
        *corridor.planned_stops,
        *corridor.trains,
        *corridor.passenger_cap,
        *corridor.alighting,
        *corridor.transit_documents.values(),
    ]
    assert all("DOMAIN §" in item.basis or item.basis.startswith("Free movement") for item in cited)


@pytest.fixture
def pack_copy(tmp_path: Path, pack: RulePack) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(pack.path, target)
    return target


def test_an_unknown_key_is_named_with_its_file(pack_copy: Path) -> None:
    corridor = pack_copy / "corridor.yaml"
    corridor.write_text(corridor.read_text().replace("timezone:", "time_zone:"))
    with pytest.raises(ConfigurationError, match=r"corridor\.yaml: key time_zone: Extra inputs"):
        load_rule_pack(pack_copy)


def test_a_dangling_checkpoint_is_named(pack_copy: Path) -> None:
    corridor = pack_copy / "corridor.yaml"
    corridor.write_text(
        corridor.read_text().replace(
            "{entry: LT-KENA, exit: LT-KYBARTAI}", "{entry: LT-KENA, exit: LT-SOVETSK}"
        )
    )
    with pytest.raises(
        ConfigurationError, match=r"directions\.to_kaliningrad\.exit: checkpoint 'LT-SOVETSK'"
    ):
        load_rule_pack(pack_copy)
