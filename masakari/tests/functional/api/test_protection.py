"""GET /segments/{segment_id}/protection (1.5): the protection check of a
segment against the Nova simulator over HTTP, which reports hypervisor
capacity and usage as Nova does below compute API 2.88."""

import pytest
import requests

from masakari.compute import client as nova_client
from masakari.db import api as db_api
from masakari.tests.functional.api import fixtures
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment

PROTECTION = '/segments/%s/protection'
# m1.medium: 2 vCPU, 4096 MiB, 40 GiB.
MEDIUM = 'm1.medium'


@pytest.fixture
def small_hosts(nova, conf):
    """Three small compute hosts (4 vCPU, 8 GiB, 100 GiB) in Nova; the
    simulator's scheduler does not overcommit, so neither does the
    check."""
    for name in ('small1', 'small2', 'small3'):
        nova.state.add_host(name, vcpus=4, memory_mb=8192, local_gb=100)
    for option in ('cpu', 'ram', 'disk'):
        conf.set_override('%s_allocation_ratio' % option, 1.0, 'protection')
    return nova


def _check(api, segment, version='1.5', **params):
    query = '&'.join('%s=%s' % item for item in params.items())
    path = PROTECTION % segment['uuid'] + ('?' + query if query else '')
    return api.get(path, version=version)


def _protection(api, segment, **params):
    answer = _check(api, segment, **params)
    assert answer.status_code == 200, answer.text
    assert answer.headers[fixtures.VERSION_HEADER] == 'instance-ha 1.5'
    return answer.json()['protection']


def _hosts(body):
    return {host['name']: host for host in body['hosts']}


def test_protected_once_a_host_is_added_or_capacity_freed(api, small_hosts):
    nova = small_hosts
    segment = new_segment(api, name='web')
    new_host(api, segment, 'small1')
    new_host(api, segment, 'small2')
    full = nova.state.add_servers('small1', 2, flavor=MEDIUM,
                                  metadata={'HA_Enabled': 'True'})
    [lone] = nova.state.add_servers('small2', 1, flavor=MEDIUM)

    body = _protection(api, segment)
    assert body['protected'] is False
    assert body['host_failures'] == 1
    assert body['segment'] == {'uuid': segment['uuid'], 'name': 'web',
                               'recovery_method': 'auto', 'enabled': True}
    hosts = _hosts(body)
    assert hosts['small1']['capacity'] == {'vcpus': 4, 'memory_mb': 8192,
                                           'disk_gb': 100}
    assert hosts['small1']['used'] == {'vcpus': 4, 'memory_mb': 8192,
                                       'disk_gb': 80}
    assert hosts['small2']['free'] == {'vcpus': 2, 'memory_mb': 4096,
                                       'disk_gb': 60}
    assert (hosts['small1']['instances'], hosts['small1']['fits']) == (
        2, False)
    # small2 takes the first of small1's servers in the engine's order
    # (Nova lists the newest first); the other has no room.
    [unplaced] = hosts['small1']['unplaced']
    assert unplaced['id'] == full[0]
    assert (unplaced['host'], unplaced['reason']) == ('small1', 'no_room')
    assert (unplaced['vcpus'], unplaced['memory_mb'],
            unplaced['disk_gb']) == (2, 4096, 40)
    assert 'the closest, small2, lacks vcpus, memory_mb' in (
        unplaced['message'])
    assert [u['id'] for u in hosts['small2']['unplaced']] == [lone]
    assert {tuple(s['hosts']) for s in
            body['failure_sets']['not_absorbed']} == {('small1',),
                                                      ('small2',)}
    assert body['failure_sets']['checked'] == 2

    # A third host gives each loss room.
    new_host(api, segment, 'small3')
    body = _protection(api, segment)
    assert body['protected'] is True, body
    assert {name: (host['fits'], host['unplaced'])
            for name, host in _hosts(body).items()} == {
        'small1': (True, []), 'small2': (True, []), 'small3': (True, [])}
    assert body['failure_sets'] == {'checked': 3, 'not_absorbed': []}

    # Two at once is too much; freeing capacity makes room again.
    body = _protection(api, segment, host_failures=2)
    assert body['protected'] is False
    assert body['failure_sets']['checked'] == 3
    # Whichever two are lost, the third lacks room for their servers.
    assert sorted(sorted(s['hosts']) for s in body['failure_sets'][
        'not_absorbed']) == [['small1', 'small2'], ['small1', 'small3'],
                             ['small2', 'small3']]
    answer = requests.delete('%s/servers/%s' % (nova.url, full[0]),
                             timeout=10)
    assert answer.status_code == 204, answer.text
    assert _protection(api, segment, host_failures=2)['protected'] is True


def test_reserved_hosts_must_absorb_the_load(api, small_hosts, conf):
    nova = small_hosts
    conf.set_override('evacuate_all_instances', False, 'host_failure')
    segment = new_segment(api, name='db', recovery_method='reserved_host')
    new_host(api, segment, 'small1')
    # A spare too small, disabled in Nova as spares usually are.
    nova.state.add_host('spare1', vcpus=2, memory_mb=4096, local_gb=100,
                        enabled=False)
    new_host(api, segment, 'spare1', reserved=True)
    ha = {'HA_Enabled': 'True'}
    first, second = nova.state.add_servers('small1', 2, flavor=MEDIUM,
                                           metadata=ha)
    # Not HA-enabled and evacuate_all_instances is false: not counted.
    nova.state.add_servers('small1', 1, flavor='m1.tiny',
                           check_capacity=False)

    body = _protection(api, segment)
    assert body['protected'] is False
    hosts = _hosts(body)
    assert hosts['spare1']['target'] is True
    assert hosts['spare1']['not_target_reason'] is None
    assert hosts['small1']['instances'] == 2
    # The newest (Nova lists it first) takes the spare; the other does not
    # fit.
    assert [u['id'] for u in hosts['small1']['unplaced']] == [first]
    assert second not in [u['id'] for u in hosts['small1']['unplaced']]

    # A second spare, newer, is tried first by the engine and fits both.
    new_host(api, segment, 'small2', reserved=True)
    assert _protection(api, segment)['protected'] is True

    # Spares on maintenance do not count.
    for host in db_api.host_get_all(filters={
            'failover_segment_id': segment['uuid'], 'reserved': True}):
        db_api.host_update(host.uuid, {'on_maintenance': True})
    body = _protection(api, segment)
    assert body['protected'] is False
    hosts = _hosts(body)
    assert hosts['small2']['not_target_reason'] == (
        'the host is on maintenance')
    assert hosts['small2']['fits'] is None
    assert {u['reason'] for u in hosts['small1']['unplaced']} == {
        'no_target'}


def test_figures_are_read_below_2_88_whatever_the_microversion(
        api, small_hosts, conf):
    # From compute API 2.88 os-hypervisors has no capacity or usage; the
    # check asks at 2.87 even when masakari talks to Nova at a later one.
    conf.set_override('api_microversion', '2.90', 'nova')
    nova_client.reset_clients()
    segment = new_segment(api, name='web')
    new_host(api, segment, 'small1')
    new_host(api, segment, 'small2')
    small_hosts.state.add_servers('small1', 1, flavor=MEDIUM)
    body = _protection(api, segment)
    assert body['protected'] is True, body
    assert _hosts(body)['small1']['used'] == {'vcpus': 2, 'memory_mb': 4096,
                                              'disk_gb': 40}
    assert body['warnings'] == []


def test_a_down_host_is_no_target(api, small_hosts):
    nova = small_hosts
    segment = new_segment(api, name='web')
    new_host(api, segment, 'small1')
    new_host(api, segment, 'small2')
    nova.state.add_servers('small1', 1, flavor=MEDIUM)
    assert _protection(api, segment)['protected'] is True
    nova.state.fail_host('small2')
    with nova.state.lock:
        nova.state.hosts['small2'].forced_down = True
    body = _protection(api, segment)
    assert body['protected'] is False
    assert _hosts(body)['small2']['not_target_reason'] == (
        'its compute service is down')


def test_not_a_route_below_1_5(api, small_hosts):
    segment = new_segment(api, name='web')
    for version in (None, '1.0', '1.4'):
        answer = _check(api, segment, version=version)
        assert answer.status_code == 404
        assert fixtures.VERSION_HEADER not in answer.headers
        unknown = api.get('/segments/%s/no_such_thing' % segment['uuid'],
                          version=version)
        assert (answer.status_code, answer.text) == (unknown.status_code,
                                                     unknown.text)
    path = PROTECTION % segment['uuid']
    assert api.put(path, {}, version='1.5').status_code == 405
    assert api.put(path, {}, version='1.4').status_code == 404


@pytest.mark.parametrize('value,message', [
    ('0', 'host_failures must be >= 1'),
    ('-1', 'host_failures must be >= 1'),
    ('two', 'host_failures must be an integer'),
    ('', 'host_failures must be an integer'),
])
def test_bad_host_failures_is_400(api, small_hosts, value, message):
    segment = new_segment(api, name='web')
    answer = _check(api, segment, host_failures=value)
    assert answer.status_code == 400, answer.text
    assert answer.json() == {'badRequest': {
        'code': 400, 'message': 'Invalid input received: %s' % message}}


def test_too_many_failure_sets_is_400(api, nova, conf):
    segment = new_segment(api, name='big')
    for index in range(20):
        nova.state.add_host('n%02d' % index)
        new_host(api, segment, 'n%02d' % index)
    # C(20, 4) = 4845 sets.
    answer = _check(api, segment, host_failures=4)
    assert answer.status_code == 400
    assert '4845 sets of 4 hosts' in answer.json()['badRequest']['message']
    assert _check(api, segment, host_failures=2).status_code == 200


def test_unknown_segment_is_404(api, nova):
    for segment_id in ('nope', '2b7d3c9e-0000-4000-8000-000000000000'):
        answer = api.get(PROTECTION % segment_id, version='1.5')
        assert answer.status_code == 404, answer.text
        assert 'itemNotFound' in answer.json()


def test_changes_nothing(api, small_hosts):
    nova = small_hosts
    segment = new_segment(api, name='web')
    new_host(api, segment, 'small1')
    nova.state.add_servers('small1', 1, flavor=MEDIUM)
    database = fixtures.dump_database()
    cloud = nova.state.dump()
    _protection(api, segment)
    assert fixtures.dump_database() == database
    assert nova.state.dump() == cloud


def test_admin_only(keystone_api, nova):
    row = db_api.segment_create({'name': 's', 'recovery_method': 'auto',
                                 'service_type': 'COMPUTE'})
    db_api.host_create({'name': 'compute1', 'type': 'COMPUTE',
                        'control_attributes': 'ssh',
                        'failover_segment_id': row.uuid})
    path = PROTECTION % row.uuid
    for token, status in ((fixtures.MEMBER_TOKEN, 403),
                          (fixtures.READER_TOKEN, 403),
                          (fixtures.ADMIN_TOKEN, 200)):
        answer = keystone_api.get(path, version='1.5', token=token)
        assert answer.status_code == status, answer.text
    assert 'forbidden' in keystone_api.get(
        path, version='1.5', token=fixtures.MEMBER_TOKEN).json()
