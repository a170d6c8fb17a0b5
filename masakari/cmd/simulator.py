"""``masakari-nova-simulator``: serve a simulated Nova on 127.0.0.1.

Builds a small cloud from the command line, prints the compute endpoint
and the admin endpoint, and serves until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from masakari.simulator import NovaSimulator
from masakari.simulator import notifications
from masakari.simulator.server import DEFAULT_THREADS
from masakari.simulator.settings import PROFILES, Duration

DEFAULT_PORT = 18774


def _host_spec(text: str) -> tuple[str, int, int]:
    """``NAME[:VCPUS[:MEMORY_MB]]``."""
    parts = text.split(':')
    if not parts[0] or len(parts) > 3:
        raise argparse.ArgumentTypeError(
            'expected NAME[:VCPUS[:MEMORY_MB]], got %r' % text)
    try:
        vcpus = int(parts[1]) if len(parts) > 1 else 16
        memory = int(parts[2]) if len(parts) > 2 else 32768
    except ValueError:
        raise argparse.ArgumentTypeError('vcpus and memory must be numbers')
    return parts[0], vcpus, memory


def _duration(text: str) -> Duration:
    try:
        return Duration.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _metadata(text: str) -> tuple[str, str]:
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError('expected KEY=VALUE, got %r' % text)
    return key, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='masakari-nova-simulator',
        description='Serve a simulated Nova compute API for Instance HA '
                    'testing (no authentication; loopback only).')
    parser.add_argument('--host', default='127.0.0.1',
                        help='loopback address to bind (default %(default)s)')
    parser.add_argument('--port', type=int, default=DEFAULT_PORT,
                        help='port, 0 for any free one (default %(default)s)')
    parser.add_argument('--threads', type=int, default=DEFAULT_THREADS,
                        help='HTTP server threads, the requests served at '
                             'once (default %(default)s)')
    parser.add_argument('--hosts', type=int, default=3, metavar='N',
                        help='create compute1..N (default %(default)s; '
                             'ignored with --host-spec)')
    parser.add_argument('--host-spec', action='append', type=_host_spec,
                        default=[], metavar='NAME[:VCPUS[:MEMORY_MB]]',
                        help='create this compute host (repeatable)')
    parser.add_argument('--vcpus', type=int, default=16,
                        help='vCPUs of each --hosts host')
    parser.add_argument('--memory-mb', type=int, default=32768,
                        help='RAM of each --hosts host')
    parser.add_argument('--servers-per-host', type=int, default=0,
                        metavar='N', help='seed N active servers per host')
    parser.add_argument('--flavor', default='m1.small',
                        help='flavor of seeded servers (default %(default)s)')
    parser.add_argument('--server-metadata', action='append',
                        type=_metadata, default=[], metavar='KEY=VALUE',
                        help='metadata of seeded servers, e.g. '
                             'HA_Enabled=True (repeatable)')
    parser.add_argument('--evacuate-seconds', type=_duration,
                        default=Duration(1.0, 1.0), metavar='MIN[:MAX]',
                        help='evacuation duration (default 1)')
    parser.add_argument('--power-seconds', type=_duration,
                        default=Duration(0.2, 0.2), metavar='MIN[:MAX]',
                        help='os-stop/os-start duration (default 0.2)')
    parser.add_argument('--boot-seconds', type=_duration,
                        default=Duration(0.3, 0.3), metavar='MIN[:MAX]',
                        help='boot duration (default 0.3)')
    parser.add_argument('--profile', choices=sorted(PROFILES),
                        default='default',
                        help='a named set of the realism knobs below '
                             '(realistic: 60 s down time and RPC timeout, '
                             '~50 ms API latency, 16 API requests at once, '
                             '0.1 s claims); the knobs given override it')
    parser.add_argument('--api-latency', type=_duration, default=None,
                        metavar='MIN[:MAX]',
                        help='added to every Nova API call (default 0)')
    parser.add_argument('--service-down-time', type=float, default=None,
                        help='seconds a failed host still reads up '
                             '(default 0; real Nova 60)')
    parser.add_argument('--rpc-timeout', type=float, default=None,
                        help='seconds PUT /os-services blocks for a dead '
                             'compute still reported up (real Nova 60)')
    parser.add_argument('--api-max-concurrent', type=int, default=None,
                        metavar='N',
                        help='Nova API requests served at once, more wait '
                             '(default 0: no bound)')
    parser.add_argument('--evacuate-claim-seconds', type=float,
                        default=None,
                        help="an evacuation's claim on its target host, "
                             'one at a time per host (default 0)')
    parser.add_argument('--notification-url', default=None, metavar='URL',
                        help="send Nova's versioned notifications of "
                             'evacuations to this oslo.messaging URL '
                             '(default: none sent)')
    parser.add_argument('--notification-topic',
                        default=notifications.TOPIC,
                        help='their topic (default %(default)s)')
    parser.add_argument('--seed', type=int, default=None,
                        help='seed ids and random durations')
    parser.add_argument('-v', '--verbose', action='store_true')
    return parser


def populate(sim: NovaSimulator, args: argparse.Namespace) -> None:
    specs = args.host_spec or [
        ('compute%d' % i, args.vcpus, args.memory_mb)
        for i in range(1, args.hosts + 1)]
    for name, vcpus, memory in specs:
        sim.state.add_host(name, vcpus=vcpus, memory_mb=memory)
        if args.servers_per_host:
            sim.state.add_servers(name, args.servers_per_host,
                                  flavor=args.flavor,
                                  metadata=dict(args.server_metadata))


def knob_settings(args: argparse.Namespace) -> dict:
    """The profile, then the realism knobs given on the command line."""
    given = {'api_latency': args.api_latency,
             'service_down_time': args.service_down_time,
             'rpc_response_timeout': args.rpc_timeout,
             'api_max_concurrent': args.api_max_concurrent,
             'evacuate_claim_time': args.evacuate_claim_seconds}
    return {'profile': args.profile,
            **{name: value for name, value in given.items()
               if value is not None}}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose
                        else logging.INFO)
    try:
        sim = NovaSimulator(
            args.host, args.port, seed=args.seed, threads=args.threads,
            evacuate_duration=args.evacuate_seconds,
            stop_duration=args.power_seconds,
            start_duration=args.power_seconds,
            boot_duration=args.boot_seconds,
            settings=knob_settings(args),
            notification_url=args.notification_url,
            notification_topic=args.notification_topic)
        populate(sim, args)
    except (ValueError, OSError) as exc:
        print('masakari-nova-simulator: %s' % exc, file=sys.stderr)
        return 2
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    sim.start()
    print('compute endpoint: %s' % sim.url, flush=True)
    print('admin endpoint: %s' % sim.admin_url, flush=True)
    try:
        stopping.wait()
    finally:
        sim.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
