"""masakari-aio: the API, the engine and a Nova simulator in one process.

``masakari-aio demo`` fails a simulated compute host and shows masakari
recovering its instances; ``--keep-running`` leaves the stack up afterwards.
"""

import argparse
import os
import signal
import sys
import tempfile
import threading

from masakari.aio import scenario
from masakari.aio import stack as aio_stack
from masakari.common import config


def _parse(argv):
    parser = argparse.ArgumentParser(prog='masakari-aio',
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    demo = sub.add_parser('demo', help='fail a host and watch the recovery')
    demo.add_argument('--servers', type=int, default=8,
                      help='servers on the failing host (default 8)')
    demo.add_argument('--non-ha', type=int, default=2,
                      help='how many of them are not HA-enabled (default 2)')
    demo.add_argument('--hosts', type=int, default=4,
                      help='compute hosts in the segment (default 4)')
    demo.add_argument('--reserved', type=int, default=1,
                      help='reserved (spare) hosts (default 1)')
    demo.add_argument('--recovery-method', default='auto',
                      choices=['auto', 'reserved_host', 'auto_priority',
                               'rh_priority'])
    demo.add_argument('--evacuate-seconds', default='1:3',
                      help='simulated evacuation time, SECONDS or MIN:MAX')
    demo.add_argument('--threads', type=int, default=4,
                      help='evacuations in parallel (default 4)')
    demo.add_argument('--evacuate-all', action='store_true',
                      help='also evacuate servers that are not HA-enabled')
    demo.add_argument('--port', type=int, default=15868,
                      help='API port (a free one is used if taken)')
    demo.add_argument('--state-dir',
                      help='where the SQLite database goes (default: a new '
                           'temporary directory)')
    demo.add_argument('--keep-running', action='store_true',
                      help='keep serving after the demo, until Ctrl-C')
    demo.add_argument('--seed', type=int, help='random seed of the cloud')
    demo.add_argument('--debug', action='store_true', help='verbose logs')
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse(sys.argv[1:] if argv is None else argv)
    state_dir = args.state_dir or tempfile.mkdtemp(prefix='masakari-aio-')
    log_file = os.path.join(state_dir, 'masakari.log')
    # The live view owns the terminal; the services log to a file.
    config.parse_args(['--log-file', log_file] +
                      (['--debug'] if args.debug else []),
                      default_config_files=[])
    engine_options = {
        ('host_failure', 'force_down_failed_host'): True,
        ('host_failure', 'evacuate_all_instances'): args.evacuate_all,
        (None, 'host_failure_recovery_threads'): args.threads,
    }
    out = sys.stdout
    with aio_stack.AllInOne(
            state_dir, api_port=args.port, seed=args.seed,
            simulator_settings={'evacuate_duration': args.evacuate_seconds},
            engine_options=engine_options) as stack:
        out.write('masakari API:   %s/v1  (noauth2: no token needed)\n'
                  % stack.api_url)
        out.write('Nova simulator: %s\n' % stack.simulator.url)
        out.write('Database:       %s/masakari.sqlite\n' % state_dir)
        out.write('Logs:           %s\n\n' % log_file)
        result = scenario.run(
            stack, out, servers=args.servers, non_ha=args.non_ha,
            hosts=args.hosts, reserved=args.reserved,
            recovery_method=args.recovery_method,
            evacuate_all=args.evacuate_all)
        scenario.print_summary(result, stack, out)
        if args.keep_running:
            out.write('\nStill serving. Try:\n  openstack --os-auth-type none '
                      '--os-endpoint %s/v1 segment list\n'
                      'Ctrl-C stops.\n' % stack.api_url)
            out.flush()
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                stop.wait()
            except KeyboardInterrupt:
                pass
    return 0 if result.ok else 1


if __name__ == '__main__':
    sys.exit(main())
