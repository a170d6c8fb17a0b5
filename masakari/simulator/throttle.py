"""Two limits of a production Nova that slow a mass evacuation down.

``RequestGate``: nova-api serves a bounded number of requests at once (its
worker pool); a request beyond the bound waits for a free worker.
``claim_slot``: the target's nova-compute claims resources for one rebuild
at a time (the resource tracker's lock), so evacuations to one host start
their rebuild one claim after another.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


class RequestGate:
    """At most ``limit()`` holders at once; a limit of 0 means no bound.

    The limit is read at every entry, so changing the setting takes
    effect for the next request.
    """

    def __init__(self, limit: Callable[[], int]):
        self._limit = limit
        self._cond = threading.Condition()
        self.inside = 0
        #: requests that found the gate full and waited
        self.waited = 0

    def _full(self) -> bool:
        limit = self._limit()
        return bool(limit) and self.inside >= limit

    def enter(self, blocking: bool = True) -> bool:
        """Take a place; False (without waiting) when full and not
        ``blocking``."""
        with self._cond:
            if self._full():
                if not blocking:
                    return False
                self.waited += 1
                while self._full():
                    self._cond.wait()
            self.inside += 1
            return True

    def leave(self) -> None:
        with self._cond:
            self.inside -= 1
            self._cond.notify()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()


def claim_slot(free_at: float, now: float,
               claim: float) -> tuple[float, float]:
    """An evacuation asking at ``now`` for a claim of ``claim`` seconds on
    a host whose lock is free from ``free_at``: (seconds until its claim
    is done, when the lock is free again)."""
    start = max(now, free_at)
    return start + claim - now, start + claim
