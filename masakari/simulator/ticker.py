"""One background thread that runs delayed state transitions.

Evacuations, power actions and boots finish "later"; instead of a
``threading.Timer`` per transition (a thread each), the ticker keeps a heap
of due callbacks and runs them in order on a single daemon thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

LOG = logging.getLogger(__name__)


class Ticker:
    """Runs ``fn()`` ``delay`` seconds after ``call_later``."""

    def __init__(self, name: str = 'nova-simulator-ticker'):
        self._name = name
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._running = 0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._stopped = False
            self._thread = threading.Thread(target=self._loop,
                                            name=self._name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def call_later(self, delay: float, fn: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap,
                           (time.monotonic() + max(delay, 0.0),
                            next(self._seq), fn))
            self._cond.notify_all()
            stopped = self._stopped
        if not stopped:
            self.start()

    def clear(self) -> None:
        """Drop every pending transition."""
        with self._cond:
            self._heap.clear()
            self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._running

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is scheduled or running; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    if self._heap:
                        wait = self._heap[0][0] - time.monotonic()
                        if wait <= 0:
                            break
                        self._cond.wait(wait)
                    else:
                        self._cond.wait()
                if self._stopped:
                    return
                _, _, fn = heapq.heappop(self._heap)
                self._running += 1
            try:
                fn()
            except Exception:  # a broken transition must not kill the clock
                LOG.exception('simulated transition failed')
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()
