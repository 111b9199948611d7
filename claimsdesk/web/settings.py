"""Web desk settings: secret key, session clocks, cookie and throttle policy, from env."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

DEMO_SECRET = "claimsdesk-demo-secret-not-for-real-use"
MIN_SECRET = 32
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class WebConfigError(ValueError):
    """A setting the desk cannot start with; the message names the variable."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise WebConfigError(f"{name}={raw!r}: use 1/0, true/false, yes/no or on/off")


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise WebConfigError(f"{name}={raw!r}: expected a whole number") from None
    if value <= 0:
        raise WebConfigError(f"{name}={raw!r}: must be more than 0")
    return value


def _minutes(env: Mapping[str, str], name: str, default: int) -> dt.timedelta:
    return dt.timedelta(minutes=_count(env, name, default))


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Everything the web desk reads besides the database URL."""

    secret_key: str
    demo: bool = False
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    absolute_lifetime: dt.timedelta = dt.timedelta(hours=12)
    cookie_secure: bool = True
    max_failed_logins: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)

    def __post_init__(self) -> None:
        """Refuse a weak key unless it is the demo key in demo mode."""
        if self.secret_key == DEMO_SECRET and not self.demo:
            raise WebConfigError("the demo secret key is only allowed in demo mode")
        if len(self.secret_key) < MIN_SECRET and self.secret_key != DEMO_SECRET:
            raise WebConfigError(f"CLAIMSDESK_SECRET_KEY must be at least {MIN_SECRET} characters")
        if self.absolute_lifetime < self.idle_timeout:
            raise WebConfigError("the absolute session lifetime is shorter than the idle timeout")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """Read CLAIMSDESK_* variables; a dev secret is used only with CLAIMSDESK_DEMO=1."""
        env = os.environ if env is None else env
        demo = _flag(env, "CLAIMSDESK_DEMO", False)
        secret = env.get("CLAIMSDESK_SECRET_KEY", "").strip()
        if not secret:
            if not demo:
                raise WebConfigError(
                    "CLAIMSDESK_SECRET_KEY is not set (use a long random value, e.g. "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`), "
                    "or set CLAIMSDESK_DEMO=1 for a local demo"
                )
            secret = DEMO_SECRET
        return cls(
            secret_key=secret,
            demo=demo,
            idle_timeout=_minutes(env, "CLAIMSDESK_IDLE_MINUTES", 30),
            absolute_lifetime=_minutes(env, "CLAIMSDESK_SESSION_MAX_MINUTES", 12 * 60),
            cookie_secure=_flag(env, "CLAIMSDESK_COOKIE_SECURE", not demo),
            max_failed_logins=_count(env, "CLAIMSDESK_MAX_FAILED_LOGINS", 5),
            lockout=_minutes(env, "CLAIMSDESK_LOCKOUT_MINUTES", 15),
        )
