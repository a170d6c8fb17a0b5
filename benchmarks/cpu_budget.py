"""Where the engine's CPU per recovered instance goes, against the floor
set by the libraries it must use: the CPU budget page.

One recovery of N instances (default: the fenced setting, N = 200,
P = 20) runs on the benchmark's own stack (``benchmarks.services``) with
``benchmarks/engine_probe`` loaded into the engine: it splits the engine's
CPU into Nova calls (python-novaclient, keystoneauth), Nova's events
(oslo.messaging's notification listener), database writes (SQLAlchemy),
progress saves (taskflow) and log lines (oslo.log), the rest being the
engine's own work (its threads, flows, waits and records).

Then, on the same machine and the same stack, the cost of one of each
operation alone (``measure_units``): a Nova read and a Nova action against
the simulator, a vmove write to the same database, a log line to a file,
one of Nova's events received at the rate the recovery received them.
Count per instance × cost alone is the floor of each kind: what a
recovery costs at least with these libraries, whatever the engine does.

Run: ``python -m benchmarks.cpu_budget``. Writes
``benchmarks/results/cpu_budget.json`` and
``doc/source/reference/cpu-budget.rst``; ``--render-only`` rewrites the
page from the results file.
"""

import argparse
import contextlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import psutil

from benchmarks import cli
from benchmarks import conditions
from benchmarks import fencing as fencing_
from benchmarks import machine
from benchmarks import recovery
from benchmarks import recovery_run
from benchmarks import recovery_settings
from benchmarks import rst
from benchmarks import services

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / 'benchmarks' / 'results' / 'cpu_budget.json'
PAGE = ROOT / 'doc' / 'source' / 'reference' / 'cpu-budget.rst'
PROBE_DIR = ROOT / 'benchmarks' / 'engine_probe'
GOAL_MS = 5.0
# Calls per operation measured alone (after WARM_UP calls).
UNIT_CALLS = 400
WARM_UP = 30
# Nova reads measured alone with the recovery's API latency.
LATENCY_CALLS = 100
# Nova's events measured alone: as fast as the broker takes them (at a
# recovery's 20 per second, oslo.messaging's poller spins between two
# events and each costs several times more).
EVENT_RATE = 500.0
EVENT_COUNT = 1000
# The server those events are about.
PUBLISHED_UUID = '6f1c2a4e-0b7d-4c55-9a31-2d8e5f0c7b19'
# (kind, what it is on the page, the unit that measures it alone)
KINDS = (
    ('nova_calls', 'Nova API calls (novaclient, keystoneauth)', 'nova'),
    ('nova_events', "Nova's events (oslo.messaging listener)", 'event'),
    ('db_writes', 'database writes (vmoves, lease)', 'vmove_update'),
    ('log_lines', 'log lines outside the above (oslo.log)', 'log_line'),
    ('progress_saves', 'progress saves (taskflow)', None),
)
EVENT_DISPATCH = ('oslo_messaging.notify.dispatcher:'
                  'NotificationDispatcher.dispatch')


# --- the engine's side: read the probe's snapshots ---------------------------
def read_snapshot(path, newer_than, timeout=10.0):
    """The probe's first snapshot written after ``newer_than`` (wall)."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError, ValueError):
            with open(path) as handle:
                snapshot = json.load(handle)
            if snapshot['time'] > newer_than:
                return snapshot
        if time.monotonic() > deadline:
            raise RuntimeError('the engine CPU probe wrote nothing to %s'
                               % path)
        time.sleep(0.05)


def difference(before, after):
    """What the engine spent between two snapshots."""
    def delta(key):
        return {name: value - before[key].get(name, 0)
                for name, value in after[key].items()}
    return {'process_cpu': after['process_cpu'] - before['process_cpu'],
            'cpu': delta('cpu'), 'calls': delta('calls'),
            'missing': after.get('missing', [])}


# --- the operations alone ----------------------------------------------------
def _cpu_per_call(operation, calls=UNIT_CALLS, warm_up=WARM_UP):
    """CPU milliseconds of the calling thread per ``operation()``."""
    for _ in range(warm_up):
        operation()
    started = time.thread_time()
    for _ in range(calls):
        operation()
    return 1000 * (time.thread_time() - started) / calls


def _write_conf(run_dir, stack):
    path = os.path.join(run_dir, 'cpu-budget.conf')
    services.write_conf(path, {
        'DEFAULT': {'log_file': os.path.join(run_dir, 'cpu-budget.log'),
                    'use_stderr': 'false'},
        'database': {'connection': stack.db_url},
        'nova': {'auth_type': 'none',
                 'endpoint_override': stack.simulator.compute_url},
        'nova_events': {'enabled': 'true',
                        'transport_url': stack.transport,
                        'pool': 'cpu-budget-%s' % uuid.uuid4().hex[:8]}})
    return path


def measure_units(stack, cloud, vmove_uuid, run_dir):
    """CPU ms of one operation of each kind at best: alone, in this
    process, back to back (warm caches, no API latency: the simulator's
    default profile), with the engine's configuration (its log file,
    database, Nova, broker)."""
    from oslo_log import log as logging

    from masakari.common import config
    from masakari.compute import nova
    from masakari import context
    from masakari.db import api as db_api

    config.parse_args(['--config-file', _write_conf(run_dir, stack)])
    # oslo.log sends uncaught errors to its file only: keep the console's.
    sys.excepthook = sys.__excepthook__
    host = 'budget-%s' % uuid.uuid4().hex[:6]
    cloud.sim('POST', '/hosts', {'name': host, 'vcpus': 8,
                                 'memory_mb': 8192})
    server = cloud.sim('POST', '/servers', {
        'host': host, 'count': 1, 'vcpus': 1, 'memory_mb': 512,
        'name_prefix': host})['servers'][0]['id']
    api, admin = nova.API(), context.get_admin_context()
    # What the recovery's API latency alone does to a call's CPU.
    with_latency = _cpu_per_call(lambda: api.get_server(admin, server),
                                 calls=LATENCY_CALLS, warm_up=10)
    cloud.sim('PUT', '/settings', recovery_settings.SETTINGS[0]
              .simulator_settings(recovery.FULL_L, False))
    log = logging.getLogger('masakari.engine.tasks.base')
    units = {
        'nova_get_with_latency': with_latency,
        'nova_get': _cpu_per_call(lambda: api.get_server(admin, server)),
        'nova_action': _cpu_per_call(
            lambda: (api.lock_server(admin, server),
                     api.unlock_server(admin, server))) / 2,
        'vmove_update': _cpu_per_call(
            lambda: db_api.vmove_update(vmove_uuid, {'message': None})),
        'log_line': _cpu_per_call(
            lambda: log.info('%s (request %s): %s', 'EvacuateInstancesTask',
                             'req-%s' % uuid.uuid4(), "Instance '%s' "
                             "evacuated to host 'compute2'" % server)),
    }
    units['event'] = _event_unit(stack)
    return units


def _event_unit(stack, rate=EVENT_RATE, count=EVENT_COUNT):
    """CPU ms per Nova event heard by the engine's listener (its
    endpoint, filter and subscribers), ``rate`` events per second sent by
    a child process."""
    from masakari.engine.evacuation import listener

    heard = threading.Semaphore(0)
    ear = listener.NovaEventListener(listener.Subscribers(), 'cpu-budget')
    subscription = ear.subscribers.subscribe(
        [PUBLISHED_UUID], lambda event: heard.release())
    ear.start()
    try:
        time.sleep(1.0)  # the pool's queue is bound
        started = time.process_time()
        sender = subprocess.Popen(
            [sys.executable, '-m', 'benchmarks.cpu_budget', '--publish',
             stack.transport, str(count), str(rate)], cwd=ROOT)
        for _ in range(count):
            if not heard.acquire(timeout=60):
                raise RuntimeError("the listener stopped hearing Nova's "
                                   'events')
        spent = time.process_time() - started
        sender.wait(timeout=60)
    finally:
        subscription.cancel()
        ear.stop()
    return 1000 * spent / count


def publish(url, count, rate):
    """The child process of ``_event_unit``: ``count`` rebuild-end events
    of one server, ``rate`` per second, as the simulator sends them."""
    from masakari.simulator import models
    from masakari.simulator import notifications

    server = models.Server(
        id=PUBLISHED_UUID, num=1, name='budget-vm', tenant_id='t' * 32,
        user_id='u' * 32, flavor=models.Flavor('1', 'm1.small', 1, 512),
        image_id=str(uuid.uuid4()), host='compute2',
        metadata={'HA_Enabled': 'True'}, locked=True)
    notifier = notifications.NovaNotifier(url=url)
    notifier.start()
    started = time.monotonic()
    for index in range(count):
        notifier.rebuild(server, 'compute2', 'end')
        late = started + (index + 1) / rate - time.monotonic()
        if late > 0:
            time.sleep(late)
    notifier.stop(timeout=60)


# --- the budget --------------------------------------------------------------
def _nova_unit(units, requests):
    """ms per Nova call alone, weighted by the recovery's mix of reads and
    actions."""
    actions = sum(count for route, count in requests.items()
                  if route.startswith(('POST', 'PUT', 'DELETE')))
    reads = sum(requests.values()) - actions
    if not actions + reads:
        return units['nova_get']
    return ((reads * units['nova_get'] + actions * units['nova_action'])
            / (reads + actions))


def budget(result):
    """The page's rows: per kind, calls and CPU ms per instance in the
    recovery, ms per call there and alone, and the floor."""
    n = result['recovery']['n']
    spent = result['engine']
    units = dict(result['units'])
    units['nova'] = _nova_unit(units, result['recovery']['nova_requests'])
    calls_by_kind = {kind: 0 for kind, _, _ in KINDS}
    for target, count in spent['calls'].items():
        for kind, targets in result['probe_kinds'].items():
            if target in targets and kind != 'nova_events':
                calls_by_kind[kind] += count
    # A message is one dispatch; the poller's wake-ups are its cost.
    calls_by_kind['nova_events'] = spent['calls'].get(EVENT_DISPATCH, 0)
    rows = []
    for kind, title, unit in KINDS:
        calls = calls_by_kind[kind] / n
        ms = 1000 * spent['cpu'].get(kind, 0.0) / n
        alone = units.get(unit) if unit else None
        rows.append({
            'kind': kind, 'title': title, 'calls': calls, 'ms': ms,
            'ms_per_call': ms / calls if calls else None,
            'alone': alone,
            'floor': calls * alone if alone is not None else None})
    counted = sum(row['ms'] for row in rows)
    total = 1000 * spent['process_cpu'] / n
    rows.append({'kind': 'rest', 'title': "the engine's own work (threads, "
                 'flows, waits, records)', 'calls': None,
                 'ms': total - counted, 'ms_per_call': None, 'alone': None,
                 'floor': None})
    return {'rows': rows, 'total': total,
            'floor': sum(row['floor'] or 0.0 for row in rows),
            'needed': sum(row['ms'] for row in rows
                          if row['alone'] is not None)}


# --- cores -------------------------------------------------------------------
def _tree(process):
    """A benchmark Process and its descendants, as psutil processes."""
    try:
        parent = psutil.Process(process.pid)
        return [parent] + parent.children(recursive=True)
    except psutil.Error:
        return []


def pin(processes, cpus):
    """Run every thread of ``processes`` on ``cpus`` only (threads made
    later inherit the mask of the thread that makes them)."""
    for process in processes:
        with contextlib.suppress(psutil.Error, OSError):
            for thread in process.threads():
                os.sched_setaffinity(thread.id, cpus)


def split_cores(own, engine_cpus, all_cpus):
    """The engine on ``engine_cpus``; the simulator, API, broker,
    PostgreSQL and this process (the BMC emulators) on the rest of
    ``all_cpus`` (on all of them when nothing is left)."""
    others = set(all_cpus) - set(engine_cpus) or set(all_cpus)
    pin([p for engine in own.engines for p in _tree(engine)], engine_cpus)
    rest = [psutil.Process()]
    for part in (own.api, own.simulator, own.rabbit):
        if part is not None:
            rest.extend(_tree(part.process))
    rest.extend(p for p in psutil.process_iter(['name'])
                if p.info['name'] == 'postgres')
    pin(rest, others)
    return sorted(others)


# --- one run -----------------------------------------------------------------
def run(setting_name, n, p, duration, engine_pythonpath=None,
        engine_cpus=None, units=None):
    """One recovery measured with the probe; the operations at best are
    measured after it unless ``units`` (of an earlier run) are given."""
    setting = {s.name: s for s in recovery_settings.SETTINGS}[setting_name]
    run_dir = tempfile.mkdtemp(prefix='masakari-budget-')
    probe_path = os.path.join(run_dir, 'cpu-probe.json')
    path = os.pathsep.join(filter(None, [str(PROBE_DIR), engine_pythonpath]))
    env = {'PYTHONPATH': path, 'MASAKARI_CPU_PROBE': probe_path}
    with contextlib.ExitStack() as stack:
        own = stack.enter_context(services.Stack(run_dir=run_dir,
                                                 engine_env=env))
        fencing = None
        if setting.fenced:
            fencing = fencing_.Fencing(os.path.join(run_dir, 'bmcs.yaml'))
            stack.callback(fencing.stop)
        options = {(None, 'host_failure_recovery_threads'): p}
        options.update(setting.options(fencing.path if fencing else None))
        own.start_engine(options)
        cloud = recovery.Cloud(own.api_url, own.simulator.admin_url)
        recovery.warm_up(cloud)
        cloud.sim('POST', '/reset')
        probes = recovery.stack_probes(own)
        stack.callback(probes.close)
        all_cpus = os.sched_getaffinity(0)
        others = (split_cores(own, engine_cpus, all_cpus) if engine_cpus
                  else None)
        before = read_snapshot(probe_path, time.time())
        result = recovery_run.run_once(cloud, n, p, duration, probes,
                                       setting, fencing)
        after = read_snapshot(probe_path, time.time())
        spent = difference(before, after)
        if engine_cpus:
            split_cores(own, all_cpus, all_cpus)
        simulator = cloud.sim('GET', '/settings')
        if units is None:
            vmove_uuid = _a_vmove(cloud, cloud.api(
                'GET', '/notifications?limit=1'))
            units = measure_units(own, cloud, vmove_uuid, run_dir)
        engine = conditions.engine(options, 'redfish' if fencing else None)
    from benchmarks.engine_probe import cpu_probe
    return {
        'git': conditions.git_state(ROOT), 'machine': machine.describe(),
        'setting': setting_name, 'setting_title': setting.title,
        'conditions': {'engine': engine,
                       'simulator': simulator},
        'recovery': {key: result.get(key) for key in (
            'n', 'p', 'seconds', 'lower_bound', 'ratio', 'nova_requests',
            'nova_requests_per_instance', 'cpu_ms_per_instance',
            'rows_written_per_instance')},
        'engine': spent, 'probe_kinds': cpu_probe.KINDS, 'units': units,
        'cores': {'engine': sorted(engine_cpus), 'others': others}
        if engine_cpus else None,
        'load_average': machine.load_average()}


def _a_vmove(cloud, listing):
    notification = listing['notifications'][0]['notification_uuid']
    return cloud.api('GET', '/notifications/%s/vmoves?limit=1'
                     % notification)['vmoves'][0]['uuid']


# --- the page ----------------------------------------------------------------
def _ms(value, digits=2):
    return '-' if value is None else '%.*f' % (digits, value)


def render(results):
    """The page: the method once, then one section per run."""
    first = results['runs'][0]
    out = [
        '..\n   Generated by ``python -m benchmarks.cpu_budget`` from\n'
        '   benchmarks/results/cpu_budget.json; do not edit.\n',
        rst.title("Where the engine's CPU goes", '='),
        rst.para(
            'A host recovery in the *%s* setting of :doc:`performance` '
            '(N = %d instances, P = %d), with a probe in the engine that '
            'splits its CPU time by kind of work (each call counted once, '
            'in the outermost kind). Then each kind\'s operation at its '
            'best, on the same machine and stack: alone, one thread, back '
            'to back, %d calls after %d to warm up: a Nova read and a Nova '
            'action (lock or unlock) against the simulator without API '
            'latency, a vmove write to the same PostgreSQL, a log line to '
            'a file, and %d of Nova\'s events heard by the engine\'s '
            'listener, %.0f a second. *Floor*: calls per instance × cost '
            'at best, what these libraries cost per instance whatever the '
            'engine does around them. The goal is at most %.0f ms per '
            'instance.'
            % (first['setting_title'], first['recovery']['n'],
               first['recovery']['p'], UNIT_CALLS, WARM_UP, EVENT_COUNT,
               EVENT_RATE, GOAL_MS)),
        conditions.describe(first['conditions'], first['git']),
        rst.bullet('Machine: %s, %s cores.'
                   % (first['machine'].get('cpu'),
                      first['machine'].get('cores'))) + '\n\n',
    ]
    for result in results['runs']:
        out.append(render_run(result))
    return '\n'.join(out)


def _cores(result):
    cores = result.get('cores')
    if not cores:
        return 'Cores shared', ('every process of the stack shares the '
                                'machine\'s cores')
    return ('The engine on a core of its own',
            'the engine runs on core(s) %s, the simulator, API, broker, '
            'PostgreSQL and BMC emulators on core(s) %s, as on a cloud '
            'where Nova runs on other machines (if the other processes '
            'made the engine\'s calls dearer, they would cost less here)'
            % (', '.join(map(str, cores['engine'])),
               ', '.join(map(str, cores['others']))))


def render_run(result):
    plan = budget(result)
    recovered = result['recovery']
    units = result['units']
    nova_rows = [row for row in plan['rows'] if row['kind'] == 'nova_calls']
    inflation = [row['ms_per_call'] / row['alone'] for row in plan['rows']
                 if row['ms_per_call'] and row['alone']]
    title, cores = _cores(result)
    rows = [[row['title'], _ms(row['calls'], 1), _ms(row['ms']),
             _ms(row['ms_per_call'], 3), _ms(row['alone'], 3),
             _ms(row['floor'])] for row in plan['rows']]
    rows.append(['total', '', _ms(plan['total']), '', '',
                 _ms(plan['floor'])])
    return '\n'.join([
        rst.title(title, '-'),
        rst.para('Here %s. The recovery took %.2f s (bound %.2f s); load '
                 'average %.1f at the end.'
                 % (cores, recovered['seconds'] or 0,
                    recovered['lower_bound'] or 0,
                    result.get('load_average') or 0)),
        rst.table(['kind of work', 'calls / instance', 'CPU ms / instance',
                   'ms / call in the recovery', 'ms / call at best',
                   'floor ms / instance'], rows),
        rst.para(
            'The engine used %.1f ms of CPU per recovered instance (%.1f '
            'measured from outside by the benchmark). The operations it '
            'cannot do without cost %.1f ms per instance in the recovery, '
            'and %.1f ms at best (the floor): the goal of %.0f ms %s. In '
            'the recovery they cost %s times what they cost at best. A '
            'Nova call at best: %.3f ms to read a server, %.3f ms for an '
            'action; a read alone with the setting\'s API latency: %.3f '
            'ms (most likely a thread that waited for Nova resumes with '
            'cold caches). '
            '%.1f Nova calls per instance%s.'
            % (plan['total'],
               (recovered.get('cpu_ms_per_instance') or {}).get('engine', 0),
               plan['needed'], plan['floor'], GOAL_MS,
               _goal_verdict(plan), '%.1f–%.1f' % (
                   min(inflation), max(inflation)) if inflation else '-',
               units['nova_get'], units['nova_action'],
               units.get('nova_get_with_latency') or 0,
               nova_rows[0]['calls'] if nova_rows else 0,
               _requests(recovered.get('nova_requests') or {},
                         recovered['n']))),
    ])


def _goal_verdict(plan):
    if plan['floor'] > GOAL_MS:
        return 'is below even the floor'
    if plan['needed'] > GOAL_MS:
        return ('is below what they cost in the recovery, and leaves %.1f '
                'ms above the floor for everything else'
                % (GOAL_MS - plan['floor']))
    return 'leaves %.1f ms for the engine\'s own work' % (
        GOAL_MS - plan['needed'])


def _requests(by_route, n):
    if not by_route:
        return ''
    return ' (%s)' % ', '.join(
        '%s %.2f' % (route, count / n)
        for route, count in sorted(by_route.items(), key=lambda i: -i[1]))


def _core_layouts(spec):
    """None (cores shared), then the engine's own cores when asked for
    and the machine has more than one."""
    cpus = sorted(os.sched_getaffinity(0))
    if spec == 'none' or len(cpus) < 2:
        return [None]
    if spec == 'last':
        return [None, {cpus[-1]}]
    return [None, {int(cpu) for cpu in spec.split(',')}]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--setting', default='fenced',
                        choices=[s.name for s in recovery_settings.SETTINGS])
    parser.add_argument('--n', type=int, default=200)
    parser.add_argument('--threads', type=int, default=20)
    parser.add_argument('--evacuate-seconds', type=float,
                        default=recovery.FULL_L)
    parser.add_argument('--engine-pythonpath', metavar='DIR')
    parser.add_argument('--engine-cpus', default='last',
                        help="the second run's cores for the engine: "
                             "'last' (the machine's last core), a comma "
                             "separated list, or 'none' (no second run)")
    parser.add_argument('--out', default=str(RESULTS))
    parser.add_argument('--page', default=str(PAGE))
    parser.add_argument('--render-only', action='store_true')
    parser.add_argument('--publish', nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.publish:
        url, count, rate = args.publish
        publish(url, int(count), float(rate))
        return 0
    if not args.render_only:
        runs = []
        for engine_cpus in _core_layouts(args.engine_cpus):
            runs.append(run(args.setting, args.n, args.threads,
                            args.evacuate_seconds, args.engine_pythonpath,
                            engine_cpus, runs[0]['units'] if runs else None))
        cli.write_json(args.out, {'runs': runs})
    with open(args.out) as handle:
        pathlib.Path(args.page).write_text(render(json.load(handle)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
