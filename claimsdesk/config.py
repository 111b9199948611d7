"""Settings read once from the environment; nothing happens at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///claimsdesk.db"
DEFAULT_BUSY_TIMEOUT_MS = 120_000
DEFAULT_BATCH_CLAIMS = 2_000


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the database is and how imports write to it."""

    database_url: str = DEFAULT_DATABASE_URL
    # SQLite: how long a writer waits for another writer (a whole file import) to commit
    sqlite_busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    # claims buffered before one bulk flush; bounds memory per file
    batch_claims: int = DEFAULT_BATCH_CLAIMS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """CLAIMSDESK_DATABASE_URL, CLAIMSDESK_SQLITE_BUSY_TIMEOUT_MS, CLAIMSDESK_BATCH_CLAIMS."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("CLAIMSDESK_DATABASE_URL") or DEFAULT_DATABASE_URL,
            sqlite_busy_timeout_ms=_int(
                env, "CLAIMSDESK_SQLITE_BUSY_TIMEOUT_MS", DEFAULT_BUSY_TIMEOUT_MS
            ),
            batch_claims=_int(env, "CLAIMSDESK_BATCH_CLAIMS", DEFAULT_BATCH_CLAIMS),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive integer setting, or its default when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)
