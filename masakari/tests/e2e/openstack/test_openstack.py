"""Masakari against a real Nova: every call goes through the real clients
(openstacksdk ``instance_ha`` and the ``openstack`` CLI) with real Keystone
tokens, and every recovery is carried out by real nova-compute services
(fake virt driver) that the tests kill with SIGKILL.
"""

import json
import re
import time

import openstack.exceptions
import pytest
import requests

from masakari.tests.e2e.openstack.stack import ORDERED_SEGMENT
from masakari.tests.e2e.openstack.stack import RETURN_SEGMENT
from masakari.tests.fixtures.bmc import write_inventory
# The real masakari-monitors scenarios run in this module's session, on
# its stack (see monitors/scenarios.py).
from masakari.tests.e2e.openstack.monitors.scenarios import (  # noqa: F401
    noauth_api, test_hostmonitor_node_dies,
    test_instancemonitor_guest_destroyed,
    test_instancemonitor_qemu_killed,
    test_introspectiveinstancemonitor_guest_hangs,
    test_processmonitor_nova_compute_dies,
    test_processmonitor_without_keystone)
from masakari.simulator.bmc.redfish import RedfishBMC

pytestmark = [
    pytest.mark.xdist_group('openstack'),
    # openstacksdk's notices about its own future releases.
    pytest.mark.filterwarnings('ignore::PendingDeprecationWarning'),
    pytest.mark.filterwarnings('ignore:Support for InfluxDB'),
]

HOST_DOWN = {'event': 'STOPPED', 'host_status': 'NORMAL',
             'cluster_status': 'OFFLINE'}


def test_segment_hosts_are_nova_compute_services(stack):
    """Through the CLI: the three computes are accepted as hosts, a name
    Nova does not know is refused with 400."""
    cli = stack.openstack_cli
    segment = json.loads(cli('segment', 'create', 'e2e-cli', 'auto',
                             'COMPUTE', '-f', 'json').stdout)
    try:
        for host in stack.layout.computes:
            made = json.loads(cli('segment', 'host', 'create', host,
                                  'COMPUTE', 'SSH', segment['uuid'],
                                  '-f', 'json').stdout)
            assert made['name'] == host
        unknown = cli('segment', 'host', 'create', 'no-such-compute',
                      'COMPUTE', 'SSH', segment['uuid'], check=False)
        assert unknown.returncode != 0
        assert '400' in unknown.stderr or 'could not be found' in \
            unknown.stderr, unknown.stderr
        listed = json.loads(cli('segment', 'host', 'list', segment['uuid'],
                                '-f', 'json').stdout)
        assert sorted(h['name'] for h in listed) == stack.layout.computes
    finally:
        cli('segment', 'delete', segment['uuid'], check=False)


def _host_failure(stack, failed, ha_servers, plain_servers, expect_host,
                  label):
    """Kill ``failed``'s nova-compute, notify as the host monitor does,
    and check the outcome. Returns the final notification."""
    t_kill = stack.kill_compute(failed)
    notification = stack.notify('COMPUTE_HOST', failed, HOST_DOWN)
    t_notified = time.monotonic()
    final = stack.wait_notification(notification)
    t_done = time.monotonic()
    assert final.status == 'finished', stack.failure_report(final)
    stack.results.record(label, 'notification -> finished',
                         round(t_done - t_notified, 1))
    stack.results.record(label, 'compute killed -> finished',
                         round(t_done - t_kill, 1))

    for server in ha_servers:
        server = stack.conn.compute.get_server(server.id)
        assert server.status == 'ACTIVE', server
        assert server.compute_host != failed
        if expect_host:
            assert server.compute_host == expect_host
        assert len(stack.evacuations(server)) == 1
    # Each evacuation's end reached the engine as Nova's own event.
    assert {s.id for s in ha_servers} <= stack.evacuations_ended_by_events()
    for server in plain_servers:
        server = stack.conn.compute.get_server(server.id)
        assert server.compute_host == failed
        assert stack.evacuations(server) == []

    service = stack.compute_service(failed)
    assert service.status == 'disabled'
    assert service.is_forced_down   # [host_failure] force_down_failed_host
    return final


def _boot(stack, servers, host, ha_count, plain_count, prefix):
    new = [stack.boot('%s-ha-%d' % (prefix, i), host, ha=True)
           for i in range(ha_count)]
    new += [stack.boot('%s-plain-%d' % (prefix, i), host, ha=False)
            for i in range(plain_count)]
    servers.extend(new)
    active = stack.wait_servers(new)
    assert {s.compute_host for s in active} == {host}
    return active[:ha_count], active[ha_count:]


def test_host_failure_auto(stack, segment, servers, restore):
    failed = 'compute1'
    ha, plain = _boot(stack, servers, failed, 2, 1, 'auto')
    restore.append(failed)
    _host_failure(stack, failed, ha, plain, None, 'auto')
    masakari_host = next(h for h in stack.conn.instance_ha.hosts(
        segment.uuid) if h.name == failed)
    assert masakari_host.on_maintenance
    stack.results.record('auto', 'restore compute (restart, unset '
                         'forced_down, enable)',
                         round(stack.restore_compute(failed), 1))


def test_host_failure_reserved_host(stack, servers, restore):
    failed, reserved = 'compute2', 'compute3'
    # As operators keep it: the reserved host's compute is disabled, so
    # Nova schedules nothing there until masakari enables it.
    stack.conn.compute.disable_service(
        stack.compute_service(reserved), reserved, 'nova-compute',
        disabled_reason='masakari reserved host')
    restore.append(reserved)
    segment = stack.create_segment('e2e-reserved', 'reserved_host',
                                   stack.layout.computes,
                                   reserved=(reserved,))
    try:
        ha, plain = _boot(stack, servers, failed, 2, 1, 'rh')
        restore.insert(0, failed)
        _host_failure(stack, failed, ha, plain, reserved, 'reserved_host')
        assert stack.compute_service(reserved).status == 'enabled'
        hosts = {h.name: h for h in stack.conn.instance_ha.hosts(
            segment.uuid)}
        assert not hosts[reserved].reserved
        assert hosts[failed].on_maintenance
        stack.results.record('reserved_host', 'restore compute',
                             round(stack.restore_compute(failed), 1))
    finally:
        stack.delete_segment(segment)


def test_repaired_host_returns_to_service(stack, servers, restore):
    """After a host recovery, an operator restarts the compute and unsets
    forced_down, as Nova's procedure says, but does not enable it: masakari
    does, after the burn-in (3 s here), and takes the host out of
    maintenance."""
    failed = 'compute2'
    segment = stack.create_segment(RETURN_SEGMENT, 'auto',
                                   stack.layout.computes)
    try:
        ha, plain = _boot(stack, servers, failed, 1, 0, 'rts')
        restore.append(failed)
        _host_failure(stack, failed, ha, plain, None, 'return to service')
        stack.restore_compute(failed, enable=False)
        t0 = time.monotonic()
        assert stack.compute_service(failed).status == 'disabled'

        def returned():
            host = next(h for h in stack.conn.instance_ha.hosts(
                segment.uuid) if h.name == failed)
            return (not host.on_maintenance and
                    stack.compute_service(failed).status == 'enabled')
        deadline = time.monotonic() + 60
        while not returned():
            assert time.monotonic() < deadline, stack.engine_log_tail()
            time.sleep(0.5)
        stack.results.record('return to service',
                             'repaired (forced_down unset) -> enabled, out '
                             'of maintenance (burn-in 3 s)',
                             round(time.monotonic() - t0, 1))
        assert ('Host %s returned to service' % failed) in stack.engine.log()
    finally:
        stack.delete_segment(segment)


def test_restart_order_in_novas_instance_actions(stack, servers, restore):
    """HA_Priority high before low, in a segment that waits for each level
    to be ACTIVE: Nova's own instance actions show no low evacuation
    starting before every high one ended (Nova stores whole seconds), and
    the engine asked for them in that order."""
    failed = 'compute1'
    segment = stack.create_segment(ORDERED_SEGMENT, 'auto',
                                   stack.layout.computes)
    try:
        levels = {}
        for level in ('low', 'high'):       # the listing's order is wrong
            new = [stack.boot('order-%s-%d' % (level, i), failed, True,
                              HA_Priority=level) for i in range(2)]
            servers.extend(new)
            levels[level] = stack.wait_servers(new)
        restore.append(failed)
        _host_failure(stack, failed, levels['high'] + levels['low'], [],
                      None, 'restart order')

        def rebuild(server):
            action = stack.evacuations(server)[0]
            detail = stack.conn.compute.get_server_action(
                action.request_id, server)
            [event] = [e for e in detail.events
                       if e['event'] == 'compute_rebuild_instance']
            return event['start_time'], event['finish_time']
        high = [rebuild(s) for s in levels['high']]
        low = [rebuild(s) for s in levels['low']]
        assert max(end for _, end in high) <= min(start for start, _ in low)
        asked = re.findall(r'Nova call: evacuate server ([0-9a-f-]{36})',
                           stack.engine.log())
        order = [s.id for s in levels['high'] + levels['low']]
        asked = [uuid for uuid in asked if uuid in order]
        assert set(asked[:2]) == {s.id for s in levels['high']}
        assert set(asked[2:]) == {s.id for s in levels['low']}
    finally:
        stack.delete_segment(segment)


def test_host_failure_fenced(stack, segment, servers, restore):
    """The host monitor reports compute1 down while its nova-compute still
    runs (say its network failed). Its BMC powers it off, which stops its
    nova-compute here, and only then is its service forced down and its
    servers evacuated: within seconds, not after Nova's own minute."""
    failed = 'compute1'
    ha, plain = _boot(stack, servers, failed, 2, 0, 'fence')
    restore.append(failed)
    bmc = RedfishBMC(failed)
    bmc.on_power_off = lambda: stack.kill_compute(failed)
    bmc.start()
    try:
        write_inventory(stack.bmc_inventory, {failed: bmc.inventory_entry()})
        notification = stack.notify('COMPUTE_HOST', failed, HOST_DOWN)
        t_notified = time.monotonic()
        final = stack.wait_notification(notification)
        t_done = time.monotonic()
    finally:
        write_inventory(stack.bmc_inventory, {})
        bmc.stop()
    assert final.status == 'finished', stack.failure_report(final)
    stack.results.record('fenced', 'notification -> finished',
                         round(t_done - t_notified, 1))
    stack.results.record('fenced', 'BMC off -> finished',
                         round(t_done - bmc.powered_off_at[0], 1))

    assert len(bmc.powered_off_at) == 1
    for server in ha:
        server = stack.conn.compute.get_server(server.id)
        assert server.status == 'ACTIVE', server
        assert server.compute_host != failed
        assert len(stack.evacuations(server)) == 1
    service = stack.compute_service(failed)
    assert service.is_forced_down and service.status == 'disabled'
    details = stack.workflow_details(final)
    assert details['FenceHostTask'][-1].startswith(
        "Host 'compute1' powered off through its BMC (redfish)")
    assert ("Marked compute service on host 'compute1' as forced down (the "
            'host is fenced)') in details['DisableComputeServiceTask']
    # The password of the BMC is nowhere the API shows.
    assert bmc.inventory_entry()['password'] not in repr(details)


def test_instance_failure(stack, segment, servers):
    """The instance monitor reports a guest that died: the engine starts it
    again. Nova's fake driver lives inside nova-compute, so nothing outside
    that process can stop a guest behind Nova's back; the server is stopped
    through Nova instead, which leaves the same state (SHUTOFF) that Nova's
    power-state sync records for a guest that died."""
    (server,), _ = _boot(stack, servers, 'compute2', 1, 0, 'vm')
    stack.conn.compute.stop_server(server)
    stack.wait_servers([server], status='SHUTOFF')
    notification = stack.notify('VM', server.compute_host, {
        'event': 'LIFECYCLE', 'instance_uuid': server.id,
        'vir_domain_event': 'STOPPED_FAILED'})
    t0 = time.monotonic()
    final = stack.wait_notification(notification)
    assert final.status == 'finished', stack.failure_report(final)
    stack.results.record('instance', 'notification -> finished',
                         round(time.monotonic() - t0, 1))
    assert stack.conn.compute.get_server(server.id).status == 'ACTIVE'


def test_process_failure(stack, segment, restore):
    host = 'compute3'
    restore.append(host)
    notification = stack.notify('PROCESS', host, {
        'event': 'STOPPED', 'process_name': 'nova-compute'})
    t0 = time.monotonic()
    final = stack.wait_notification(notification)
    assert final.status == 'finished', stack.failure_report(final)
    stack.results.record('process', 'notification -> finished',
                         round(time.monotonic() - t0, 1))
    assert stack.compute_service(host).status == 'disabled'


def test_policy_with_keystone_tokens(stack):
    # The admin of the admin project: allowed.
    list(stack.conn.instance_ha.segments())
    # A member of another project: authenticated, but forbidden.
    with pytest.raises(openstack.exceptions.ForbiddenException):
        list(stack.member.instance_ha.segments())
    denied = stack.openstack_cli('segment', 'list', cloud='e2e-member',
                                 check=False)
    assert denied.returncode != 0
    assert '403' in denied.stderr or 'orbidden' in denied.stderr
    # No token at all: keystonemiddleware answers 401.
    response = requests.get(stack.api_url + '/v1/segments', timeout=30)
    assert response.status_code == 401
    assert 'Keystone' in response.headers.get('WWW-Authenticate', '')


def _protection(stack, segment):
    response = stack.conn.instance_ha.get(
        '/segments/%s/protection' % segment.uuid, microversion='1.5')
    assert response.status_code == 200, response.text
    return response.json()['protection']


def test_protection_check_reads_real_nova(stack, servers, restore):
    """The protection check (1.5) with Nova's own figures: hypervisor
    capacity and usage (read at compute API 2.87) and the flavor embedded
    in each server. A reserved_host segment without a spare cannot absorb
    the loss of a host with an instance; one spare is enough (the fake
    driver's hosts are large)."""
    segment = stack.create_segment('e2e-protection', 'reserved_host',
                                   stack.layout.computes)
    try:
        [ha], _ = _boot(stack, servers, 'compute1', 1, 0, 'protection')
        flavor = stack.conn.compute.find_flavor(stack.facts['flavor'],
                                                ignore_missing=False)
        body = _protection(stack, segment)
        hosts = {host['name']: host for host in body['hosts']}
        assert set(hosts) == set(stack.layout.computes)
        for host in hosts.values():
            assert None not in (host['capacity'], host['used'],
                                host['free']), host
        assert hosts['compute1']['used']['vcpus'] >= flavor.vcpus
        assert hosts['compute1']['instances'] == 1
        [unplaced] = hosts['compute1']['unplaced']
        assert (unplaced['id'], unplaced['reason'], unplaced['vcpus'],
                unplaced['memory_mb']) == (ha.id, 'no_target', flavor.vcpus,
                                           flavor.ram)
        assert body['protected'] is False

        spare = next(h for h in stack.conn.instance_ha.hosts(segment.uuid)
                     if h.name == 'compute3')
        stack.conn.instance_ha.update_host(spare.uuid, segment.uuid,
                                           reserved=True)
        body = _protection(stack, segment)
        assert body['protected'] is True, body
        assert {h['name']: h['fits'] for h in body['hosts']} == {
            name: True for name in stack.layout.computes}
    finally:
        stack.delete_segment(segment)
