"""Accounts in memory, for unit tests of the services and the API; tests/contract/ runs the same
tests against this and the SQL accounts."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from transitguard.adapters.store.memory import MemoryStore
from transitguard.domain.accounts import ApiToken, User, WebSession
from transitguard.domain.ledger import LedgerEntry


class MemoryAccounts:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._users: dict[str, User] = {}
        self._tokens: dict[str, ApiToken] = {}
        self._sessions: dict[str, WebSession] = {}

    def user(self, username: str) -> User | None:
        return self._users.get(username)

    def users(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.username)

    def save_user(self, user: User) -> None:
        with self._lock:
            self._users[user.username] = user

    def record_login_failure(self, username: str, failed_logins: int, locked_until: datetime | None) -> None:
        with self._lock:
            user = self._users.get(username)
            if user is not None:
                self._users[username] = replace(user, failed_logins=failed_logins, locked_until=locked_until)

    def token(self, token_id: str) -> ApiToken | None:
        return self._tokens.get(token_id)

    def tokens(self) -> list[ApiToken]:
        return sorted(self._tokens.values(), key=lambda t: t.created_at)

    def save_token(self, token: ApiToken) -> None:
        with self._lock:
            self._tokens[token.token_id] = token

    def save_session(self, session: WebSession) -> None:
        with self._lock:
            self._sessions[session.session_hash] = session

    def session(self, session_hash: str) -> WebSession | None:
        return self._sessions.get(session_hash)

    def delete_session(self, session_hash: str) -> None:
        with self._lock:
            self._sessions.pop(session_hash, None)

    def delete_sessions_of(self, username: str) -> None:
        with self._lock:
            for key in [k for k, s in self._sessions.items() if s.username == username]:
                del self._sessions[key]

    def entries_of_type(
        self, event_type: str, *, before_seq: int | None, limit: int
    ) -> list[tuple[int, datetime, LedgerEntry]]:
        found = [
            (seq, entry.occurred_at, entry)
            for seq, entry in self._store.ledger_entries()
            if entry.type == event_type and (before_seq is None or seq < before_seq)
        ]
        return list(reversed(found))[:limit]

    def ledger_head_seq(self) -> int:
        return self._store.ledger_count()
