"""Injected HTTP misbehaviour: latency and error answers on chosen paths.

A fault matches requests by a regular expression searched in the request
path (e.g. ``/os-services`` or ``/servers/.*/action``), optionally by
method and by server action name (``evacuate``, ``os-stop``...). It fires
``count`` times (None: forever). ``status`` answers that HTTP error instead
of running the request (or after running it when ``after`` is true, like a
Nova API call that did its work but whose answer got lost); ``latency``
sleeps first, which also simulates client timeouts.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import threading


@dataclasses.dataclass
class HttpFault:
    id: int
    pattern: str
    method: str | None = None
    action: str | None = None
    status: int | None = None
    message: str | None = None
    latency: float = 0.0
    count: int | None = 1
    after: bool = False
    fired: int = 0

    def matches(self, method: str, path: str, action: str | None) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.action and self.action != action:
            return False
        return re.search(self.pattern, path) is not None

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


class HttpFaults:
    """Thread-safe list of HTTP faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[HttpFault] = []
        self._ids = itertools.count(1)

    def add(self, pattern: str, *, status: int | None = None,
            count: int | None = 1, method: str | None = None,
            action: str | None = None, latency: float = 0.0,
            after: bool = False, message: str | None = None) -> int:
        try:
            re.compile(pattern)  # reject it now, not on every request
        except re.error as exc:
            raise ValueError('invalid pattern %r: %s' % (pattern, exc))
        if status is not None and not 400 <= int(status) <= 599:
            raise ValueError('status must be an HTTP error code')
        if latency < 0 or (count is not None and count < 1):
            raise ValueError('latency must be >= 0 and count >= 1')
        if status is None and not latency:
            raise ValueError('a fault needs a status or a latency')
        with self._lock:
            fault = HttpFault(next(self._ids), pattern, method, action,
                              None if status is None else int(status),
                              message, float(latency), count, after)
            self._faults.append(fault)
            return fault.id

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict]:
        with self._lock:
            return [f.as_json() for f in self._faults]

    def fire(self, method: str, path: str,
             action: str | None) -> list[HttpFault]:
        """Faults this request triggers; used-up ones are removed."""
        hits = []
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path, action):
                    fault.fired += 1
                    hits.append(dataclasses.replace(fault))
            self._faults = [f for f in self._faults
                            if f.count is None or f.fired < f.count]
        return hits
