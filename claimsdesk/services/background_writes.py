"""Writes that run on a second thread while the caller computes what comes next.

On PostgreSQL a bulk write's cost is mostly the server's (index upkeep, constraint checks,
WAL): waiting for it idles our CPU, and the server idles while we compute. One write in
flight at a time on the caller's own connection; the caller waits before using the
connection again, so statements never interleave and the transaction stays one.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait


class Overlapped:
    """Runs submitted writes one at a time on a second thread (or at once when disabled);
    wait() before the connection is used again. Leaving the block waits for the last one."""

    def __init__(self, enabled: bool) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="ledger-writes") if enabled else None
        self.pending: Future[None] | None = None

    def submit(self, write: Callable[[], None]) -> None:
        """Start a write (after the previous one finished: callers wait() first)."""
        if self.pool is None:
            write()
        else:
            self.pending = self.pool.submit(write)

    def wait(self) -> None:
        """Until the write in flight is done; its error is raised here."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> Overlapped:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self.wait()
            elif self.pending is not None:  # already failing: let the write end, then unwind
                futures_wait([self.pending])
        finally:
            if self.pool is not None:
                self.pool.shutdown()


__all__ = ["Overlapped"]
