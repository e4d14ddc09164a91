"""Rule packs: versioned folders of YAML, one per corridor, loaded into typed models."""

from transitguard.rulepacks.loader import RulePack, load_rule_pack

__all__ = ["RulePack", "load_rule_pack"]
