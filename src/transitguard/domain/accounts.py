"""Users, machine tokens, console sessions, and the principal a request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from transitguard.domain.access import permissions_of


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    password_hash: str
    roles: tuple[str, ...]
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class ApiToken:
    token_id: str
    secret_hash: str
    name: str
    role: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class WebSession:
    session_hash: str
    username: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: a signed-in user (console) or a machine token (API)."""

    actor: str
    display_name: str
    roles: tuple[str, ...]
    permissions: frozenset[str]
    via: str  # "session" or "token"
    csrf_token: str | None = None

    @classmethod
    def of_user(cls, user: User, csrf_token: str) -> Principal:
        return cls(
            actor=user.username,
            display_name=user.display_name,
            roles=user.roles,
            permissions=permissions_of(user.roles),
            via="session",
            csrf_token=csrf_token,
        )

    @classmethod
    def of_token(cls, token: ApiToken) -> Principal:
        # A token holds the permissions of its role narrowed to its scopes, never more.
        granted = permissions_of((token.role,)) & frozenset(token.scopes)
        return cls(
            actor=f"token:{token.token_id}",
            display_name=token.name,
            roles=(token.role,),
            permissions=granted,
            via="token",
        )

    def may(self, permission: str) -> bool:
        return permission in self.permissions


SYSTEM = Principal(
    actor="system", display_name="transitguard", roles=(), permissions=frozenset(), via="system"
)
