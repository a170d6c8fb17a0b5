"""Recovery benchmark: how long until a failed host's instances run again.

A compute host with N HA-enabled instances fails; the host monitor's
notification is posted; the clock stops when the last instance is ACTIVE
on another host *as the Nova simulator sees it*. Every evacuation takes
``L`` seconds in the simulator and the engine runs ``P``
(``host_failure_recovery_threads``) at a time, so no engine can do better
than the critical path ``ceil(N / P) * L``; the result is reported as a
ratio to that bound. That is the idealised setting; the realistic ones
(``benchmarks.recovery_settings``: Nova's down detection, API latency and
limits, claims per target host, fencing through a BMC) have bounds of
their own (``benchmarks.bounds``), and every result records the commit,
the engine options and the simulator settings it was measured with
(``benchmarks.conditions``). ``recovery_run`` measures one recovery.

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
import os
import sys

import requests

from benchmarks import cli
from benchmarks import conditions
from benchmarks import fencing as fencing_
from benchmarks import probes as probes_
from benchmarks import recovery_run
from benchmarks import recovery_settings
from benchmarks import services

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FULL_SIZES = (1, 10, 100, 500)
# L, seconds. Not a multiple of the engine's fallback poll (verify_interval,
# 1 s): an L on that grid would hide how late a poll-based engine notices.
FULL_L = 2.5
QUICK_L = 1.25
QUICK_SIZES = (1, 10, 100)
FULL_THREADS = ('10', '50', 'N')
QUICK_THREADS = ('10', 'N')
TIMEOUT = 30


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


def warm_up(cloud):
    """A small throwaway recovery: imports, connections, first flows."""
    recovery_run.run_once(cloud, 2, 2, 0.1)


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
    chosen = recovery_settings.chosen(args.settings, args.profile)
    results = {'evacuate_seconds': duration, 'runs': [], 'settings': [],
               'thread_specs': list(specs), 'git': conditions.git_state(ROOT),
               'quick': bool(args.quick)}
    with contextlib.ExitStack() as stack:
        if args.api_url:
            cloud = Cloud(args.api_url, args.simulator_url, args.token)
            # An external engine has one P (the one given) and one setting.
            p = resolve_threads(specs[0], max(sizes))
            runs = {chosen[0].name: [(p, n, min(p, n)) for n in sizes]}
            chosen, own = chosen[:1], None
        else:
            env = ({'PYTHONPATH': args.engine_pythonpath}
                   if args.engine_pythonpath else None)
            own = stack.enter_context(services.Stack(
                engine_options=_engine_options(args, 1), engine_env=env,
                transport='fake://' if args.no_rabbit else None))
            cloud = Cloud(own.api_url, own.simulator.admin_url)
            runs = {s.name: _plan(s, sizes, specs, args) for s in chosen}
            results['stack'] = {'db': own.db_backend,
                                'transport': own.transport.split(':')[0],
                                'separate_engine': own.separate_engine,
                                'run_dir': own.run_dir}
        for setting in chosen:
            entry = _measure_setting(args, stack, own, cloud, setting,
                                     runs[setting.name], duration, out)
            if setting.name == 'ideal':
                results['runs'] = entry['runs']
                results['conditions'] = entry['conditions']
            else:
                results['settings'].append(entry)
    return results


def _plan(setting, sizes, specs, args):
    if setting.name == 'ideal' or args.sizes:
        return plan(sizes, specs)
    pairs = (recovery_settings.QUICK_PAIRS if args.quick
             else recovery_settings.FULL_PAIRS)
    return sorted((p, n, p) for n, p in pairs)


def _measure_setting(args, stack, own, cloud, setting, runs, duration, out):
    """Every run of one setting; its conditions and its runs."""
    fencing = None
    if setting.fenced:
        run_dir = own.run_dir if own else os.getcwd()
        fencing = fencing_.Fencing(os.path.join(run_dir, 'bmcs.yaml'))
        stack.callback(fencing.stop)
    options = setting.options(fencing.path if fencing else None)
    entry = {'name': setting.name, 'title': setting.title,
             'profile': setting.profile, 'runs': []}
    current_p, probes = None, None
    for engine_p, n, p in runs:
        if own is not None:
            if engine_p != current_p:
                own.start_engine(_engine_options(args, engine_p, options))
                current_p = engine_p
                warm_up(cloud)
                if probes is not None:
                    probes.close()
                probes = stack_probes(own)
                stack.callback(probes.close)
            # A fresh cloud each run: the scheduler's cost grows with
            # the number of servers the simulator holds.
            cloud.sim('POST', '/reset')
        result = recovery_run.run_once(cloud, n, p, duration, probes,
                                       setting, fencing, args.quick)
        entry['runs'].append(result)
        out.write('[%s] %s\n' % (setting.name, format_result(result)))
        out.flush()
    engine = _engine_options(args, None, options) if own else {}
    entry['conditions'] = {
        'engine': conditions.engine(engine, 'redfish' if fencing else None),
        'simulator': cloud.sim('GET', '/settings'),
        'profile': setting.profile}
    if not own:
        entry['conditions']['engine'] = None  # not ours to know
    return entry


def stack_probes(own):
    """CPU and memory probes of the stack's engine, simulator and API."""
    parts = {'engine': own.engine, 'simulator': own.simulator.process}
    if own.separate_engine:
        parts['api'] = own.api.process
    return probes_.Probes(parts, own.db_url)


def _engine_options(args, p, setting_options=None):
    base = {(None, 'host_failure_recovery_threads'): p}
    base.update(setting_options or {})
    return cli.engine_options(args.engine_option, base)


def format_result(r):
    line = ('N=%-4d P=%-4d bound %6.1fs (from %s)  measured %6.2fs from the '
            'POST, %s from the failure (polled %6.2fs) ratio %.3f  before '
            '1st evacuation %.2fs  overhead/instance %.3fs  detect lag mean '
            '%.3fs max %.3fs  slot handoff mean %.3fs  first wave %.2fs  '
            'fence %s  %s%s' % (
                r['n'], r['p'], r['lower_bound'], r.get('bound_clock', 'post'),
                r['seconds'] or 0, _s(r.get('seconds_from_failure')),
                r['polled_seconds'], r['ratio'] or 0,
                r['before_first_evacuation'] or 0,
                r['overhead_per_instance'] or 0,
                r['detect_lag_mean'] or 0, r['detect_lag_max'] or 0,
                r.get('handoff_mean') or 0,
                r.get('first_wave_seconds') or 0,
                _s(r.get('fence_seconds')), r['status'],
                ' PROBLEMS: %d' % len(r['problems'])
                if r['problems'] else ''))
    cpu = r.get('cpu_ms_per_instance')
    if cpu:
        line += '\n    CPU ms/instance: %s' % ', '.join(
            '%s %.1f' % item for item in sorted(cpu.items()))
    if r.get('nova_requests_per_instance') is not None:
        line += '; Nova API requests/instance %.1f' % (
            r['nova_requests_per_instance'])
    if r.get('rows_written_per_instance') is not None:
        line += '; DB rows written/instance %.1f' % (
            r['rows_written_per_instance'])
    return line


def _s(value):
    return '-' if value is None else '%.2fs' % value


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
    p.add_argument('--settings', type=lambda s: s.split(','),
                   help='the settings measured, of %s (default all)' %
                        ','.join(s.name for s in recovery_settings.SETTINGS))
    p.add_argument('--profile', choices=('default', 'realistic'),
                   help="only the settings with this simulator profile "
                        "(realistic: the realistic and fenced rows)")
    p.add_argument('--quick', action='store_true', help='a short run')
    p.add_argument('--json', help='write the results there')
    return p


def main(argv=None):
    args = cli.parse_args(parser(), argv, 'simulator_url')
    cli.write_json(args.json, run(args))
    return 0


if __name__ == '__main__':
    sys.exit(main())
