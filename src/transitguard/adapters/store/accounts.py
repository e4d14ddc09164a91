"""Users, API tokens and console sessions in the SQL store, and the ledger read by event type (the
audit trail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from transitguard.adapters.store import tables as t
from transitguard.adapters.store.rows import to_utc
from transitguard.domain.accounts import ApiToken, User, WebSession
from transitguard.domain.ledger import LedgerEntry, load_event


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _user_from(row: Any) -> User:
    return User(
        username=row.username,
        display_name=row.display_name,
        password_hash=row.password_hash,
        roles=_split(row.roles),
        disabled=bool(row.disabled),
        failed_logins=int(row.failed_logins),
        locked_until=to_utc(row.locked_until),
        created_at=to_utc(row.created_at),  # type: ignore[arg-type]
    )


def _token_from(row: Any) -> ApiToken:
    return ApiToken(
        token_id=row.token_id,
        secret_hash=row.secret_hash,
        name=row.name,
        role=row.role,
        scopes=_split(row.scopes),
        created_by=row.created_by,
        created_at=to_utc(row.created_at),  # type: ignore[arg-type]
        expires_at=to_utc(row.expires_at),
        revoked_at=to_utc(row.revoked_at),
    )


class SqlAccounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- users ------------------------------------------------------------------------------------

    def user(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.username == username)).first()
        return _user_from(row) if row else None

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user_from(r) for r in conn.execute(select(t.users).order_by(t.users.c.username))]

    def save_user(self, user: User) -> None:
        values = {
            "username": user.username,
            "display_name": user.display_name,
            "password_hash": user.password_hash,
            "roles": ",".join(user.roles),
            "disabled": user.disabled,
            "failed_logins": user.failed_logins,
            "locked_until": to_utc(user.locked_until),
            "created_at": to_utc(user.created_at),
        }
        with self.engine.begin() as conn:
            conn.execute(delete(t.users).where(t.users.c.username == user.username))
            conn.execute(insert(t.users).values(**values))

    def record_login_failure(self, username: str, failed_logins: int, locked_until: datetime | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.users.update()
                .where(t.users.c.username == username)
                .values(failed_logins=failed_logins, locked_until=to_utc(locked_until))
            )

    # -- tokens -----------------------------------------------------------------------------------

    def token(self, token_id: str) -> ApiToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.api_tokens).where(t.api_tokens.c.token_id == token_id)).first()
        return _token_from(row) if row else None

    def tokens(self) -> list[ApiToken]:
        with self.engine.connect() as conn:
            query = select(t.api_tokens).order_by(t.api_tokens.c.created_at)
            return [_token_from(r) for r in conn.execute(query)]

    def save_token(self, token: ApiToken) -> None:
        values = {
            "token_id": token.token_id,
            "secret_hash": token.secret_hash,
            "name": token.name,
            "role": token.role,
            "scopes": ",".join(token.scopes),
            "created_by": token.created_by,
            "created_at": to_utc(token.created_at),
            "expires_at": to_utc(token.expires_at),
            "revoked_at": to_utc(token.revoked_at),
        }
        with self.engine.begin() as conn:
            conn.execute(delete(t.api_tokens).where(t.api_tokens.c.token_id == token.token_id))
            conn.execute(insert(t.api_tokens).values(**values))

    # -- sessions ---------------------------------------------------------------------------------

    def save_session(self, session: WebSession) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.web_sessions).values(
                    session_hash=session.session_hash,
                    username=session.username,
                    csrf_token=session.csrf_token,
                    created_at=to_utc(session.created_at),
                    expires_at=to_utc(session.expires_at),
                )
            )

    def session(self, session_hash: str) -> WebSession | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.web_sessions).where(t.web_sessions.c.session_hash == session_hash)
            ).first()
        if row is None:
            return None
        return WebSession(
            session_hash=row.session_hash,
            username=row.username,
            csrf_token=row.csrf_token,
            created_at=to_utc(row.created_at),  # type: ignore[arg-type]
            expires_at=to_utc(row.expires_at),  # type: ignore[arg-type]
        )

    def delete_session(self, session_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.web_sessions).where(t.web_sessions.c.session_hash == session_hash))

    def delete_sessions_of(self, username: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.web_sessions).where(t.web_sessions.c.username == username))

    # -- the ledger by type -----------------------------------------------------------------------

    def entries_of_type(
        self, event_type: str, *, before_seq: int | None, limit: int
    ) -> list[tuple[int, datetime, LedgerEntry]]:
        query = (
            select(t.ledger.c.seq, t.ledger.c.recorded_at, t.ledger.c.body)
            .where(t.ledger.c.type == event_type)
            .order_by(t.ledger.c.seq.desc())
            .limit(limit)
        )
        if before_seq is not None:
            query = query.where(t.ledger.c.seq < before_seq)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            (int(r.seq), to_utc(r.recorded_at), LedgerEntry.of(load_event(r.body)))  # type: ignore[misc]
            for r in rows
        ]

    def ledger_head_seq(self) -> int:
        with self.engine.connect() as conn:
            seq = conn.execute(select(t.ledger_head.c.seq).where(t.ledger_head.c.id == 1)).scalar()
        return int(seq or 0)
