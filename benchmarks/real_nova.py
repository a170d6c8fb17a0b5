"""Host recoveries against a real Nova (openstack-lite), timed from the
failure: the real-Nova rows of the performance page.

For each configuration (``CONFIGS``) and size N, on the stack that
``tools/openstack-lite`` brings up (Keystone, Placement, Nova with the
fake virt driver, three computes), this boots N HA servers on
``compute1``, makes it fail and has masakari recover it:

* ``defaults``: the shipped defaults — no fencing, no force-down, no
  Nova events. ``compute1``'s nova-compute is killed and the host
  monitor's notification posted at once; the engine waits for Nova to
  report the service down.
* ``fenced``: the host monitor reports ``compute1`` while its
  nova-compute still runs; a Redfish BMC (the project's emulator) powers
  it off, which kills that nova-compute; the engine then forces the
  service down and evacuates; Nova's versioned notifications on.

An observer reads Nova every ``POLL`` seconds (one servers listing, one
services listing) to see when Nova reports the service down and when each
server is ACTIVE elsewhere; what the observer asks of Nova is subtracted
from nova-api's request count. The bound of a row is physical: Nova's
down detection as observed (defaults) or the BMC's power-off (fenced),
plus the least time P slots need for the evacuations Nova did (the longest,
or their total over P), timed by Nova's own notifications (``NovaClock``).

Run: ``python -m benchmarks.real_nova`` (as root on a fresh machine it
installs openstack-lite first, as the e2e suite does). Writes
``benchmarks/results/real_nova.json`` and
``doc/source/reference/real-nova.rst``.
"""

import argparse
import datetime
import json
import math
import os
import pathlib
import re
import statistics
import tempfile
import threading
import time

import oslo_messaging

from benchmarks import cli
from benchmarks import conditions
from benchmarks import machine
from benchmarks import recovery_run
from benchmarks import rst
from masakari.engine.evacuation import nova_events
from masakari.simulator.bmc.redfish import RedfishBMC
from masakari.simulator import notifications
from masakari.tests.e2e.openstack.stack import Stack
from masakari.tests.fixtures.bmc import write_inventory

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / 'benchmarks' / 'results' / 'real_nova.json'
PAGE = ROOT / 'doc' / 'source' / 'reference' / 'real-nova.rst'
FAILED, P = 'compute1', 3
POLL = 0.25
CONFIGS = {
    'defaults': {'host_failure': {'force_down_failed_host': 'false',
                                  'evacuation_watch_interval': '0.5'},
                 'nova_events': {'enabled': 'false'}},
    'fenced': {'host_failure': {'evacuation_watch_interval': '0.5'},
               'nova_events': {'enabled': 'true'}},
}
# What masakari-hostmonitor posts for a host that went down.
HOST_DOWN = {'event': 'STOPPED', 'host_status': 'NORMAL',
             'cluster_status': 'OFFLINE'}
NOVA_VERSION = '34.0.0'     # tools/openstack-lite/requirements.txt
REQUEST_LINE = re.compile(r'\] (GET|POST|PUT|DELETE|PATCH|HEAD) /')
# The engine's log: an evacuation's end heard from Nova, a request sent.
LOG_TIME = r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) '
HEARD_END = re.compile(
    LOG_TIME + r".*Evacuation of (\S+) ended \(Nova's", re.M)
ASKED = re.compile(LOG_TIME + r'.*Nova call: evacuate server (\S+)', re.M)


class Observer(threading.Thread):
    """What Nova shows, every POLL s: when the failed host's service reads
    down, and when each server is first ACTIVE on another host
    (wall-clock times)."""

    def __init__(self, conn, server_ids):
        super().__init__(daemon=True)
        self.conn, self.ids = conn, set(server_ids)
        self.down_at = None
        self.active_at = {}
        self.requests = 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set() and len(self.active_at) < len(self.ids):
            now = time.time()
            self._look(now)
            self._halt.wait(POLL)

    def _look(self, now):
        services = list(self.conn.compute.services(binary='nova-compute',
                                                   host=FAILED))
        servers = list(self.conn.compute.servers(details=True,
                                                 all_projects=True))
        self.requests += 2
        if self.down_at is None and services and services[0].state == 'down':
            self.down_at = now
        for server in servers:
            if server.id not in self.ids:
                continue
            if (server.status == 'ACTIVE' and server.task_state is None and
                    server.compute_host != FAILED):
                self.active_at.setdefault(server.id, now)

    def stop(self):
        self._halt.set()
        self.join(30)


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def nova_requests_since(log_path, offset):
    with open(log_path, errors='replace') as handle:
        handle.seek(offset)
        return sum(1 for line in handle if REQUEST_LINE.search(line))


def recover_once(stack, clock, config, n):
    segment = stack.create_segment('bench-%s-%d' % (config, n), 'auto',
                                   stack.layout.computes)
    servers = [stack.boot('bench-%d' % i, FAILED, ha=True)
               for i in range(n)]
    bmc = None
    try:
        stack.wait_servers(servers, timeout=300)
        nova_log = os.path.join(stack.layout.logs, 'nova-api.log')
        offset = os.path.getsize(nova_log)
        engine_pid = stack.engine.process.pid
        cpu0 = cpu_seconds(engine_pid)
        observer = Observer(stack.conn, [s.id for s in servers])
        if config == 'fenced':
            bmc = RedfishBMC(FAILED)
            bmc.on_power_off = lambda: stack.kill_compute(FAILED)
            bmc.start()
            write_inventory(stack.bmc_inventory,
                            {FAILED: bmc.inventory_entry()})
            failed_at = None
        else:
            stack.kill_compute(FAILED)
            failed_at = time.time()
        observer.start()
        posted_at = time.time()
        mono_posted = time.monotonic()
        notification = stack.notify('COMPUTE_HOST', FAILED, HOST_DOWN)
        final = stack.wait_notification(notification)
        observer.join(120)
        observer.stop()
        cpu = cpu_seconds(engine_pid) - cpu0
        requests = nova_requests_since(nova_log, offset) - observer.requests
        assert final.status == 'finished', stack.failure_report(final)
        assert len(observer.active_at) == n, 'not every server seen ACTIVE'
        if bmc is not None:
            fence = bmc.powered_off_at[0] - mono_posted
            failed_at = posted_at + fence
        times = clock.times([server.id for server in servers])
        engine_log = stack.engine.log()
        reactions = engine_reactions(engine_log, posted_at)
        in_nova = seen_in_nova(engine_log, posted_at)
        durations = [ended - accepted for accepted, ended in times]
        handoffs = recovery_run.slot_handoffs(
            sorted(ended for _, ended in times),
            sorted(accepted for accepted, _ in times), P)
        return {
            'config': config, 'n': n, 'p': P,
            'load_average': machine.load_average(),
            'failure_to_down': (round(observer.down_at - failed_at, 2)
                                if observer.down_at else None),
            'fence_seconds': round(fence, 2) if bmc is not None else None,
            'post_to_first': round(min(observer.active_at.values())
                                   - posted_at, 2),
            'post_to_last': round(max(observer.active_at.values())
                                  - posted_at, 2),
            'failure_to_last': round(max(observer.active_at.values())
                                     - failed_at, 2),
            'evacuation_median': round(statistics.median(durations), 2)
            if durations else None,
            'evacuation_seconds': [round(d, 2) for d in sorted(durations)],
            # From an evacuation's end to Nova accepting the next one
            # (the k-th end frees a slot for the (k+P)-th): the engine's
            # reaction plus nova-api's handling of the request.
            'slot_handoff_mean': round(statistics.mean(handoffs), 2)
            if handoffs else None,
            'engine_reaction_mean': round(statistics.mean(reactions), 3)
            if reactions else None,
            'seen_in_nova_seconds': [round(d, 2) for d in sorted(in_nova)],
            'engine_cpu_ms_per_instance': round(1000 * cpu / n, 1),
            'nova_requests_per_instance': round(requests / n, 1),
        }
    finally:
        if bmc is not None:
            write_inventory(stack.bmc_inventory, {})
            bmc.stop()
        stack.restore_compute(FAILED)
        stack.delete_servers(servers)
        stack.delete_segment(segment)


def _logged(pattern, log_text, since):
    """(time, server) of the engine's log lines matching ``pattern`` from
    ``since`` (wall time) on, in order; oslo.log writes local time."""
    found = ((datetime.datetime.fromisoformat(m.group(1)).timestamp(),
              m.group(2)) for m in pattern.finditer(log_text))
    return sorted(item for item in found if item[0] >= since)


def engine_reactions(log_text, since, within=2.0):
    """Seconds from the engine hearing an evacuation's end (Nova's event)
    to its next evacuation request, for ends heard after ``since`` that
    another request followed within ``within`` s: the engine's own part
    of a slot handoff."""
    asked = [when for when, _ in _logged(ASKED, log_text, since)]
    reactions = []
    for heard, _ in _logged(HEARD_END, log_text, since):
        after = [t - heard for t in asked if t >= heard]
        if after and after[0] <= within:
            reactions.append(after[0])
    return reactions


def seen_in_nova(log_text, since):
    """Seconds each evacuation spent in Nova as the engine saw it: from
    sending the request to hearing Nova's event of its end (nova-api's
    handling and the event's way over the bus included)."""
    asked = {server: when for when, server in _logged(ASKED, log_text,
                                                      since)}
    return [heard - asked[server]
            for heard, server in _logged(HEARD_END, log_text, since)
            if server in asked]


class NovaClock:
    """When Nova accepted and ended each evacuation, from its versioned
    notifications (``instance.evacuate`` from nova-api, then
    ``instance.rebuild.end``), to the microsecond; Nova's own records
    (``os-migrations``) keep whole seconds only."""

    def __init__(self, transport_url):
        self.accepted, self.ended = {}, {}
        self._lock = threading.Lock()
        target = oslo_messaging.Target(topic=notifications.TOPIC,
                                       exchange=notifications.EXCHANGE)
        self._server = oslo_messaging.get_notification_listener(
            notifications.notification_transport(transport_url,
                                                 notifications.EXCHANGE),
            [target], [self], executor='threading',
            pool='real-nova-benchmark')

    def start(self):
        self._server.start()

    def stop(self):
        self._server.stop()
        self._server.wait()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        event = nova_events.parse(event_type, payload)
        if event is None:
            return
        when = recovery_run.parse_time(metadata['timestamp'])
        with self._lock:
            if event_type == 'instance.evacuate':
                self.accepted[event.instance_uuid] = when
            elif event_type == 'instance.rebuild.end':
                self.ended[event.instance_uuid] = when

    def times(self, server_ids, timeout=30.0):
        """(accepted, ended) of each server's evacuation, for those both
        were heard of (waiting up to ``timeout`` for the last ones)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if all(s in self.accepted and s in self.ended
                       for s in server_ids):
                    break
            time.sleep(0.1)
        with self._lock:
            return [(self.accepted[s], self.ended[s]) for s in server_ids
                    if s in self.accepted and s in self.ended]


def evacuations_bound(durations, p):
    """The least time P slots need for evacuations of these durations:
    the longest one, or their total shared by P, whichever is more."""
    return max(max(durations), sum(durations) / p) if durations else 0.0


def bound(row, durations='evacuation_seconds'):
    """The physical bound from the clock's start (failure or POST), the
    evacuations taking ``durations`` (Nova's own times by default)."""
    if row.get(durations):
        evacuations = evacuations_bound(row[durations], row['p'])
    else:  # rows measured before Nova's records were read
        evacuations = math.ceil(row['n'] / row['p']) * (
            row['evacuation_median'] or 0.0)
    if row['config'] == 'fenced':
        return row['fence_seconds'] + evacuations
    return (row['failure_to_down'] or 0.0) + evacuations


def _machine(facts):
    return '%s, %s cores, %s GiB, %s, Python %s' % (
        facts.get('cpu'), facts.get('cores'), facts.get('memory_gib'),
        facts.get('os'), facts.get('python'))


def render(result):
    layout = result['layout']
    out = [
        '..\n   Generated by ``python -m benchmarks.real_nova`` from\n'
        '   benchmarks/results/real_nova.json; do not edit.\n',
        rst.title('Host recovery against a real Nova', '='),
        rst.para(
            'Each row: N HA servers on ``%s`` of the project\'s '
            'openstack-lite (Nova %s with the fake virt driver, three '
            'computes), the host fails, masakari recovers it. Times are '
            'seconds, read from Nova by an observer every %g s (so each '
            'is up to %g s late). ``defaults``: the shipped defaults (no '
            'fencing, no force-down, no Nova events), the compute killed '
            'and the notification posted at once; the clock starts at the '
            'kill. ``fenced``: Redfish fencing through the project\'s BMC '
            'emulator, whose power-off kills the compute, then force-down, '
            'with Nova\'s events; the clock starts at the power-off.'
            % (FAILED, layout.get('nova_version', '?'), POLL, POLL)),
        rst.para(
            'Nova here reports a service down %s s after its last '
            'heartbeat (``service_down_time``; production Nova: 60) with a '
            'heartbeat every %s s (``report_interval``; production: 10). '
            'The bound is Nova\'s down detection as observed (defaults) or '
            'the BMC\'s power-off (fenced), plus the least time P '
            'evacuation slots need for the evacuations Nova did: the '
            'longest one or their total divided by P, whichever is more, '
            'with each evacuation\'s time from Nova\'s own notifications '
            '(``instance.evacuate`` from nova-api to '
            '``instance.rebuild.end``); L is the median of those times. '
            'The load average (1 min, at the end of the row) says how busy '
            'the machine was: this 2-core machine runs all of OpenStack '
            'and masakari.'
            % (layout['service_down_time'], layout['report_interval'])),
        conditions.describe({'engine': result['engine']}, result['git']),
        rst.bullet('Machine: %s.' % _machine(result['machine'])) + '\n\n',
    ]
    rows = []
    for row in result['rows']:
        rows.append([
            row['config'], str(row['n']),
            '%s' % (row['failure_to_down'] if row['config'] == 'defaults'
                    else row['fence_seconds']),
            '%.2f' % row['post_to_first'], '%.2f' % row['post_to_last'],
            '%.2f' % row['failure_to_last'], '%.2f' % bound(row),
            '%.2f' % (row['failure_to_last'] - bound(row)),
            '%.2f' % (row['failure_to_last'] / bound(row)),
            '%s' % row['evacuation_median'],
            '%s' % (row.get('slot_handoff_mean') or '-'),
            '%s' % (row.get('engine_reaction_mean') or '-'),
            '%s' % row['engine_cpu_ms_per_instance'],
            '%s' % row['nova_requests_per_instance'],
            '%.1f' % (row.get('load_average') or 0)])
    out.append(rst.table(
        ['config', 'N', 'down seen / fenced (s)', 'POST → first ACTIVE',
         'POST → last ACTIVE', 'failure → last ACTIVE', 'bound',
         'above the bound', 'ratio', 'L (median)', 'slot handoff (mean)',
         "engine's part (mean)", 'engine CPU ms / instance',
         'Nova requests / instance', 'load average'], rows))
    out.append('\n' + rst.para(
        '*Slot handoff*: from the end of one evacuation in Nova '
        '(``instance.rebuild.end``) to Nova accepting the evacuation that '
        'took its slot (``instance.evacuate``; the k-th end frees a slot '
        'for the (k+P)-th): the engine noticing the end and asking for the '
        'next, plus nova-api\'s handling of that request. *Engine\'s '
        'part*: from the engine\'s log, from hearing Nova\'s event of an '
        'end to sending the next evacuation request (rows with events '
        'only); the rest of the handoff is the event\'s way over the bus '
        'and nova-api. Target of the '
        'fenced rows, the bound + 1 s: %s.' % '; '.join(
            'N=%d %s' % (row['n'], 'met' if row['failure_to_last'] <=
                         bound(row) + 1.0 else 'missed')
            for row in result['rows'] if row['config'] == 'fenced')))
    seen = [row for row in result['rows'] if row.get('seen_in_nova_seconds')]
    if seen:
        out.append('\n' + rst.para(
            'Nova\'s time as the engine sees it, from sending an '
            'evacuation request to hearing Nova\'s event of its end, so '
            'with nova-api\'s handling of the request and the event\'s way '
            'over the bus: %s. With those times the bound becomes: %s.'
            % ('; '.join('%s N=%d median %.2f s' % (
                row['config'], row['n'],
                statistics.median(row['seen_in_nova_seconds']))
                for row in seen),
               '; '.join('%s N=%d %.2f s (ratio %.2f)' % (
                   row['config'], row['n'],
                   bound(row, 'seen_in_nova_seconds'),
                   row['failure_to_last'] /
                   bound(row, 'seen_in_nova_seconds')) for row in seen))))
    return '\n'.join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='4,16',
                        help='the N values, comma separated')
    parser.add_argument('--out', default=str(RESULTS))
    parser.add_argument('--page', default=str(PAGE))
    parser.add_argument('--render-only', action='store_true',
                        help='write the page from the results file, '
                             'measuring nothing')
    args = parser.parse_args(argv)
    if args.render_only:
        with open(args.out) as handle:
            pathlib.Path(args.page).write_text(render(json.load(handle)))
        return
    sizes = [int(n) for n in args.sizes.split(',')]
    stack = Stack(pathlib.Path(tempfile.mkdtemp(prefix='real-nova-')))
    rows, clock = [], None
    try:
        stack.start()
        clock = NovaClock(stack.layout.transport_url)
        clock.start()
        for config, options in CONFIGS.items():
            stack.restart_masakari(options)
            for n in sizes:
                rows.append(recover_once(stack, clock, config, n))
                print(rows[-1], flush=True)
        layout = {'service_down_time': stack.layout.service_down_time,
                  'report_interval': stack.layout.report_interval,
                  'nova_version': NOVA_VERSION}
    finally:
        if clock is not None:
            clock.stop()
        stack.stop()
    result = {
        'git': conditions.git_state(ROOT), 'machine': machine.describe(),
        'engine': {'P': str(P), 'evacuation_watch_interval': '0.5',
                   'per row': 'see CONFIGS in benchmarks/real_nova.py'},
        'configs': CONFIGS, 'layout': layout, 'poll': POLL, 'rows': rows}
    cli.write_json(args.out, result)
    pathlib.Path(args.page).write_text(render(result))


if __name__ == '__main__':
    main()
