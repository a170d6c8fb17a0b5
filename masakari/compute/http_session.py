"""The HTTP session under the Nova client: requests, minus one cost.

requests merges the environment's settings (proxies, ``no_proxy``, CA
bundle) into every request it sends, and to find the proxies it walks
the whole process environment each time. For the engine, which sends
thousands of requests to the same Nova endpoint during a host recovery,
that walk was a good part of its CPU per recovered instance. A process's
environment does not change while it runs, so the merged settings are
kept per endpoint (scheme and host) and per request options; a request
that names proxies of its own is merged as requests always does.
"""

import threading
import urllib.parse

import requests


class EnvironmentOnceSession(requests.Session):
    """A requests session that reads the environment once per endpoint."""

    def __init__(self):
        super().__init__()
        self._merged = {}
        self._lock = threading.Lock()

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies or not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream,
                                                      verify, cert)
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert)
        with self._lock:
            merged = self._merged.get(key)
        if merged is None:
            merged = super().merge_environment_settings(url, proxies, stream,
                                                        verify, cert)
            with self._lock:
                self._merged[key] = merged
        return {name: dict(value) if isinstance(value, dict) else value
                for name, value in merged.items()}
