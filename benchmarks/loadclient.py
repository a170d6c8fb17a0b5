"""The HTTP side of the load driver: a cheap client and what it recorded.

Many client threads share one Python process with little CPU to spare, so
each thread talks ``http.client`` over its own connection (no
``requests`` per call) and every answer becomes one ``Sample``. The
``Recorder`` judges answers as they come: the expected status, a
tolerated fault (an OpenStack fault body with a tolerated code, e.g. 503
while the database is away), or an error, and it keeps the figures.
"""

import collections
import http.client
import json
import math
import threading
import time
import urllib.parse

Sample = collections.namedtuple(
    'Sample', 'kind method path status seconds started outcome')

OK, TOLERATED, ERROR = 'ok', 'tolerated', 'error'
# Statuses a monitor retries, as masakari-monitors does (None: no answer).
RETRYABLE = (None, 502, 503, 504)


class Client:
    """One HTTP connection to the API (reopened when the server closes it).

    ``request`` returns ``(status, text)``; ``status`` is None when no
    answer came (connection refused or reset, timeout).
    """

    def __init__(self, base_url, timeout=60, token=None):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname, url.port or 80
        self.prefix = url.path.rstrip('/')
        self.timeout = timeout
        self.headers = {'Content-Type': 'application/json',
                        'Accept': 'application/json'}
        if token:
            self.headers['X-Auth-Token'] = token
        self._conn = None

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body)
        # A kept-alive connection the server has since closed fails before
        # any answer: that is worth one more try on a new connection.
        for attempt in (1, 2):
            reused = self._conn is not None
            try:
                if self._conn is None:
                    self._conn = http.client.HTTPConnection(
                        self.host, self.port, timeout=self.timeout)
                self._conn.request(method, self.prefix + path, body=data,
                                   headers=self.headers)
                response = self._conn.getresponse()
                text = response.read().decode('utf-8', 'replace')
                if response.will_close:
                    self.close()
                return response.status, text
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as exc:
                self.close()
                if not reused or attempt == 2:
                    return None, repr(exc)
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                return None, repr(exc)


def fault_problem(status, text):
    """Why ``text`` is not an OpenStack fault body of ``status`` (None if
    it is one): ``{"<name>": {"code": status, "message": ...}}``."""
    if 'Traceback' in text:
        return 'traceback in the body'
    try:
        body = json.loads(text)
    except ValueError:
        return 'not JSON: %r' % text[:200]
    if not isinstance(body, dict) or len(body) != 1:
        return 'not a fault body: %r' % text[:200]
    (fault,) = body.values()
    if not isinstance(fault, dict) or fault.get('code') != status or \
            'message' not in fault:
        return 'not a fault body: %r' % text[:200]
    return None


def percentile(values, fraction):
    """Nearest-rank percentile of ``values`` (fraction in [0, 1])."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class Recorder:
    """Every request of a run, judged; thread-safe.

    ``tolerated`` are statuses that are acceptable when they come with a
    fault body (the monitors retry them); any other unexpected status, a
    missing answer or a traceback is an error.
    """

    def __init__(self, tolerated=()):
        self.tolerated = frozenset(tolerated)
        self.origin = time.monotonic()
        self.samples = []
        self.errors = []
        self._lock = threading.Lock()

    def now(self):
        """Seconds since the recorder was made (the run's clock)."""
        return time.monotonic() - self.origin

    def call(self, client, kind, method, path, body=None, expect=(200,)):
        """Send one request, judge and record it; ``(status, text,
        outcome)``."""
        started = self.now()
        status, text = client.request(method, path, body)
        seconds = self.now() - started
        outcome, problem = self._judge(status, text, expect)
        self.add(Sample(kind, method, path, status, seconds, started,
                        outcome), problem and '%s %s -> %s: %s' % (
                            method, path, status, problem))
        return status, text, outcome

    def _judge(self, status, text, expect):
        if status in expect:
            if 'Traceback' in text:
                return ERROR, 'traceback in the body'
            return OK, None
        if status is None:
            return ERROR, text
        problem = fault_problem(status, text)
        if problem is None and status in self.tolerated:
            return TOLERATED, None
        return ERROR, problem or 'unexpected status: %s' % text[:300]

    def add(self, sample, problem=None):
        with self._lock:
            self.samples.append(sample)
            if problem:
                self.errors.append(problem)

    def problem(self, text):
        """An error found by checking answers (a broken page, say)."""
        with self._lock:
            self.errors.append(text)

    def between(self, begin, end):
        """Samples of requests started in [begin, end) (run clock)."""
        with self._lock:
            return [s for s in self.samples if begin <= s.started < end]

    def summary(self, wall):
        """Per-kind and overall figures; ``wall`` is the load's duration
        (seconds) that request rates are computed over."""
        with self._lock:
            samples = list(self.samples)
            errors = list(self.errors)
        kinds = {}
        for kind in sorted({s.kind for s in samples}):
            mine = [s for s in samples if s.kind == kind]
            kinds[kind] = _figures(mine, wall)
        statuses = collections.Counter(str(s.status) for s in samples)
        return {'requests': len(samples),
                'rps': round(len(samples) / wall, 1) if wall else None,
                'wall_s': round(wall, 2),
                'errors': len(errors),
                'error_samples': errors[:10],
                'tolerated': sum(s.outcome == TOLERATED for s in samples),
                'statuses': dict(statuses),
                'kinds': kinds}


def _figures(samples, wall):
    seconds = [s.seconds for s in samples]

    def ms(value):
        return None if value is None else round(1000 * value, 1)

    return {'count': len(samples),
            'rps': round(len(samples) / wall, 2) if wall else None,
            'p50_ms': ms(percentile(seconds, 0.50)),
            'p99_ms': ms(percentile(seconds, 0.99)),
            'max_ms': ms(max(seconds)),
            'errors': sum(s.outcome == ERROR for s in samples),
            'tolerated': sum(s.outcome == TOLERATED for s in samples)}
