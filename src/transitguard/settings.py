"""One typed settings object, built once from an explicit environment mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from transitguard.errors import ConfigurationError

DEFAULT_DATABASE_FILE = Path("var") / "transitguard.db"


class Secret(str):
    """A string that never shows itself in logs or reprs (database URLs carry passwords)."""

    def __repr__(self) -> str:
        return "Secret('**********')"


@dataclass(frozen=True)
class Settings:
    database_url: Secret
    rule_pack: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        url = environ.get("TRANSITGUARD_DATABASE_URL", "").strip()
        if not url:
            url = f"sqlite:///{DEFAULT_DATABASE_FILE}"
        if "://" not in url:
            raise ConfigurationError(
                "TRANSITGUARD_DATABASE_URL: expected a SQLAlchemy URL such as sqlite:///var/tg.db "
                "or postgresql+psycopg://user@host/db"
            )
        return cls(database_url=Secret(url), rule_pack=environ.get("TRANSITGUARD_RULE_PACK", "kaliningrad"))

    @property
    def redacted_database_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(str(self.database_url)).render_as_string(hide_password=True)
