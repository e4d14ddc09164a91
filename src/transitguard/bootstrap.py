"""The composition root: the one place that chooses real or fake adapters and wires the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from transitguard.adapters.store.accounts import SqlAccounts
from transitguard.adapters.store.memory import MemoryStore
from transitguard.adapters.store.memory_accounts import MemoryAccounts
from transitguard.adapters.store.sql import SqlStore
from transitguard.rulepacks import RulePack, load_rule_pack
from transitguard.services.accounts import AccountService
from transitguard.services.audit import AuditTrail
from transitguard.services.corridor import Clock, CorridorService
from transitguard.services.ports import AccountStore, Store
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
    accounts: AccountService
    audit: AuditTrail
    clock: Clock

    def close(self) -> None:
        self.store.close()


def bootstrap(
    environ: Mapping[str, str], *, store: Store | None = None, clock: Clock | None = None
) -> Application:
    settings = Settings.from_environ(environ)
    pack = load_rule_pack(settings.rule_pack)
    chosen_store = store if store is not None else SqlStore.open(str(settings.database_url))
    now = clock or system_clock
    service = CorridorService(chosen_store, pack, now)
    screening = ScreeningService(chosen_store, now)
    service.screening = screening
    account_store = _accounts_of(chosen_store)
    audit = AuditTrail(chosen_store, account_store, now)
    return Application(
        settings=settings,
        store=chosen_store,
        pack=pack,
        corridor=service,
        screening=screening,
        accounts=AccountService(account_store, audit, now),
        audit=audit,
        clock=now,
    )


def _accounts_of(store: Store) -> AccountStore:
    if isinstance(store, SqlStore):
        return SqlAccounts(store.engine)
    if isinstance(store, MemoryStore):
        return MemoryAccounts(store)
    raise TypeError(f"no account store for {type(store).__name__}")
