"""Load a rule pack: YAML → typed models (unknown keys rejected) → reference checks.

Each failure names the file and the key, the way followthemoney's model loader does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from transitguard.domain.corridor import Corridor
from transitguard.errors import ConfigurationError
from transitguard.rulepacks.yaml_files import read_yaml

PACKS_ROOT = Path(__file__).parent
M = TypeVar("M", bound=BaseModel)


class PackManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str
    title: str
    files: list[str]


@dataclass(frozen=True)
class RulePack:
    id: str
    version: str
    title: str
    corridor: Corridor
    path: Path


def _validated(model: type[M], data: Any, path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Unknown keys first: a misspelt key also shows up as the missing key it should have been.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        named = [f"key {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in errors[:5]]
        raise ConfigurationError(f"{path}: " + "; ".join(named)) from None


def _check_references(corridor: Corridor, path: Path) -> None:
    codes = corridor.checkpoint_codes
    for direction, spec in corridor.directions.items():
        for end in ("entry", "exit"):
            code = getattr(spec, end)
            if code not in codes:
                raise ConfigurationError(
                    f"{path}: key directions.{direction}.{end}: checkpoint {code!r} is not defined"
                )
    known_places = codes | corridor.planned_places
    for index, rule in enumerate(corridor.alighting):
        for place in rule.places:
            if place not in known_places:
                raise ConfigurationError(f"{path}: key alighting.{index}.places: unknown place {place!r}")
    numbers = [t.number for t in corridor.trains]
    duplicate = next((n for n in numbers if numbers.count(n) > 1), None)
    if duplicate:
        raise ConfigurationError(f"{path}: key trains: train {duplicate!r} is defined twice")


def load_rule_pack(name_or_path: str | Path) -> RulePack:
    """Load a pack by name (a folder under rulepacks/) or by path to its folder."""
    folder = Path(name_or_path)
    if not folder.is_dir():
        folder = PACKS_ROOT / str(name_or_path)
    if not folder.is_dir():
        raise ConfigurationError(f"rule pack {name_or_path!r}: no such folder")
    manifest_path = folder / "pack.yaml"
    manifest = _validated(PackManifest, read_yaml(manifest_path), manifest_path)
    if "corridor.yaml" not in manifest.files:
        raise ConfigurationError(f"{manifest_path}: key files: corridor.yaml is required")
    corridor_path = folder / "corridor.yaml"
    corridor = _validated(Corridor, read_yaml(corridor_path), corridor_path)
    _check_references(corridor, corridor_path)
    return RulePack(
        id=manifest.id, version=manifest.version, title=manifest.title, corridor=corridor, path=folder
    )
