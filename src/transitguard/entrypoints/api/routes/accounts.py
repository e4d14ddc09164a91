"""Users and machine tokens, for an administrator (services/accounts.py; every change is audited).

No answer ever carries a password hash or a token's secret hash; a new token is shown once, in the
answer that creates it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from transitguard.domain.access import PERMISSIONS, Role
from transitguard.domain.accounts import ApiToken, Principal, User
from transitguard.entrypoints.api.auth import application, require
from transitguard.errors import InputError, NotFoundError
from transitguard.services.accounts import MIN_PASSWORD_LENGTH

router = APIRouter(tags=["accounts"])

Username = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9._]{1,80}$")]


class UserOut(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    disabled: bool
    locked_until: datetime | None
    created_at: datetime


def _user(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        display_name=user.display_name,
        roles=list(user.roles),
        disabled=user.disabled,
        locked_until=user.locked_until,
        created_at=user.created_at,
    )


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._]{1,80}$")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1000)
    roles: list[Role] = Field(min_length=1, max_length=len(PERMISSIONS))
    display_name: str | None = Field(default=None, max_length=200)


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(PERMISSIONS))
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=1000)
    reason: str | None = Field(default=None, max_length=2000)


@router.get("/users", response_model=list[UserOut], summary="List users")
def list_users(request: Request, who: Principal = require("users.manage")) -> list[UserOut]:
    """Every user with roles, and whether disabled or locked (never a password hash)."""
    del who
    return [
        _user(u) for u in sorted(application(request).accounts.accounts.users(), key=lambda u: u.username)
    ]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    summary="Create a user",
    responses={409: {"description": "a user with this username exists"}},
)
def create_user(body: NewUser, request: Request, who: Principal = require("users.manage")) -> UserOut:
    """A new user with roles (domain/access.py); the password at least 12 characters."""
    user = application(request).accounts.create_user(
        body.username, body.password, body.roles, display_name=body.display_name, by=who
    )
    return _user(user)


@router.patch("/users/{username}", response_model=UserOut, summary="Change a user")
def change_user(
    username: Username, body: UserChange, request: Request, who: Principal = require("users.manage")
) -> UserOut:
    """Change roles, disable or enable, or set a new password; the user's sessions end. The request
    is checked whole before anything changes."""
    accounts = application(request).accounts
    user = accounts.accounts.user(username)
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    if body.disabled and username == who.actor:
        raise InputError("disabled: you cannot disable your own account")
    if body.roles is not None:
        user = accounts.set_roles(username, body.roles, by=who, reason=body.reason)
    if body.disabled is not None:
        user = accounts.set_disabled(username, body.disabled, by=who, reason=body.reason)
    if body.password is not None:
        user = accounts.set_password(username, body.password, by=who)
    return _user(user)


class TokenOut(BaseModel):
    token_id: str
    name: str
    role: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def _token(token: ApiToken) -> TokenOut:
    return TokenOut(
        token_id=token.token_id,
        name=token.name,
        role=token.role,
        scopes=list(token.scopes),
        created_by=token.created_by,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="who uses it, e.g. 'railway PAXLST feed'")
    role: Role
    scopes: list[str] | None = Field(
        default=None, max_length=len(PERMISSIONS), description="permissions of the role to keep (default all)"
    )
    expires_at: datetime | None = Field(default=None, description="with its UTC offset")


class CreatedToken(TokenOut):
    token: str = Field(description="the token itself: shown this once, keep it secret")


@router.get("/tokens", response_model=list[TokenOut], summary="List API tokens")
def list_tokens(request: Request, who: Principal = require("users.manage")) -> list[TokenOut]:
    """Every API token, revoked ones too, oldest first (never the secret)."""
    del who
    tokens = application(request).accounts.accounts.tokens()
    return [_token(t) for t in sorted(tokens, key=lambda t: (t.created_at, t.token_id))]


@router.post("/tokens", response_model=CreatedToken, status_code=201, summary="Create an API token")
def create_token(body: NewToken, request: Request, who: Principal = require("users.manage")) -> CreatedToken:
    """A machine token holding the role's permissions (narrowed to `scopes`), until it expires or is
    revoked. Send it as `Authorization: Bearer <token>`."""
    if body.expires_at is not None and body.expires_at.tzinfo is None:
        raise InputError("expires_at: a time with its UTC offset, e.g. 2026-01-01T00:00:00+00:00")
    app = application(request)
    if body.expires_at is not None and body.expires_at <= app.clock():
        raise InputError("expires_at: already past")
    secret, token = app.accounts.create_token(
        body.name, body.role, scopes=body.scopes, expires_at=body.expires_at, by=who
    )
    return CreatedToken(**_token(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token")
def revoke_token(
    token_id: Annotated[str, Path(max_length=64)], request: Request, who: Principal = require("users.manage")
) -> Response:
    """Revoke a token: it is refused from the next request on."""
    application(request).accounts.revoke_token(token_id, by=who)
    return Response(status_code=204)
