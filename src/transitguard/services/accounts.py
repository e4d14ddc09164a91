"""Users, sign-in, console sessions and machine tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile).
Five wrong passwords in a row lock an account for 15 minutes; a locked or unknown account is refused
with the same message and the same work (a dummy hash is verified), so the answer does not tell
whether a username exists. Every change and every refused sign-in is in the audit trail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from transitguard.domain.access import PERMISSIONS, ROLES, permissions_of
from transitguard.domain.accounts import SYSTEM, ApiToken, Principal, User, WebSession
from transitguard.errors import AuthenticationError, ConflictError, InputError, NotFoundError
from transitguard.services.audit import AuditTrail
from transitguard.services.ports import AccountStore

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)  # one shift
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "tg_"

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("transitguard: a password nobody has")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(roles))
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise InputError(f"roles: unknown role {unknown[0]!r} (known: {', '.join(ROLES)})")
    if not chosen:
        raise InputError("roles: at least one role is needed")
    return chosen


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"password: at least {MIN_PASSWORD_LENGTH} characters")


class AccountService:
    def __init__(self, accounts: AccountStore, audit: AuditTrail, clock: Callable[[], datetime]) -> None:
        self.accounts = accounts
        self.audit = audit
        self.clock = clock

    # -- users ------------------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        password: str,
        roles: Iterable[str],
        *,
        display_name: str | None = None,
        by: Principal = SYSTEM,
    ) -> User:
        username = username.strip()
        if not username or len(username) > 80 or not username.replace(".", "").replace("_", "").isalnum():
            raise InputError("username: 1 to 80 letters, digits, '.' or '_'")
        if self.accounts.user(username) is not None:
            raise ConflictError(f"user {username!r} exists")
        chosen = _check_roles(roles)
        _check_password(password)
        user = User(
            username=username,
            display_name=(display_name or username).strip()[:200],
            password_hash=_HASHER.hash(password),
            roles=chosen,
            disabled=False,
            failed_logins=0,
            locked_until=None,
            created_at=self.clock(),
        )
        self.accounts.save_user(user)
        self.audit.record(by, "user.create", subject=username, detail={"roles": ",".join(chosen)})
        return user

    def _existing(self, username: str) -> User:
        user = self.accounts.user(username)
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        return user

    def set_roles(
        self, username: str, roles: Iterable[str], *, by: Principal, reason: str | None = None
    ) -> User:
        user = replace(self._existing(username), roles=_check_roles(roles))
        self.accounts.save_user(user)
        self.accounts.delete_sessions_of(username)  # new rights take effect at the next sign-in
        self.audit.record(
            by, "user.roles", subject=username, reason=reason, detail={"roles": ",".join(user.roles)}
        )
        return user

    def set_disabled(
        self, username: str, disabled: bool, *, by: Principal, reason: str | None = None
    ) -> User:
        user = replace(self._existing(username), disabled=disabled, failed_logins=0, locked_until=None)
        self.accounts.save_user(user)
        if disabled:
            self.accounts.delete_sessions_of(username)
        self.audit.record(by, "user.disable" if disabled else "user.enable", subject=username, reason=reason)
        return user

    def set_password(self, username: str, password: str, *, by: Principal) -> User:
        _check_password(password)
        user = replace(
            self._existing(username), password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None
        )
        self.accounts.save_user(user)
        self.accounts.delete_sessions_of(username)
        self.audit.record(by, "user.password", subject=username)
        return user

    # -- signing in -------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, *, client: str = "") -> User:
        """The user, or AuthenticationError with one message for every kind of refusal."""
        now = self.clock()
        user = self.accounts.user(username)
        refused = AuthenticationError("wrong username or password, or the account is locked")
        detail: dict[str, str | int | float | bool | None] = {"client": client[:100]} if client else {}
        if user is None:
            _verify(_DUMMY_HASH, password)
            self.audit.record(
                _anonymous(username), "login", outcome="denied", reason="unknown user", detail=detail
            )
            raise refused
        if user.disabled or (user.locked_until is not None and user.locked_until > now):
            _verify(_DUMMY_HASH, password)
            why = "disabled" if user.disabled else "locked"
            self.audit.record(_anonymous(username), "login", outcome="denied", reason=why, detail=detail)
            raise refused
        if not _verify(user.password_hash, password):
            failures = user.failed_logins + 1
            locked = now + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
            self.accounts.record_login_failure(username, 0 if locked else failures, locked)
            why = "wrong password" + (f"; locked until {locked.isoformat()}" if locked else "")
            self.audit.record(_anonymous(username), "login", outcome="denied", reason=why, detail=detail)
            raise refused
        if user.failed_logins or user.locked_until:
            self.accounts.record_login_failure(username, 0, None)
        if _HASHER.check_needs_rehash(user.password_hash):
            self.accounts.save_user(replace(user, password_hash=_HASHER.hash(password)))
        return user

    def sign_in(self, username: str, password: str, *, client: str = "") -> tuple[str, Principal]:
        """A new console session: (cookie value, principal)."""
        user = self.authenticate(username, password, client=client)
        cookie = secrets.token_urlsafe(32)
        now = self.clock()
        session = WebSession(
            session_hash=_sha256(cookie),
            username=user.username,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        self.accounts.save_session(session)
        principal = Principal.of_user(user, session.csrf_token)
        self.audit.record(principal, "login", detail={"client": client[:100]} if client else None)
        return cookie, principal

    def session_principal(self, cookie: str) -> Principal | None:
        session = self.accounts.session(_sha256(cookie))
        if session is None:
            return None
        if session.expires_at <= self.clock():
            self.accounts.delete_session(session.session_hash)
            return None
        user = self.accounts.user(session.username)
        if user is None or user.disabled:
            return None
        return Principal.of_user(user, session.csrf_token)

    def sign_out(self, cookie: str, who: Principal) -> None:
        self.accounts.delete_session(_sha256(cookie))
        self.audit.record(who, "logout")

    # -- machine tokens ---------------------------------------------------------------------------

    def create_token(
        self,
        name: str,
        role: str,
        *,
        scopes: Iterable[str] | None = None,
        expires_at: datetime | None = None,
        by: Principal = SYSTEM,
    ) -> tuple[str, ApiToken]:
        """(the token, shown this once; its record)."""
        (role,) = _check_roles([role])
        held = permissions_of((role,))
        chosen = tuple(sorted(held if scopes is None else set(scopes)))
        for scope in chosen:
            if scope not in PERMISSIONS:
                raise InputError(f"scopes: unknown permission {scope!r}")
            if scope not in held:
                raise InputError(f"scopes: the role {role} does not hold {scope!r}")
        if not name.strip():
            raise InputError("name: a token needs a name (who uses it)")
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        record = ApiToken(
            token_id=token_id,
            secret_hash=_sha256(secret),
            name=name.strip()[:200],
            role=role,
            scopes=chosen,
            created_by=by.actor,
            created_at=self.clock(),
            expires_at=expires_at,
            revoked_at=None,
        )
        self.accounts.save_token(record)
        self.audit.record(by, "token.create", subject=token_id, detail={"role": role, "name": record.name})
        return f"{TOKEN_PREFIX}{token_id}_{secret}", record

    def revoke_token(self, token_id: str, *, by: Principal, reason: str | None = None) -> ApiToken:
        token = self.accounts.token(token_id)
        if token is None:
            raise NotFoundError(f"no token {token_id!r}")
        revoked = replace(token, revoked_at=self.clock())
        self.accounts.save_token(revoked)
        self.audit.record(by, "token.revoke", subject=token_id, reason=reason)
        return revoked

    def token_principal(self, presented: str) -> Principal | None:
        if not presented.startswith(TOKEN_PREFIX):
            return None
        token_id, _, secret = presented[len(TOKEN_PREFIX) :].partition("_")
        token = self.accounts.token(token_id) if token_id and secret else None
        if token is None or not hmac.compare_digest(token.secret_hash, _sha256(secret)):
            return None
        now = self.clock()
        if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
            return None
        return Principal.of_token(token)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _anonymous(username: str) -> Principal:
    name = (username.strip() or "(empty)")[:80]
    return Principal(actor=name, display_name=name, roles=(), permissions=frozenset(), via="login")
