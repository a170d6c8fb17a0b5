"""Load test: many host monitors post while operators page through the API.

K compute hosts (``--hosts``, each with ``--per-host`` HA instances) fail
at once; K monitor threads post one COMPUTE_HOST notification each (spread
over ``--ramp`` seconds, retrying 502/503/504 as masakari-monitors do)
while ``--operators`` threads list segments, hosts and notifications page
by page (marker/limit, sort keys, filters) and show single items, for as
long as the recoveries last. Printed and written as JSON: requests per
second, p50/p99 latency per kind of request, errors (any unexpected
status, traceback or broken page), whether every notification ended
``finished`` and whether Nova evacuated every HA instance exactly once.

The driver is ``benchmarks.loadgen`` (the e2e tests use it too).
Against running services (the simulator's admin API is ``.../simulator``;
the API's engines must talk to that simulator)::

    python -m benchmarks.loadtest --api-url http://127.0.0.1:15868 \\
        --simulator-url http://127.0.0.1:18774/simulator

Without URLs it starts its own production-like stack
(``benchmarks.services.Stack``: PostgreSQL, RabbitMQ, gunicorn with
``--api-workers`` workers and ``--engines`` engine processes).
"""

import argparse
import contextlib
import os
import sys
import time

from benchmarks import cli
from benchmarks import conditions
from benchmarks import machine
from benchmarks import services

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_JSON = os.path.join(ROOT, 'benchmarks', 'results', 'loadtest.json')
KIND_ORDER = ('create_notification', 'list_segments', 'list_hosts',
              'list_notifications', 'show')


def engine_options(args):
    return cli.engine_options(args.engine_option, {
        ('host_failure', 'evacuate_all_instances'): 'false',
        (None, 'notification_heartbeat_interval'): 2})


def wait_engines_consuming(stack, timeout=120):
    """Until every engine's log says it consumes its RPC topic: a cast
    sent before would reach no queue."""
    logs = [os.path.join(stack.run_dir, 'engine%s.log' % (
        '' if i == 0 else '-%d' % (i + 1))) for i in range(len(
            stack.engines))]

    def consuming():
        for path in logs:
            if not os.path.exists(path):
                return False
            with open(path) as handle:
                if 'is consuming from topic' not in handle.read():
                    return False
        return True
    if stack.separate_engine:
        services.wait_until(consuming, timeout, 'engines consuming')


def run(args, out=sys.stdout):
    from benchmarks import loadcloud
    from benchmarks import loadgen
    from masakari.simulator.client import SimulatorClient

    with contextlib.ExitStack() as stack:
        setup = {}
        if args.api_url:
            api_url, sim_url = args.api_url, args.simulator_url
        else:
            own = stack.enter_context(services.Stack(
                api_workers=args.api_workers, engines=args.engines,
                engine_options=engine_options(args)))
            wait_engines_consuming(own)
            api_url, sim_url = own.api_url, own.simulator.admin_url
            setup = {'db': own.db_backend,
                     'transport': own.transport.split(':')[0],
                     'api_workers': args.api_workers,
                     'engines': len(own.engines), 'run_dir': own.run_dir}
        sim = SimulatorClient(sim_url)
        if args.evacuate_seconds is not None:
            sim.call('PUT', '/settings',
                     {'evacuate_duration': args.evacuate_seconds})
        out.write('seeding %d hosts x %d HA instances...\n'
                  % (args.hosts, args.per_host))
        layout = loadcloud.build(api_url, sim, failing=args.hosts,
                                 per_host=args.per_host,
                                 segments=args.segments, token=args.token)
        load = loadgen.LoadRun(api_url, sim, layout,
                               operators=args.operators, ramp=args.ramp,
                               pause=args.pause, token=args.token)
        out.write('running: %d monitors, %d operators\n'
                  % (args.hosts, args.operators))
        started = time.monotonic()
        load_before = machine.load_average()
        result = load.run(monitor_timeout=args.timeout,
                          recovery_timeout=args.timeout)
        result['seconds'] = round(time.monotonic() - started, 2)
        # The machine may be shared: say how busy it was.
        result['load_average'] = [load_before, machine.load_average()]
    result['config'] = {
        'hosts': args.hosts, 'per_host': args.per_host,
        'segments': args.segments, 'operators': args.operators,
        'ramp_s': args.ramp, 'operator_pause_s': args.pause,
        'evacuate_seconds': args.evacuate_seconds,
        'external': bool(args.api_url)}
    result['stack'] = setup
    result['machine'] = machine.describe()
    result['git'] = conditions.git_state(ROOT)
    out.write(format_result(result))
    return result


def format_result(r):
    lines = ['%d requests in %.1fs: %.1f req/s, errors %d' % (
        r['requests'], r['wall_s'], r['rps'] or 0, r['errors'])]
    for kind in KIND_ORDER:
        k = r['kinds'].get(kind)
        if k:
            lines.append('  %-20s n=%-5d %6.1f req/s  p50 %7.1f ms  '
                         'p99 %7.1f ms  errors %d' % (
                             kind, k['count'], k['rps'], k['p50_ms'],
                             k['p99_ms'], k['errors']))
    n, e = r['notifications'], r['evacuations']
    lines.append('notifications: %d posted, %d finished, %d lost; all '
                 'finished: %s' % (n['posted'], n['finished'], n['lost'],
                                   r['all_finished']))
    lines.append('HA instances: %d, evacuated once %d, twice or more %d, '
                 'never %d' % (e['instances'], e['evacuated_once'],
                               e['double'], e['not_evacuated']))
    for text in r['error_samples'] + r['problems'][:10]:
        lines.append('  ! %s' % text)
    return '\n'.join(lines) + '\n'


def parser():
    p = argparse.ArgumentParser(prog='python -m benchmarks.loadtest',
                                description=__doc__.splitlines()[0])
    p.add_argument('--api-url', help='masakari API (default: start a stack)')
    p.add_argument('--simulator-url',
                   help='the simulator admin API, .../simulator')
    p.add_argument('--token', help='X-Auth-Token for the API (Keystone)')
    p.add_argument('--hosts', type=int, default=50,
                   help='failing hosts = monitors (default 50)')
    p.add_argument('--per-host', type=int, default=3,
                   help='HA instances per failing host (default 3)')
    p.add_argument('--segments', type=int, default=5,
                   help='segments the hosts are spread over (default 5)')
    p.add_argument('--operators', type=int, default=8,
                   help='operator threads listing and showing (default 8)')
    p.add_argument('--ramp', type=float, default=10.0,
                   help='seconds over which the monitors start (default 10)')
    p.add_argument('--pause', type=float, default=0.05,
                   help="an operator's think time between two walks, s")
    p.add_argument('--evacuate-seconds', type=float, default=1.0,
                   help='simulated evacuation time (default 1)')
    p.add_argument('--api-workers', type=int, default=4,
                   help='gunicorn workers of the started stack (default 4)')
    p.add_argument('--engines', type=int, default=2,
                   help='engine processes of the started stack (default 2)')
    p.add_argument('--engine-option', action='append', metavar='SEC.NAME=V',
                   help='extra engine option of the started stack '
                        '(repeatable)')
    p.add_argument('--timeout', type=float, default=600,
                   help='longest wait for the monitors, then the recoveries')
    p.add_argument('--json', default=DEFAULT_JSON,
                   help='write the result there (default %(default)s)')
    return p


def main(argv=None):
    args = cli.parse_args(parser(), argv, 'simulator_url')
    result = run(args)
    cli.write_json(args.json, result, sort_keys=True)
    ok = (result['errors'] == 0 and result['all_finished'] and
          not result['problems'])
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
