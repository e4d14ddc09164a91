"""Reading a rule-pack YAML file: safe loading only, a duplicated key refused (PyYAML would keep the
last of two equal keys, silently ignoring the other), every failure naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from transitguard.errors import ConfigurationError


class _UniqueKeyLoader(yaml.CSafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_UniqueKeyLoader)  # a CSafeLoader: no arbitrary objects
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from None
