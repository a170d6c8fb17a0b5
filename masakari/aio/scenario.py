"""The demo: fail a host and watch masakari bring its instances back.

Everything goes over HTTP as in a cloud: the scenario talks to the API with
openstacksdk, as masakari-monitors and operators do, and the engine talks
to the Nova simulator with python-novaclient. The outcome is checked from
the simulator's own state, not from what the engine reports.
"""

import dataclasses
import datetime
import time

from masakari.aio import progress
from masakari.simulator import checks

FINAL_STATUSES = ('finished', 'error', 'failed', 'ignored')
FAILED_HOST = 'compute1'


@dataclasses.dataclass
class ScenarioResult:
    status: str
    seconds: float
    rows: list
    problems: list

    @property
    def ok(self):
        return self.status == 'finished' and not self.problems


def connect(api_url):
    """An openstacksdk connection to the API, with no Keystone in the way."""
    from keystoneauth1 import noauth
    from keystoneauth1 import session
    import openstack

    return openstack.connection.Connection(
        session=session.Session(auth=noauth.NoAuth()),
        instance_ha_endpoint_override=api_url + '/v1')


def build_cloud(simulator, hosts, servers, non_ha, reserved):
    """Hosts in Nova, and servers on the host that is going to fail."""
    names = ['compute%d' % i for i in range(1, hosts + 1)]
    for name in names:
        simulator.add_host(name, vcpus=64, memory_mb=131072)
    spare = []
    for index in range(reserved):
        name = 'spare%d' % (index + 1)
        # Reserved hosts are kept disabled in Nova until masakari uses them.
        simulator.add_host(name, vcpus=64, memory_mb=131072, enabled=False,
                           disabled_reason='masakari reserved host')
        spare.append(name)
    ha_ids = simulator.add_servers(FAILED_HOST, servers - non_ha,
                                   name_prefix='ha-vm',
                                   metadata={'HA_Enabled': 'True'})
    plain_ids = simulator.add_servers(FAILED_HOST, non_ha,
                                      name_prefix='plain-vm')
    return names, spare, ha_ids, plain_ids


def register_segment(conn, recovery_method, names, spare):
    segment = conn.instance_ha.create_segment(
        name='aio-segment', recovery_method=recovery_method,
        service_type='COMPUTE', description='all-in-one demo')
    for name in names:
        conn.instance_ha.create_host(segment.uuid, name=name, type='COMPUTE',
                                     control_attributes='demo')
    for name in spare:
        conn.instance_ha.create_host(segment.uuid, name=name, type='COMPUTE',
                                     control_attributes='demo', reserved=True)
    return segment


def post_host_failure(conn):
    """What masakari-hostmonitor sends when Pacemaker sees a node die."""
    return conn.instance_ha.create_notification(
        type='COMPUTE_HOST', hostname=FAILED_HOST,
        generated_time=datetime.datetime.utcnow().isoformat(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL',
                 'cluster_status': 'OFFLINE'})


def watch(conn, simulator, notification_id, rows, timeout, out):
    view = progress.ProgressView(rows, stream=out)
    deadline = time.monotonic() + timeout
    status = 'new'
    while True:
        infos = {info['name']: info for info in simulator.servers_info()}
        status = conn.instance_ha.get_notification(notification_id).status
        view.update(infos, FAILED_HOST, status)
        if status in FINAL_STATUSES or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def verify(simulator, ha_ids, plain_ids, evacuate_all):
    """Problems seen in Nova itself; an empty list means success."""
    expected = list(ha_ids) + (list(plain_ids) if evacuate_all else [])
    problems = checks.evacuation_problems(
        [simulator.server_info(i) for i in expected], FAILED_HOST)
    if not evacuate_all:
        for server_id in plain_ids:
            info = simulator.server_info(server_id)
            if info['evacuations']:
                problems.append('%s is not HA-enabled but was evacuated'
                                % info['name'])
    return problems


def run(stack, out, servers=8, non_ha=2, hosts=4, reserved=1,
        recovery_method='auto', evacuate_all=False, timeout=300):
    simulator = stack.simulator.state
    conn = connect(stack.api_url)
    names, spare, ha_ids, plain_ids = build_cloud(simulator, hosts, servers,
                                                  non_ha, reserved)
    segment = register_segment(conn, recovery_method, names, spare)
    out.write('Segment %s (%s): hosts %s, reserved %s\n' % (
        segment.name, recovery_method, ', '.join(names),
        ', '.join(spare) or '-'))
    out.write('%d servers on %s (%d HA-enabled). Failing %s now.\n\n' % (
        servers, FAILED_HOST, len(ha_ids), FAILED_HOST))
    rows = [progress.InstanceRow(name=simulator.server_info(i)['name'],
                                 ha_enabled=i in ha_ids, source=FAILED_HOST)
            for i in ha_ids + plain_ids]
    simulator.fail_host(FAILED_HOST)
    started = time.monotonic()
    notification = post_host_failure(conn)
    status = watch(conn, simulator, notification.notification_uuid, rows,
                   timeout, out)
    seconds = time.monotonic() - started
    for row in rows:
        if not row.ha_enabled and not evacuate_all and row.phase == 'waiting':
            row.phase = 'skipped'
    return ScenarioResult(status, seconds, rows,
                          verify(simulator, ha_ids, plain_ids, evacuate_all))


def print_summary(result, stack, out):
    out.write('\nNotification ended %s after %.1f s.\n' % (result.status,
                                                         result.seconds))
    for row in result.rows:
        out.write('  %-22s %-9s %s -> %s\n' % (
            row.name, row.phase, row.source, row.target or '(stays)'))
    if result.problems:
        out.write('Problems seen in Nova:\n')
        for problem in result.problems:
            out.write('  - %s\n' % problem)
    else:
        out.write('Checked in Nova: every HA-enabled instance is ACTIVE on a '
                  'healthy host, evacuated exactly once.\n')
