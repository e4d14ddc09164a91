"""The composition root: the one place that chooses real or fake adapters and wires the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from transitguard.adapters.store.sql import SqlStore
from transitguard.rulepacks import RulePack, load_rule_pack
from transitguard.services.corridor import Clock, CorridorService
from transitguard.services.ports import Store
from transitguard.services.screening import ScreeningService
from transitguard.settings import Settings


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Application:
    settings: Settings
    store: Store
    pack: RulePack
    corridor: CorridorService
    screening: ScreeningService

    def close(self) -> None:
        self.store.close()


def bootstrap(
    environ: Mapping[str, str], *, store: Store | None = None, clock: Clock | None = None
) -> Application:
    settings = Settings.from_environ(environ)
    pack = load_rule_pack(settings.rule_pack)
    chosen_store = store if store is not None else SqlStore.open(str(settings.database_url))
    service = CorridorService(chosen_store, pack, clock or system_clock)
    screening = ScreeningService(chosen_store, clock or system_clock)
    service.screening = screening
    return Application(
        settings=settings, store=chosen_store, pack=pack, corridor=service, screening=screening
    )
