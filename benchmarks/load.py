"""A closed-loop HTTP load generator in worker processes.

Each of ``concurrency`` processes sends its share of a fixed list of
requests one after the other over ``http.client`` and times each one, so
the request count is bounded and the client's own cost stays small. The
server (gunicorn) closes connections after each response; the time to
connect again is part of the latency, as for any client of a sync worker.
"""

import http.client

import multiprocessing
import time
import urllib.parse

from benchmarks.loadclient import percentile


class Request:
    __slots__ = ('method', 'path', 'body', 'expect')

    def __init__(self, method, path, body=None, expect=200):
        self.method = method
        self.path = path
        self.body = body
        self.expect = expect


def _send(host, port, requests_, token=None):
    headers = {'Content-Type': 'application/json',
               'Accept': 'application/json'}
    if token:
        headers['X-Auth-Token'] = token
    conn = None
    timings = []
    errors = []
    for req in requests_:
        started = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.request(req.method, req.path, body=req.body,
                         headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
            if resp.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as exc:
            status = repr(exc)
            if conn is not None:
                conn.close()
            conn = None
        timings.append(time.perf_counter() - started)
        if status != req.expect:
            errors.append('%s %s -> %s' % (req.method, req.path, status))
    if conn is not None:
        conn.close()
    return timings, errors


def _worker(args):
    host, port, requests_, start_at, token = args
    # Start together, so the concurrency is what was asked for.
    time.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    timings, errors = _send(host, port, requests_, token)
    return began, time.time(), timings, errors


def run(base_url, requests_, concurrency, token=None):
    """Send ``requests_`` with ``concurrency`` clients; returns a dict of
    latencies (seconds, one per request), wall time, errors."""
    url = urllib.parse.urlsplit(base_url)
    shares = [requests_[i::concurrency] for i in range(concurrency)]
    start_at = time.time() + 0.3
    jobs = [(url.hostname, url.port, share, start_at, token)
            for share in shares if share]
    context = multiprocessing.get_context('fork')
    with context.Pool(len(jobs)) as pool:
        results = pool.map(_worker, jobs)
    # Back in the order of ``requests_``: client i sent i, i + c, i + 2c...
    latencies = [0.0] * len(requests_)
    for index, (_, _, timings, _) in enumerate(results):
        for position, seconds in enumerate(timings):
            latencies[index + position * concurrency] = seconds
    errors = [e for _, _, _, errs in results for e in errs]
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    return {'latencies': latencies, 'wall': wall, 'errors': errors}


def split(result, requests_, labels):
    """Per-label results of one mixed run (``labels[i]`` is the label of
    ``requests_[i]``); wall times are not meaningful per label."""
    out = {}
    for label, seconds in zip(labels, result['latencies'], strict=True):
        out.setdefault(label, {'latencies': [], 'wall': None,
                               'errors': []})['latencies'].append(seconds)
    for error in result['errors']:
        for label, req in zip(labels, requests_, strict=True):
            if error.startswith('%s %s ' % (req.method, req.path)):
                out[label]['errors'].append(error)
                break
    return out


def summary(result):
    lat = result['latencies']
    return {'count': len(lat),
            'p50_ms': 1000 * percentile(lat, 0.50),
            'p99_ms': 1000 * percentile(lat, 0.99),
            'mean_ms': 1000 * sum(lat) / len(lat),
            'rps': len(lat) / result['wall'] if result['wall'] else None,
            'errors': len(result['errors']),
            'error_samples': result['errors'][:3]}
