"""Real failures seen by the real masakari-monitors (22.0.0 from PyPI):
failure -> monitor -> this API (Keystone tokens of the masakari service
user) -> engine -> Nova.

The tests are collected through ``test_openstack.py``, which imports
them, so that they share its session and its stack (a module of their
own would, under ``--dist loadfile``, wait for that session to end and
bring the stack up a second time).
"""

import dataclasses
import datetime
import os
import signal
import time

import pytest

from masakari.tests.e2e.openstack.monitors import config
from masakari.tests.e2e.openstack.monitors import guest
from masakari.tests.e2e.openstack.monitors import libvirt
from masakari.tests.e2e.openstack.monitors import pacemaker
from masakari.tests.e2e.openstack.monitors import timings
from masakari.tests.e2e.conftest import free_port, wait_http

PROCESS_HOST = 'compute1'
INSTANCE_HOST = 'compute2'


def _record(stack, monitor, what, seconds):
    seconds = round(seconds, 1)
    timings.record(monitor, what, seconds)
    stack.results.record(monitor, what, seconds)


def _masakari_host(stack, segment, name):
    return next(h for h in stack.conn.instance_ha.hosts(segment.uuid)
                if h.name == name)


def wait_reported(stack, host, since, timeout=120, monitor=None):
    """The first notification the monitor sent for ``host`` (a host of
    this test's segment, so no other test's) created after ``since``."""
    deadline = time.monotonic() + timeout
    while True:
        found = [n for n in stack.conn.instance_ha.notifications(
                 source_host_uuid=host.uuid)
                 if n.created_at and _naive(n.created_at) >= since]
        if found:
            return min(found, key=lambda n: n.created_at)
        if time.monotonic() > deadline:
            raise AssertionError('no notification from %s within %ss%s' % (
                host.name, timeout,
                '\n' + monitor.report() if monitor else ''))
        time.sleep(0.2)


@dataclasses.dataclass
class Outcome:
    notification: object      # as the monitor's POST stored it
    final: object             # as the engine left it
    reported_at: float        # time.monotonic() when it showed in the API
    done_at: float            # ... and when its status was final


def follow(stack, host, since, monitor, expect='finished'):
    """The monitor's notification for ``host``, followed to its end;
    unless it ended ``expect``, fails with the services' and the
    monitor's logs."""
    notification = wait_reported(stack, host, since, monitor=monitor)
    reported_at = time.monotonic()
    final = stack.wait_notification(notification)
    done_at = time.monotonic()
    assert final.status == expect, (stack.failure_report(final)
                                    + monitor.report())
    return Outcome(notification, final, reported_at, done_at)


def _naive(value):
    parsed = datetime.datetime.fromisoformat(str(value).replace('Z', ''))
    return parsed.replace(tzinfo=None)


def _utcnow():
    # The API stores seconds only: compare from the second before.
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0) - datetime.timedelta(seconds=1)


def _process_monitor(monitors, tmp_path, watched, api):
    """A process monitor on PROCESS_HOST watching ``watched``, whose
    restart command always fails."""
    process_list = config.write_process_list(
        tmp_path / 'process_list.yaml', str(watched.path), 'false')
    conf = config.write_conf(tmp_path / 'masakarimonitors.conf', api,
                             process={'process_list_path': process_list})
    monitor = monitors('masakari-processmonitor', conf,
                       hostname=PROCESS_HOST)
    monitor.wait_log(r"Process '%s' is found" % watched.path,
                     what='first check of the watched process')
    return monitor


def _check_process_recovered(stack, notification):
    assert notification.type == 'PROCESS'
    assert notification.payload == {'event': 'STOPPED',
                                    'process_name': 'nova-compute'}
    service = stack.compute_service(PROCESS_HOST)
    assert service.status == 'disabled'
    assert service.disabled_reason == 'Masakari detected process failed.'


def test_processmonitor_nova_compute_dies(stack, segment, restore, monitors,
                                          tmp_path, watched_process):
    """nova-compute's stand-in is SIGKILLed and cannot be restarted: the
    process monitor reports it and the engine disables the compute service
    in Nova."""
    restore.append(PROCESS_HOST)
    watched = watched_process
    monitor = _process_monitor(monitors, tmp_path, watched,
                               config.keystone_api(stack.facts))
    host = _masakari_host(stack, segment, PROCESS_HOST)
    since = _utcnow()
    killed = watched.kill()
    outcome = follow(stack, host, since, monitor)
    _check_process_recovered(stack, outcome.notification)
    assert 'Response: ' in monitor.log()    # the monitor saw the 202
    _record(stack, 'processmonitor', 'process killed -> notification '
            'stored (check, failed restart)', outcome.reported_at - killed)
    _record(stack, 'processmonitor', 'process killed -> finished '
            '(compute service disabled)', outcome.done_at - killed)


@pytest.fixture
def noauth_api(stack, tmp_path):
    """A second masakari-api on the same database and bus, with
    ``auth_strategy = noauth2``: the laptop setup. Yields the process."""
    port = free_port()
    override = tmp_path / 'noauth2.conf'
    override.write_text('[DEFAULT]\nauth_strategy = noauth2\n'
                        'masakari_api_listen_port = %d\n' % port)
    api = stack.processes.start(
        'masakari-api-noauth2', 'masakari.cmd.api', '--config-file',
        stack.masakari_conf, '--config-file', str(override))
    api.url = 'http://127.0.0.1:%d' % port
    wait_http(api.url, api, timeout=60)
    yield api
    api.stop()


def test_processmonitor_without_keystone(stack, segment, restore, monitors,
                                         tmp_path, noauth_api,
                                         watched_process):
    """``[api] auth_type = none`` and a fixed ``endpoint``: the monitor
    sends without any token to an API in noauth2 mode."""
    restore.append(PROCESS_HOST)
    watched = watched_process
    monitor = _process_monitor(monitors, tmp_path, watched,
                               config.noauth_api(noauth_api.url + '/v1'))
    host = _masakari_host(stack, segment, PROCESS_HOST)
    since = _utcnow()
    killed = watched.kill()
    outcome = follow(stack, host, since, monitor)
    _check_process_recovered(stack, outcome.notification)
    # Through the noauth2 API, without a token.
    assert '"POST /v1/notifications HTTP/1.1" status: 202' in \
        noauth_api.log()
    _record(stack, 'processmonitor (noauth2)', 'process killed -> '
            'finished', outcome.done_at - killed)


# ------------------------------------------------------ instance monitor
def _guest_of(stack, servers, libvirtd, name):
    """An HA-enabled server booted on INSTANCE_HOST, and a QEMU guest
    with its UUID: what the instance monitor watches on a libvirt
    compute (the fake driver's servers have no process of their own)."""
    server = stack.boot(name, INSTANCE_HOST, ha=True)
    servers.append(server)
    (server,) = stack.wait_servers([server])
    libvirtd.create(name, server.id)
    return server


def _instance_monitor(stack, monitors, tmp_path, libvirtd, server):
    conf = config.write_conf(
        tmp_path / 'masakarimonitors.conf', config.keystone_api(stack.facts),
        DEFAULT={'hostname': INSTANCE_HOST},
        libvirt={'connection_uri': libvirtd.uri})
    monitor = monitors('masakari-instancemonitor', conf)
    _wait_watching(monitor, libvirtd, server.id)
    return monitor


def _wait_watching(monitor, libvirtd, uuid, timeout=60):
    """Until the monitor receives the guest's events: pause and resume it
    (events the monitor logs but never reports) until one shows up in its
    log, so that the failure to come cannot be missed."""
    deadline = time.monotonic() + timeout
    while True:
        libvirtd.virsh('suspend', uuid)
        libvirtd.virsh('resume', uuid)
        try:
            monitor.wait_log(r'libvirt Event Received.*uuid = %s' % uuid,
                             timeout=2)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def _actions(stack, server):
    return sorted(a.action for a in stack.conn.compute.server_actions(
        server) if a.action != 'create')


def test_instancemonitor_qemu_killed(stack, segment, servers, monitors,
                                     tmp_path, libvirtd):
    """The guest's QEMU is SIGKILLed: libvirt reports STOPPED_FAILED, the
    instance monitor reports it, and the engine stops and starts the
    server through Nova, once."""
    server = _guest_of(stack, servers, libvirtd, 'mon-crash')
    monitor = _instance_monitor(stack, monitors, tmp_path, libvirtd, server)
    host = _masakari_host(stack, segment, INSTANCE_HOST)
    since = _utcnow()
    killed = libvirt.kill_qemu(libvirtd.qemu_pid(server.id))
    outcome = follow(stack, host, since, monitor)
    assert outcome.notification.type == 'VM'
    assert outcome.notification.payload == {
        'event': 'LIFECYCLE', 'instance_uuid': server.id,
        'vir_domain_event': 'STOPPED_FAILED'}
    assert libvirtd.state(server.id) is None      # the guest is gone
    assert stack.conn.compute.get_server(server.id).status == 'ACTIVE'
    # Recovered through Nova, exactly once.
    assert _actions(stack, server) == ['start', 'stop']
    _record(stack, 'instancemonitor', 'QEMU killed -> notification stored',
            outcome.reported_at - killed)
    _record(stack, 'instancemonitor', 'QEMU killed -> finished (server '
            'stopped and started by Nova)', outcome.done_at - killed)


def test_instancemonitor_guest_destroyed(stack, segment, servers, monitors,
                                         tmp_path, libvirtd):
    """``virsh destroy`` is an operator's act, not a failure: the monitor
    reports STOPPED_DESTROYED and the engine ignores it, as upstream's."""
    server = _guest_of(stack, servers, libvirtd, 'mon-destroy')
    monitor = _instance_monitor(stack, monitors, tmp_path, libvirtd, server)
    host = _masakari_host(stack, segment, INSTANCE_HOST)
    since = _utcnow()
    destroyed = time.monotonic()
    libvirtd.virsh('destroy', server.id)
    outcome = follow(stack, host, since, monitor, expect='ignored')
    assert outcome.notification.payload == {
        'event': 'LIFECYCLE', 'instance_uuid': server.id,
        'vir_domain_event': 'STOPPED_DESTROYED'}
    assert stack.conn.compute.get_server(server.id).status == 'ACTIVE'
    assert _actions(stack, server) == []
    _record(stack, 'instancemonitor', 'virsh destroy -> ignored',
            outcome.done_at - destroyed)


def test_introspectiveinstancemonitor_guest_hangs(stack, segment, servers,
                                                  monitors, tmp_path,
                                                  libvirtd, guest_image):
    """A guest whose QEMU agent answered stops answering (its QEMU is
    SIGSTOPped: a hung guest, still ``running`` for libvirt): the
    introspective monitor reports QEMU_GUEST_AGENT_ERROR and the engine
    stops and starts the server through Nova, once."""
    server = stack.boot('mon-hang', INSTANCE_HOST, ha=True)
    servers.append(server)
    (server,) = stack.wait_servers([server])
    name = 'instance-%s' % server.id[:8]
    booted = time.monotonic()
    console = libvirtd.create_with_agent(name, server.id, guest_image)
    _wait(lambda: libvirtd.agent_answers(server.id), 120,
          lambda: 'the guest agent to answer:\n%s' % (
              console.read_text() if console.exists() else ''))
    _record(stack, 'introspectiveinstancemonitor', 'guest boot (TCG) -> '
            'agent answers', time.monotonic() - booted)
    conf = config.write_conf(
        tmp_path / 'masakarimonitors.conf', config.keystone_api(stack.facts),
        libvirt={'connection_uri': libvirtd.uri},
        introspectiveinstancemonitor={
            'guest_monitoring_interval': 1, 'guest_monitoring_timeout': 1,
            'guest_monitoring_failure_threshold': 1})
    # It names its host by socket.gethostname(), as the process monitor.
    monitor = monitors('masakari-introspectiveinstancemonitor', conf,
                       hostname=INSTANCE_HOST)
    # Healthy first (a guest that never answered is never reported): the
    # agent logs each ping on the console, and only the monitor pings now.
    pings = console.read_text().count(guest.PINGED)
    _wait(lambda: console.read_text().count(guest.PINGED) > pings, 60,
          lambda: 'the monitor to ping the guest:\n' + monitor.report())
    host = _masakari_host(stack, segment, INSTANCE_HOST)
    since = _utcnow()
    pid = libvirtd.qemu_pid(server.id)
    hung = time.monotonic()
    os.kill(pid, signal.SIGSTOP)
    try:
        outcome = follow(stack, host, since, monitor)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert outcome.notification.type == 'VM'
    assert outcome.notification.payload == {
        'event': 'QEMU_GUEST_AGENT_ERROR', 'instance_uuid': server.id,
        'vir_domain_event': 'STOPPED_FAILED'}
    assert stack.conn.compute.get_server(server.id).status == 'ACTIVE'
    assert _actions(stack, server) == ['start', 'stop']
    libvirtd.virsh('destroy', server.id)
    _record(stack, 'introspectiveinstancemonitor', 'guest hung -> '
            'notification stored (missed pings)', outcome.reported_at - hung)
    _record(stack, 'introspectiveinstancemonitor', 'guest hung -> finished '
            '(server stopped and started by Nova)', outcome.done_at - hung)


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what()))
        time.sleep(0.5)


# ---------------------------------------------------------- host monitor
def test_hostmonitor_node_dies(stack, segment, servers, restore, monitors,
                               monitors_venv, tmp_path, cluster):
    """compute1, a node of a two-node Pacemaker cluster, dies with its
    nova-compute; the host monitor on compute3 sees it go offline and
    reports it; the engine evacuates compute1's HA-enabled server."""
    failed = 'compute1'
    survivor, dying = cluster.nodes
    assert dying.name == failed
    server = stack.boot('mon-host', failed, ha=True)
    servers.append(server)
    (server,) = stack.wait_servers([server])
    restore.append(failed)
    conf = tmp_path / 'masakarimonitors.conf'
    config.write_conf(
        conf, config.keystone_api(stack.facts),
        host={'monitoring_interval': 1, 'monitoring_samples': 1,
              'api_retry_max': 3, 'api_retry_interval': 1,
              # Nothing here answers IPMI: NORMAL without asking.
              'disable_ipmi_check': True,
              # No systemd to ask whether corosync runs.
              'pacemaker_node_type': 'cluster',
              'corosync_multicast_interfaces': 'lo',
              'corosync_multicast_ports': pacemaker.KNET_PORT,
              'tcpdump_timeout': 2,
              # After a silent heartbeat line it waits this long (30 s)
              # before it looks at the cluster.
              'stonith_wait': 1},
        # crm_mon, cibadmin, crmadmin and tcpdump run through privsep;
        # root already, so no sudo.
        masakarimonitors_privileged={'helper_command': '%s --config-file '
                                     '%s' % (monitors_venv.bin(
                                         'privsep-helper'),
                                         pacemaker.in_node(conf))})
    monitor = monitors('masakari-hostmonitor', pacemaker.in_node(conf),
                       prefix=survivor.nsenter())
    monitor.wait_log(r"Recognized '%s' as a new member of cluster" % failed,
                     what='the first look at the cluster')
    host = _masakari_host(stack, segment, failed)
    since = _utcnow()
    died = dying.kill()
    stack.kill_compute(failed)
    outcome = follow(stack, host, since, monitor)
    assert outcome.notification.type == 'COMPUTE_HOST'
    assert outcome.notification.payload == {'event': 'STOPPED',
                                    'cluster_status': 'OFFLINE',
                                    'host_status': 'NORMAL'}
    server = stack.conn.compute.get_server(server.id)
    assert server.status == 'ACTIVE' and server.compute_host != failed
    assert len(stack.evacuations(server)) == 1
    service = stack.compute_service(failed)
    assert service.status == 'disabled' and service.is_forced_down
    _record(stack, 'hostmonitor', 'node killed -> notification stored '
            '(Pacemaker sees it offline)', outcome.reported_at - died)
    _record(stack, 'hostmonitor', 'node killed -> finished (server '
            'evacuated)', outcome.done_at - died)
