"""Recovery benchmark: how long until a failed host's instances run again.

A compute host with N HA-enabled instances fails; the host monitor's
notification is posted; the clock stops when the last instance is ACTIVE
on another host *as the Nova simulator sees it*. Every evacuation takes
``L`` seconds in the simulator and the engine runs ``P``
(``host_failure_recovery_threads``) at a time, so no engine can do better
than the critical path ``ceil(N / P) * L``; the result is reported as a
ratio to that bound.

Times come from the simulator: it is polled until no instance is left on
the failed host, then its evacuation records give the exact moment each
instance became ACTIVE on its new host (the polled time is kept too). The
engine's own records (vmoves) only serve to split the time: fencing and
preparation before the first evacuation, and how late the engine noticed
each finished evacuation.

Against running services (P is then whatever their engine is configured
with; give it with ``--threads`` so the bound is right)::

    python -m benchmarks.recovery --api-url http://127.0.0.1:15868 \\
        --simulator-url http://127.0.0.1:18774/simulator --threads 10

(``--token`` sends an ``X-Auth-Token`` to an API behind Keystone.) Without
URLs it starts its own stack (``benchmarks.services.Stack``) and restarts
the engine whenever the next run needs another P.
"""

import argparse
import contextlib
import datetime
import math
import sys
import threading
import time
import uuid

import requests

from benchmarks import cli
from benchmarks import services

FULL_SIZES = (1, 10, 100, 500)
# L, seconds. Not a multiple of the engine's fallback poll (verify_interval,
# 1 s): an L on that grid would hide how late a poll-based engine notices.
FULL_L = 2.5
QUICK_L = 1.25
QUICK_SIZES = (1, 10, 100)
FULL_THREADS = ('10', '50', 'N')
QUICK_THREADS = ('10', 'N')
TIMEOUT = 30
# The engine's os-migrations poll while it measures: the fast path (the
# option's default, 1 s, would put up to 1 s per round into the result).
WATCH_INTERVAL = 0.05


class Cloud:
    """The masakari API and the simulator's admin API, over HTTP."""

    def __init__(self, api_url, simulator_url, token=None):
        self.api_url = api_url.rstrip('/')
        if self.api_url.endswith('/v1'):
            self.api_url = self.api_url[:-3]
        self.simulator_url = simulator_url.rstrip('/')
        self.http = requests.Session()
        self.token = token

    def _headers(self, version=None):
        headers = {}
        if self.token:
            headers['X-Auth-Token'] = self.token
        if version:
            headers['OpenStack-API-Version'] = 'instance-ha %s' % version
        return headers

    def api(self, method, path, body=None, version=None,
            ok=(200, 201, 202)):
        resp = self.http.request(method, self.api_url + '/v1' + path,
                                 json=body, headers=self._headers(version),
                                 timeout=TIMEOUT)
        if resp.status_code not in ok:
            raise RuntimeError('%s %s: %s %s' % (method, path,
                                                 resp.status_code, resp.text))
        return resp.json() if resp.content else {}

    def sim(self, method, path, body=None, ok=(200, 201)):
        resp = self.http.request(method, self.simulator_url + path,
                                 json=body, timeout=TIMEOUT)
        if resp.status_code not in ok:
            raise RuntimeError('simulator %s %s: %s %s' % (
                method, path, resp.status_code, resp.text))
        return resp.json()


def _parse_time(text):
    """Simulator and API timestamps (naive UTC) as POSIX seconds."""
    when = datetime.datetime.strptime(text[:26], '%Y-%m-%dT%H:%M:%S.%f')
    return when.replace(tzinfo=datetime.timezone.utc).timestamp()


def lower_bound(n, p, duration):
    return math.ceil(n / p) * duration


def build(cloud, n, tag, target_hosts=4):
    """The failing host with N HA instances, spare capacity elsewhere, and
    the segment holding them all; returns (source, server ids)."""
    source = 'bench-%s-src' % tag
    cloud.sim('POST', '/hosts', {'name': source, 'vcpus': n + 8,
                                 'memory_mb': (n + 8) * 512})
    targets = ['bench-%s-t%d' % (tag, i) for i in range(target_hosts)]
    for name in targets:
        cloud.sim('POST', '/hosts', {'name': name, 'vcpus': 4096,
                                     'memory_mb': 4096 * 512})
    created = cloud.sim('POST', '/servers', {
        'host': source, 'count': n, 'vcpus': 1, 'memory_mb': 512,
        'name_prefix': 'bench-%s-vm' % tag,
        'metadata': {'HA_Enabled': 'True'}})
    segment = cloud.api('POST', '/segments', {'segment': {
        'name': 'bench-%s' % tag, 'recovery_method': 'auto',
        'service_type': 'COMPUTE'}})['segment']
    for name in [source] + targets:
        cloud.api('POST', '/segments/%s/hosts' % segment['uuid'],
                  {'host': {'name': name, 'type': 'COMPUTE',
                            'control_attributes': 'benchmark'}})
    return source, [s['id'] for s in created['servers']]


def host_failure(source):
    return {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': source,
        'generated_time': datetime.datetime.utcnow().isoformat(),
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': 'OFFLINE'}}}


class Probes:
    """What the benchmark can read about the processes of its own stack:
    memory (sampled in a thread), CPU time, and database commits."""

    def __init__(self, processes, db_url=None, interval=0.2):
        self.processes = processes
        self.interval = interval
        self.peak = {}
        self._engine = None
        if db_url and db_url.startswith('postgresql'):
            import sqlalchemy as sa

            self._engine = sa.create_engine(db_url, poolclass=sa.NullPool)
        self._stop_event = threading.Event()
        self._thread = None

    def rss(self):
        return {name: sum(process.rss().values())
                for name, process in self.processes.items()}

    def cpu(self):
        return {name: process.cpu_seconds()
                for name, process in self.processes.items()}

    def rows_written(self):
        """Rows inserted, updated or deleted in the database so far
        (PostgreSQL's statistics, which lag by up to a second)."""
        if self._engine is None:
            return None
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT tup_inserted + tup_updated + tup_deleted '
                'FROM pg_stat_database '
                'WHERE datname = current_database()')).scalar()

    def start(self):
        self.peak = self.rss()
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop_event.wait(self.interval):
            self._sample()

    def _sample(self):
        for name, value in self.rss().items():
            self.peak[name] = max(self.peak.get(name, 0), value)

    def stop(self):
        self._stop_event.set()
        self._thread.join()
        self._sample()
        return dict(self.peak)

    def close(self):
        if self._engine is not None:
            self._engine.dispose()


def wait_recovered(cloud, source, ids, timeout, started):
    """Poll the simulator until no instance is left on the failed host;
    returns the time it was seen (seconds after ``started``)."""
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    while True:
        left = [s for s in cloud.sim('GET', '/servers?host=%s' % source)[
            'servers'] if s['id'] in wanted]
        seen = time.monotonic() - started
        if not left:
            return seen
        if time.monotonic() > deadline:
            raise RuntimeError('%d instance(s) still on %s after %ss'
                               % (len(left), source, timeout))
        # Polling costs the simulator; poll fast only near the end.
        time.sleep(min(0.05 + 0.001 * len(left), 0.5))


def wait_notification(cloud, uuid_, timeout):
    deadline = time.monotonic() + timeout
    while True:
        status = cloud.api('GET', '/notifications/%s' % uuid_)[
            'notification']['status']
        if status in ('finished', 'failed', 'ignored', 'error'):
            return status
        if time.monotonic() > deadline:
            raise RuntimeError('notification %s still %s' % (uuid_, status))
        time.sleep(0.1)


def check_servers(cloud, source, ids):
    """Problems with the outcome, as Nova (the simulator) has it."""
    problems = []
    for server_id in ids:
        info = cloud.sim('GET', '/servers/%s' % server_id)
        if (info['host'] == source or info['status'] != 'ACTIVE' or
                info['evacuations'] != 1):
            problems.append('%s: %s on %s, %d evacuations' % (
                server_id, info['status'], info['host'],
                info['evacuations']))
    return problems


def run_once(cloud, n, p, duration, probes=None):
    """One recovery of N instances; a dict of measurements."""
    tag = uuid.uuid4().hex[:6]
    cloud.sim('PUT', '/settings', {'evacuate_duration': duration})
    source, ids = build(cloud, n, tag)
    cloud.sim('POST', '/hosts/%s/fail' % source)
    if probes:
        idle, cpu, written = probes.rss(), probes.cpu(), probes.rows_written()
        probes.start()
    posted_wall = time.time()
    started = time.monotonic()
    notification = cloud.api('POST', '/notifications', host_failure(source),
                             ok=(202,))['notification']
    timeout = 3 * lower_bound(n, p, duration) + 120
    polled = wait_recovered(cloud, source, ids, timeout, started)
    status = wait_notification(cloud, notification['notification_uuid'],
                               timeout)
    engine_done = time.monotonic() - started
    if probes:
        peak = probes.stop()
        cpu_used = {name: value - cpu[name]
                    for name, value in probes.cpu().items()}
        time.sleep(1.0)  # PostgreSQL publishes its statistics lazily
        written_after = probes.rows_written()
    wanted = set(ids)
    migrations = [m for m in cloud.sim('GET', '/migrations')['migrations']
                  if m['server_id'] in wanted and m['status'] == 'done']
    vmoves = cloud.api('GET', '/notifications/%s/vmoves?limit=%d' % (
        notification['notification_uuid'], n + 10))['vmoves']
    done_at = {m['server_id']: _parse_time(m['updated_at'])
               for m in migrations}
    accepted = [_parse_time(m['created_at']) for m in migrations]
    lags = [_parse_time(v['end_time']) - done_at[v['instance_uuid']]
            for v in vmoves
            if v['end_time'] and v['instance_uuid'] in done_at]
    in_nova = [_parse_time(m['updated_at']) - _parse_time(m['created_at'])
               for m in migrations]
    handoffs = slot_handoffs(sorted(done_at.values()), sorted(accepted), p)
    last_active = max(done_at.values()) - posted_wall if done_at else None
    first_evacuation = min(accepted) - posted_wall if accepted else None
    bound = lower_bound(n, p, duration)
    rounds = math.ceil(n / p)
    result = {
        'n': n, 'p': p, 'evacuate_seconds': duration,
        'lower_bound': bound, 'status': status,
        'seconds': last_active, 'polled_seconds': polled,
        'notification_finished_seconds': engine_done,
        'ratio': last_active / bound if last_active else None,
        'before_first_evacuation': first_evacuation,
        # Engine time per round beyond L: what a slot loses per instance.
        'overhead_per_instance': (
            (last_active - first_evacuation) / rounds - duration
            if last_active else None),
        'detect_lag_mean': sum(lags) / len(lags) if lags else None,
        'detect_lag_max': max(lags) if lags else None,
        # How long Nova (the simulator) really took: L plus its lateness.
        'evacuation_in_nova_mean': (sum(in_nova) / len(in_nova)
                                    if in_nova else None),
        # From the first to the P-th evacuation request: the first wave.
        'first_wave_seconds': (sorted(accepted)[min(p, len(accepted)) - 1]
                               - min(accepted) if accepted else None),
        'handoff_mean': sum(handoffs) / len(handoffs) if handoffs else None,
        'handoff_max': max(handoffs) if handoffs else None,
        'problems': check_servers(cloud, source, ids),
    }
    if probes:
        result['rss_idle'] = idle
        result['rss_peak'] = peak
        # Per instance: what the recovery costs beyond waiting.
        result['cpu_ms_per_instance'] = {
            name: 1000 * value / n for name, value in cpu_used.items()}
        if written is not None:
            result['rows_written_per_instance'] = (written_after -
                                                   written) / n
    return result


def slot_handoffs(done, accepted, p):
    """Seconds from each evacuation's end in Nova to the start of the
    evacuation that took its slot: the k-th end frees a slot for the
    (k + P)-th start. Zero overhead would make them all zero."""
    return [accepted[k + p] - done[k]
            for k in range(min(len(done), len(accepted) - p))]


def warm_up(cloud):
    """A small throwaway recovery: imports, connections, first flows."""
    run_once(cloud, 2, 2, 0.1)


def resolve_threads(spec, n):
    return n if spec == 'N' else int(spec)


def plan(sizes, thread_specs):
    """(engine P, N, effective P) for every run, grouped by engine P.

    An engine evacuates min(P, N) instances at a time, so one engine
    serves every run whose N is at most its P: runs with P >= N share the
    smallest configured P that covers them, saving engine restarts.
    """
    pairs = []
    for n in sizes:
        for spec in thread_specs:
            pair = (n, min(resolve_threads(spec, n), n))
            if pair not in pairs:
                pairs.append(pair)
    configured = sorted({p for n, p in pairs if p < n} | {max(sizes)})
    runs = []
    for n, p in pairs:
        engine_p = p if p < n else min(c for c in configured if c >= n)
        runs.append((engine_p, n, p))
    return sorted(runs)


def run(args, out=sys.stdout):
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    specs = args.threads or (QUICK_THREADS if args.quick else FULL_THREADS)
    duration = args.evacuate_seconds or (QUICK_L if args.quick else FULL_L)
    results = {'evacuate_seconds': duration, 'runs': [],
               'thread_specs': list(specs)}
    if not args.api_url:
        # The engine options every run had (P aside: per run).
        results['conditions'] = {
            '%s.%s' % (section or 'DEFAULT', name): value
            for (section, name), value in _engine_options(args, 0).items()
            if name != 'host_failure_recovery_threads'}
    with contextlib.ExitStack() as stack:
        if args.api_url:
            cloud = Cloud(args.api_url, args.simulator_url, args.token)
            own = None
            # An external engine has one P: the one given.
            p = resolve_threads(specs[0], max(sizes))
            runs = [(p, n, min(p, n)) for n in sizes]
        else:
            env = ({'PYTHONPATH': args.engine_pythonpath}
                   if args.engine_pythonpath else None)
            own = stack.enter_context(services.Stack(
                engine_options=_engine_options(args, 1), engine_env=env,
                transport='fake://' if args.no_rabbit else None))
            cloud = Cloud(own.api_url, own.simulator.admin_url)
            runs = plan(sizes, specs)
            results['stack'] = {'db': own.db_backend,
                                'transport': own.transport.split(':')[0],
                                'separate_engine': own.separate_engine,
                                'run_dir': own.run_dir}
        current_p = None
        probes = None
        for engine_p, n, p in runs:
            if own is not None:
                if engine_p != current_p:
                    own.start_engine(_engine_options(args, engine_p))
                    current_p = engine_p
                    warm_up(cloud)
                    if probes is not None:
                        probes.close()
                    parts = {'engine': own.engine,
                             'simulator': own.simulator.process}
                    if own.separate_engine:
                        parts['api'] = own.api.process
                    probes = Probes(parts, own.db_url)
                    stack.callback(probes.close)
                # A fresh cloud each run: the scheduler's cost grows with
                # the number of servers the simulator holds.
                cloud.sim('POST', '/reset')
            result = run_once(cloud, n, p, duration, probes)
            results['runs'].append(result)
            out.write(format_result(result) + '\n')
            out.flush()
    return results


def _engine_options(args, p):
    return cli.engine_options(
        args.engine_option, {
            (None, 'host_failure_recovery_threads'): p,
            ('host_failure', 'evacuation_watch_interval'): WATCH_INTERVAL})


def format_result(r):
    line = ('N=%-4d P=%-4d bound %6.1fs  measured %6.2fs (polled %6.2fs) '
            'ratio %.3f  before 1st evacuation %.2fs  overhead/instance '
            '%.3fs  detect lag mean %.3fs max %.3fs  slot handoff mean '
            '%.3fs max %.3fs  evacuation in Nova mean %.3fs  first wave '
            '%.2fs  %s%s' % (
                r['n'], r['p'], r['lower_bound'], r['seconds'],
                r['polled_seconds'], r['ratio'],
                r['before_first_evacuation'], r['overhead_per_instance'],
                r['detect_lag_mean'] or 0, r['detect_lag_max'] or 0,
                r.get('handoff_mean') or 0, r.get('handoff_max') or 0,
                r.get('evacuation_in_nova_mean') or 0,
                r.get('first_wave_seconds') or 0,
                r['status'],
                ' PROBLEMS: %d' % len(r['problems'])
                if r['problems'] else ''))
    cpu = r.get('cpu_ms_per_instance')
    if cpu:
        line += '\n    CPU ms/instance: %s' % ', '.join(
            '%s %.1f' % item for item in sorted(cpu.items()))
    if r.get('rows_written_per_instance') is not None:
        line += '; DB rows written/instance %.1f' % (
            r['rows_written_per_instance'])
    return line


def parser():
    p = argparse.ArgumentParser(prog='python -m benchmarks.recovery',
                                description=__doc__.splitlines()[0])
    p.add_argument('--api-url', help='masakari API (default: start a stack)')
    p.add_argument('--simulator-url',
                   help='the simulator admin API, .../simulator')
    p.add_argument('--token', help='X-Auth-Token for the API (Keystone)')
    p.add_argument('--sizes', type=lambda s: [int(x) for x in s.split(',')],
                   help='instance counts N (default %s)'
                        % ','.join(map(str, FULL_SIZES)))
    p.add_argument('--threads', type=lambda s: s.split(','),
                   help='P values, N meaning P = N (default %s); with '
                        '--api-url the P of that engine'
                        % ','.join(FULL_THREADS))
    p.add_argument('--evacuate-seconds', type=float,
                   help='simulated evacuation time L (default %g, quick %g)'
                        % (FULL_L, QUICK_L))
    p.add_argument('--engine-option', action='append', metavar='SEC.NAME=V',
                   help='extra engine option of the started stack, e.g. '
                        'DEFAULT.verify_interval=1 (repeatable)')
    p.add_argument('--engine-pythonpath', metavar='DIR',
                   help='run the started engine with masakari from DIR '
                        '(a checkout with a change to compare)')
    p.add_argument('--no-rabbit', action='store_true',
                   help='no broker: API and engine in one process on '
                        'fake://')
    p.add_argument('--quick', action='store_true', help='a short run')
    p.add_argument('--json', help='write the results there')
    return p


def main(argv=None):
    args = cli.parse_args(parser(), argv, 'simulator_url')
    cli.write_json(args.json, run(args))
    return 0


if __name__ == '__main__':
    sys.exit(main())
