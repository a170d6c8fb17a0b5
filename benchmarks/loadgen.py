"""The load driver: host monitors post while operators page through lists.

``LoadRun`` drives a cloud made by ``loadcloud.build``: one monitor thread
per failed host posts its COMPUTE_HOST notification (the monitors start
spread over ``ramp`` seconds), retrying 502/503/504 and no answer the way
masakari-monitors does, while ``operators`` threads list segments, hosts
and notifications page by page (marker and limit, sort keys, filters) and
show single items, checking every walk (no item twice, the order asked
for, nothing missing from a list that cannot change). The run lasts until
every notification is final; then ``result()`` has the request figures
and the outcome in masakari and Nova. Fault tests call ``mark`` around
what they break and use ``window`` to count what was answered meanwhile.

Used by masakari/tests/e2e/test_load.py, test_faults_under_load.py and
``python -m benchmarks.loadtest``.
"""

import datetime
import json
import random
import threading
import time

from benchmarks import loadclient
from benchmarks import loadcloud
from benchmarks.loadclient import Client

CREATE, SEGMENTS, HOSTS, NOTIFICATIONS, SHOW = (
    'create_notification', 'list_segments', 'list_hosts',
    'list_notifications', 'show')
MAX_PAGES = 25


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None).isoformat()


def host_down_body(hostname):
    return {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': hostname,
        'generated_time': utcnow(),
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': 'OFFLINE'}}}


class LoadRun:
    """Monitors and operators against ``api_url`` for ``layout``.

    ``api_url`` may be a list of API endpoints (several API processes,
    each on its own database node): monitor and operator ``i`` then talk
    to endpoint ``i`` modulo their number, as behind a load balancer.

    ``tolerated``: statuses that are not errors when they come with a
    fault body (503 while the database is away). ``pause``: an operator's
    think time between two walks, seconds.
    """

    def __init__(self, api_url, sim, layout, operators=4, ramp=5.0,
                 tolerated=(), pause=0.05, retry_interval=1.0,
                 monitor_deadline=300, token=None):
        self.api_urls = ([api_url] if isinstance(api_url, str)
                         else list(api_url))
        self.api_url = self.api_urls[0]
        self.sim = sim
        self.layout = layout
        self.operators = operators
        self.ramp = ramp
        self.pause = pause
        self.retry_interval = retry_interval
        self.monitor_deadline = monitor_deadline
        self.token = token
        self.recorder = loadclient.Recorder(tolerated)
        self.accepted = {}      # host name: notification uuid (or None)
        self.gave_up = {}       # host name: last answer
        self.attempts = 0
        self.events = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._monitors = []
        self._operators = []
        self.since = None
        self.began = self.ended = None

    # -- the run --------------------------------------------------------
    def client(self, index=0):
        return Client(self.api_urls[index % len(self.api_urls)],
                      token=self.token)

    def start(self):
        """Fail every host in Nova, then start operators and monitors."""
        # Whole seconds: MariaDB's DATETIME (upstream's schema) drops the
        # fraction, so a notification posted within this second would be
        # stored before a fractional ``since``.
        self.since = utcnow().split('.')[0]
        loadcloud.fail_all(self.sim, self.layout)
        self.began = self.recorder.now()
        self.mark('load started')
        for index in range(self.operators):
            self._spawn(self._operators, self._operate, index)
        names = sorted(self.layout.failing)
        for index, name in enumerate(names):
            delay = self.ramp * index / max(len(names), 1)
            self._spawn(self._monitors, self._monitor, name, delay, index)
        return self

    def _spawn(self, group, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        group.append(thread)

    def mark(self, event):
        """Note an event (a fault injected, say) on the run's clock."""
        at = self.recorder.now()
        self.events.append((round(at, 3), event))
        return at

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError('timed out after %ss waiting for %s'
                                     % (timeout, what))
            time.sleep(0.05)

    def wait_monitors(self, timeout=300):
        """Until every monitor has its answer (accepted or gave up)."""
        deadline = time.monotonic() + timeout
        for thread in self._monitors:
            thread.join(max(deadline - time.monotonic(), 0.1))
        alive = [t for t in self._monitors if t.is_alive()]
        if alive:
            raise AssertionError('%d monitors still posting after %ss'
                                 % (len(alive), timeout))
        self.mark('all monitors answered')

    def wait_recovered(self, timeout=300):
        """Until every stored notification of the run is final."""
        client = self.client()

        def final():
            found = loadcloud.notifications_by_host(client, self.layout,
                                                    self.since)
            if found is None or not set(self.accepted) <= set(found):
                return False
            return all(row['status'] in loadcloud.FINAL
                       for name in self.layout.failing
                       for row in found.get(name, [None]) if row)
        self.wait_for(final, timeout, 'every notification to be final')
        self.mark('every notification final')

    def stop(self):
        """Stop the operators (their last walks finish first)."""
        self.stopping.set()
        for thread in self._operators:
            thread.join(120)
        self.ended = self.recorder.now()
        self.mark('load stopped')

    def run(self, monitor_timeout=300, recovery_timeout=300):
        """start, wait for monitors and recoveries, stop; the result."""
        self.start()
        return self.finish(monitor_timeout, recovery_timeout)

    def finish(self, monitor_timeout=300, recovery_timeout=300):
        """Of a started run: wait for monitors and recoveries, stop; the
        result."""
        try:
            self.wait_monitors(monitor_timeout)
            self.wait_recovered(recovery_timeout)
        finally:
            self.stop()
        return self.result()

    def result(self):
        """Request figures and the outcome in masakari and in Nova."""
        found = loadcloud.notifications_by_host(self.client(), self.layout,
                                                self.since) or {}
        outcome = loadcloud.verify(self.sim, self.layout, found,
                                   set(self.accepted))
        wall = (self.ended or self.recorder.now()) - (self.began or 0)
        result = self.recorder.summary(wall)
        result.update(outcome)
        result.update({
            'hosts': len(self.layout.failing),
            'segments': len(self.layout.segments),
            'operators': self.operators,
            'post_attempts': self.attempts,
            'monitors_gave_up': dict(self.gave_up),
            'events': self.events})
        return result

    def window(self, begin, end):
        """What was asked in [begin, end) and how it was answered:
        {'requests', 'posts', 'statuses': {status: count}, 'max_ms'}."""
        samples = self.recorder.between(begin, end)
        statuses = {}
        for sample in samples:
            key = str(sample.status)
            statuses[key] = statuses.get(key, 0) + 1
        return {'requests': len(samples),
                'posts': sum(s.kind == CREATE for s in samples),
                'statuses': statuses,
                'max_ms': round(1000 * max((s.seconds for s in samples),
                                           default=0), 1)}

    # -- a host monitor -------------------------------------------------
    def _monitor(self, name, delay, index=0):
        if self.stopping.wait(delay):
            return
        client = self.client(index)
        body = host_down_body(name)
        deadline = time.monotonic() + self.monitor_deadline
        tries = 0
        while True:
            tries += 1
            with self._lock:
                self.attempts += 1
            expect = (202,) if tries == 1 else (202, 409)
            status, text, outcome = self.recorder.call(
                client, CREATE, 'POST', '/v1/notifications', body,
                expect=expect)
            if status == 202:
                self.accepted[name] = json.loads(text)['notification'][
                    'notification_uuid']
                return
            if status == 409 and tries > 1:
                # An earlier try was stored though its answer was lost.
                self.accepted[name] = None
                return
            if status not in loadclient.RETRYABLE or \
                    time.monotonic() > deadline:
                self.gave_up[name] = '%s %s' % (status, text[:200])
                return
            time.sleep(self.retry_interval)

    # -- an operator ----------------------------------------------------
    def _operate(self, index):
        rng = random.Random(index)
        client = self.client(index)
        walks = (self._walk_segments, self._walk_hosts,
                 self._walk_notifications, self._show)
        while not self.stopping.is_set():
            rng.choice(walks)(client, rng)
            self.stopping.wait(self.pause)

    def _walk(self, client, kind, path, key, params, limit):
        """Page through ``path`` with marker/limit; the items, or None if
        a page was not answered 200."""
        items, seen, marker = [], set(), None
        for _ in range(MAX_PAGES):
            query = dict(params, limit=limit)
            if marker is not None:
                query['marker'] = marker
            url = path + '?' + '&'.join('%s=%s' % kv for kv in
                                        sorted(query.items()))
            status, text, _ = self.recorder.call(client, kind, 'GET', url)
            if status != 200:
                return None
            page = json.loads(text)[key]
            for item in page:
                if item['id'] in seen:
                    self.recorder.problem('%s: %s listed twice' % (
                        url, item['id']))
                seen.add(item['id'])
            items.extend(page)
            if len(page) < limit:
                return items
            marker = page[-1]['id']
        return items

    def _check_order(self, what, items, field, descending):
        values = [item[field] for item in items]
        if values != sorted(values, reverse=descending):
            self.recorder.problem('%s not sorted by %s %s: %s' % (
                what, field, 'desc' if descending else 'asc', values))

    def _walk_segments(self, client, rng):
        descending = rng.random() < 0.5
        params = {'sort_key': 'name',
                  'sort_dir': 'desc' if descending else 'asc'}
        if rng.random() < 0.5:
            params['recovery_method'] = 'auto'
        items = self._walk(client, SEGMENTS, '/v1/segments', 'segments',
                           params, rng.choice((1, 2, 3)))
        if items is None:
            return
        # Only ours: other names may collate differently in the database.
        mine = [s for s in items if s['uuid'] in self.layout.segments]
        self._check_order('segments', mine, 'name', descending)
        missing = set(self.layout.segments) - {s['uuid'] for s in items}
        if missing:
            self.recorder.problem('segments missing from a walk: %s'
                                  % sorted(missing))

    def _walk_hosts(self, client, rng):
        uuid = rng.choice(sorted(self.layout.segments))
        hosts = self.layout.segments[uuid]['hosts']
        params, complete = {'sort_key': 'name', 'sort_dir': 'asc'}, True
        roll = rng.random()
        if roll < 0.25:
            params['on_maintenance'] = rng.choice(('true', 'false'))
            complete = False
        elif roll < 0.5:
            params['type'] = 'COMPUTE'
        items = self._walk(client, HOSTS, '/v1/segments/%s/hosts' % uuid,
                           'hosts', params, rng.choice((2, 3, 5)))
        if items is None:
            return
        self._check_order('hosts', items, 'name', False)
        names = {h['name'] for h in items}
        if complete and names != set(hosts):
            self.recorder.problem('hosts of %s: %s, not %s' % (
                uuid, sorted(names), sorted(hosts)))
        elif not names <= set(hosts):
            self.recorder.problem('hosts of %s: %s are not its own' % (
                uuid, sorted(names - set(hosts))))

    def _walk_notifications(self, client, rng):
        params = {'sort_key': 'generated_time', 'sort_dir': 'desc'}
        roll = rng.random()
        if roll < 0.25:
            params['status'] = rng.choice(('new', 'running', 'finished'))
        elif roll < 0.5:
            params['generated-since'] = self.since
        elif roll < 0.75:
            name = rng.choice(sorted(self.layout.failing))
            params['source_host_uuid'] = self.layout.failing[name]['uuid']
        else:
            params['type'] = 'COMPUTE_HOST'
        items = self._walk(client, NOTIFICATIONS, '/v1/notifications',
                           'notifications', params, rng.choice((5, 10)))
        if items is None:
            return
        self._check_order('notifications', items, 'generated_time', True)
        if 'source_host_uuid' in params and len(items) > 1:
            self.recorder.problem('%d notifications of host %s' % (
                len(items), params['source_host_uuid']))

    def _show(self, client, rng):
        roll = rng.random()
        uuids = [u for u in list(self.accepted.values()) if u]
        if roll < 0.5 and uuids:
            path = '/v1/notifications/%s' % rng.choice(uuids)
        elif roll < 0.75:
            uuid = rng.choice(sorted(self.layout.segments))
            path = '/v1/segments/%s' % uuid
        else:
            uuid = rng.choice(sorted(self.layout.segments))
            host = rng.choice(sorted(self.layout.segments[uuid]['hosts']
                                     .values()))
            path = '/v1/segments/%s/hosts/%s' % (uuid, host)
        self.recorder.call(client, SHOW, 'GET', path)


def on_deployment(deployment, failing, per_host, segments, operators, ramp,
                  tolerated=()):
    """Start an e2e ``Deployment`` (simulator, 2 API workers, 2 engines),
    seed its cloud and return the (not yet started) ``LoadRun``."""
    deployment.start_simulator()
    deployment.start(engines=('engine-1', 'engine-2'), workers=2)
    layout = loadcloud.build(deployment.api_url, deployment.sim,
                             failing=failing, per_host=per_host,
                             segments=segments)
    return LoadRun(deployment.api_url, deployment.sim, layout,
                   operators=operators, ramp=ramp, tolerated=tolerated)
