"""Desk accounts: sign-in with throttling, roles, passwords and API tokens, all audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from claimsdesk.services import audit
from claimsdesk.storage.models.desk import ApiToken, LoginThrottle, Role, User, utcnow

__all__ = ["Account", "AuthOutcome", "AuthResult", "Role", "ThrottlePolicy", "TokenInfo"]

PASSWORD_METHOD = "scrypt"  # werkzeug's scrypt:32768:8:1, ~0.1 s per check
MIN_PASSWORD = 12
MAX_PASSWORD = 256  # hashing huge inputs is a cheap way to load the server
TOKEN_PREFIX = "cdt_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(ValueError):
    """A request the account service refuses; the message is fit for the screen."""


@dataclass(frozen=True, slots=True)
class Account:
    """A desk user as the web and CLI see it, detached from the database session."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    session_version: int
    created_at: dt.datetime
    last_login_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token's public face; the secret itself is shown once, at issue."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class AuthOutcome(StrEnum):
    """How a sign-in attempt ended."""

    OK = "ok"
    BAD_CREDENTIALS = "bad-credentials"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class AuthResult:
    """Sign-in result; `account` is set only when the outcome is OK."""

    outcome: AuthOutcome
    account: Account | None = None
    locked_until: dt.datetime | None = None
    previous_login_at: dt.datetime | None = None  # shown at sign-in, so misuse gets noticed


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """After `max_failures` misses in a row a username is locked for `lockout`."""

    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)


def account_of(user: User) -> Account:
    """Detach a user row into an Account."""
    values = {f.name: getattr(user, f.name) for f in fields(Account)}
    return Account(**{**values, "role": Role(user.role)})


def _token_info(token: ApiToken) -> TokenInfo:
    return TokenInfo(**{f.name: getattr(token, f.name) for f in fields(TokenInfo)})


def normalize_username(username: str) -> str:
    """Usernames compare case-insensitively and without surrounding spaces."""
    return username.strip().lower()


def _check_password_rules(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Password must be at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"Password must be at most {MAX_PASSWORD} characters.")
    if password.strip().lower() == username:
        raise UserError("Password must not be the username.")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


@cache
def _dummy_hash(method: str) -> str:
    """A hash to check against when the user is unknown, so timing does not tell."""
    return generate_password_hash(secrets.token_hex(16), method=method)


@contextmanager
def _writing(session: Session) -> Iterator[None]:
    """One write transaction, begun fresh (audit.begin_write), then committed or rolled back."""
    audit.begin_write(session)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _log(
    session: Session, actor: Account | None, action: str, user: User | None, **details: object
) -> None:
    """Audit a change to an account, in the caller's transaction."""
    audit.add_event(session, actor, action, "user", user.id if user else None, details)


def _require_admin(actor: Account | None) -> None:
    """Admin-only changes; `None` is the command line run by the operator."""
    if actor is not None and not actor.role.includes(Role.ADMIN):
        raise UserError("Only an admin may change accounts.")


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise UserError(f"No user with id {user_id}.")
    return user


def get_account(session: Session, user_id: int) -> Account | None:
    """The account with this id, or None."""
    user = session.get(User, user_id)
    return account_of(user) if user else None


def find_account(session: Session, username: str) -> Account | None:
    """The account with this username, or None."""
    user = session.scalar(select(User).where(User.username == normalize_username(username)))
    return account_of(user) if user else None


def list_accounts(session: Session) -> list[Account]:
    """Every account, active first, then by username."""
    rows = session.scalars(select(User).order_by(User.active.desc(), User.username))
    return [account_of(u) for u in rows]


def create_user(
    session: Session,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    *,
    actor: Account | None = None,
) -> Account:
    """Add an account with a hashed password; usernames are unique ignoring case."""
    _require_admin(actor)
    name = normalize_username(username)
    if not _USERNAME.match(name):
        raise UserError(
            "Username must be 2-64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"Unknown role {role!r}: use specialist, manager or admin.") from None
    display = " ".join(display_name.split()) or name
    if len(display) > 120:
        raise UserError("Display name must be at most 120 characters.")
    _check_password_rules(password, name)
    user = User(username=name, display_name=display, role=role.value, password_hash=_hash(password))
    try:
        with _writing(session):
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                raise UserError(f"Username {name!r} is taken.")
            session.add(user)
            session.flush()
            details = {"username": name, "role": role.value, "display_name": display}
            _log(session, actor, "user.create", user, **details)
    except IntegrityError:  # created by someone else since the check (PostgreSQL)
        raise UserError(f"Username {name!r} is taken.") from None
    return account_of(user)


def _count_failure(
    session: Session, name: str, now: dt.datetime, policy: ThrottlePolicy
) -> dt.datetime | None:
    """One more miss for the username; returns the lock's end when this miss locks it."""
    row = session.get(LoginThrottle, name)
    if row is None:
        row = LoginThrottle(username=name, failures=0)
        session.add(row)
    elif row.last_failure_at and now - row.last_failure_at > policy.lockout:
        row.failures = 0  # an old streak of misses is forgotten
    row.failures += 1
    row.last_failure_at = now
    if row.failures < policy.max_failures:
        return None
    row.failures = 0
    row.locked_until = now + policy.lockout
    return row.locked_until


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    policy: ThrottlePolicy = ThrottlePolicy(),
    context: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> AuthResult:
    """Check a password in constant time, count misses per username, audit the attempt."""
    now = now or utcnow()
    name = normalize_username(username)[:64]
    user = session.scalar(select(User).where(User.username == name))
    stored = user.password_hash if user is not None else _dummy_hash(PASSWORD_METHOD)
    password_ok = check_password_hash(stored, password[:MAX_PASSWORD])
    with _writing(session):  # the slow hash check above holds no lock
        if user is not None:
            session.refresh(user)
            password_ok = password_ok and user.password_hash == stored
        return _settle_attempt(session, name, user, password, password_ok, policy, now, context)


def _settle_attempt(
    session: Session,
    name: str,
    user: User | None,
    password: str,
    password_ok: bool,
    policy: ThrottlePolicy,
    now: dt.datetime,
    context: dict[str, str] | None,
) -> AuthResult:
    """Apply the throttle and record the attempt, inside authenticate's write transaction."""
    row = session.get(LoginThrottle, name)
    details: dict[str, object] = {"username": name, **(context or {})}
    if row is not None and row.locked_until is not None and row.locked_until > now:
        _log(session, None, "login.locked", user, **details)
        return AuthResult(AuthOutcome.LOCKED, locked_until=row.locked_until)
    if password_ok and user is not None and user.active:
        if row is not None:
            session.delete(row)
        previous, user.last_login_at = user.last_login_at, now
        if password_needs_rehash(user.password_hash):
            user.password_hash = _hash(password)
        audit.add_event(session, user, "login.ok", "user", user.id, context or {}, at=now)
        return AuthResult(AuthOutcome.OK, account_of(user), previous_login_at=previous)
    details["reason"] = "inactive" if password_ok else "bad-password" if user else "unknown-user"
    locked_until = _count_failure(session, name, now, policy)
    if locked_until is not None:
        details["locked_until"] = locked_until.isoformat()
    _log(session, None, "login.failed", user, **details)  # who: unknown, so no actor
    return AuthResult(AuthOutcome.BAD_CREDENTIALS)


def password_needs_rehash(stored: str) -> bool:
    """True when the stored hash uses another method than today's, so it is upgraded on login."""
    return not stored.startswith(PASSWORD_METHOD.split(":", maxsplit=1)[0] + ":")


def change_password(
    session: Session,
    user_id: int,
    new_password: str,
    *,
    actor: Account | None,
    current_password: str | None = None,
) -> Account:
    """Own password needs the current one; an admin may reset anyone's. Signs out sessions."""
    user = _user(session, user_id)
    own = actor is not None and actor.id == user.id
    stored = user.password_hash
    if own:
        if not check_password_hash(stored, (current_password or "")[:MAX_PASSWORD]):
            raise UserError("Current password is not right.")
    else:
        _require_admin(actor)
    _check_password_rules(new_password, user.username)
    new_hash = _hash(new_password)
    with _writing(session):
        user = _user(session, user_id)
        session.refresh(user)
        if own and user.password_hash != stored:
            raise UserError("Your password was changed meanwhile; sign in again.")
        user.password_hash = new_hash
        user.session_version += 1
        _log(session, actor, "user.password", user, username=user.username, reset=not own)
    return account_of(user)


def _active_admins(session: Session) -> int:
    admins = select(func.count()).where(User.role == Role.ADMIN.value, User.active.is_(True))
    return session.scalar(admins) or 0


def set_role(session: Session, user_id: int, role: Role | str, *, actor: Account | None) -> Account:
    """Change a user's role; the last active admin cannot be demoted."""
    _require_admin(actor)
    try:
        new = Role(role)
    except ValueError:
        raise UserError(f"Unknown role {role!r}.") from None
    with _writing(session):
        user = _user(session, user_id)
        old = Role(user.role)
        if new == old:
            return account_of(user)
        if old == Role.ADMIN and user.active and _active_admins(session) <= 1:
            raise UserError("This is the last active admin; make another admin first.")
        user.role = new.value
        user.session_version += 1
        changes = {"username": user.username, "from": old.value, "to": new.value}
        _log(session, actor, "user.role", user, **changes)
    return account_of(user)


def deactivate(session: Session, user_id: int, *, actor: Account | None) -> Account:
    """Stop a user signing in or using tokens; history stays. Not yourself, not the last admin."""
    _require_admin(actor)
    with _writing(session):
        user = _user(session, user_id)
        if not user.active:
            return account_of(user)
        if actor is not None and actor.id == user.id:
            raise UserError("You cannot deactivate your own account.")
        if user.role == Role.ADMIN.value and _active_admins(session) <= 1:
            raise UserError("This is the last active admin; make another admin first.")
        user.active = False
        user.session_version += 1
        _log(session, actor, "user.deactivate", user, username=user.username)
    return account_of(user)


def reactivate(session: Session, user_id: int, *, actor: Account | None) -> Account:
    """Let a deactivated user sign in again."""
    _require_admin(actor)
    with _writing(session):
        user = _user(session, user_id)
        if not user.active:
            user.active = True
            _log(session, actor, "user.reactivate", user, username=user.username)
    return account_of(user)


def _token_hash(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough (no slow hash needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, user_id: int, name: str, *, actor: Account | None
) -> tuple[str, TokenInfo]:
    """Make a bearer token for scripts; the secret is returned once and never stored."""
    _require_admin(actor)
    label = " ".join(name.split())[:80] or "token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with _writing(session):
        user = _user(session, user_id)
        if not user.active:
            raise UserError("Cannot issue a token to an inactive user.")
        prefix = secret[: len(TOKEN_PREFIX) + 4]
        token = ApiToken(user_id=user.id, name=label, token_hash=_token_hash(secret), prefix=prefix)
        session.add(token)
        session.flush()
        details = {"username": user.username, "name": label, "prefix": prefix}
        audit.add_event(session, actor, "token.issue", "api_token", token.id, details)
    return secret, _token_info(token)


def revoke_token(session: Session, token_id: int, *, actor: Account | None) -> TokenInfo:
    """Stop a token working at once."""
    _require_admin(actor)
    with _writing(session):
        token = session.get(ApiToken, token_id, populate_existing=True)
        if token is None:
            raise UserError(f"No token with id {token_id}.")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            details = {"username": token.user.username, "prefix": token.prefix}
            audit.add_event(session, actor, "token.revoke", "api_token", token.id, details)
    return _token_info(token)


def list_tokens(session: Session, user_id: int) -> list[TokenInfo]:
    """A user's tokens, newest first."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    )
    return [_token_info(t) for t in rows]


def user_for_token(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> Account | None:
    """The active user a live token belongs to, or None; notes when it was last used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    digest = _token_hash(token)
    with _writing(session):
        query = select(ApiToken).where(ApiToken.token_hash == digest)
        row = session.scalar(query.execution_options(populate_existing=True))
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        if row.revoked_at is not None or not row.user.active:
            return None
        row.last_used_at = now or utcnow()
        return account_of(row.user)
