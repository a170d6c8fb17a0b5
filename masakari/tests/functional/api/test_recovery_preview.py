"""GET /segments/{segment_id}/hosts/{host_id}/recovery_preview (1.4): what
a host recovery would do now, against the Nova simulator, changing
nothing."""

import pytest

from masakari.db import api as db_api
from masakari.tests.functional.api import fixtures
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment

PREVIEW = '/segments/%s/hosts/%s/recovery_preview'


def _set_state(nova, server_id, **values):
    with nova.state.lock:
        server = nova.state.servers[server_id]
        for name, value in values.items():
            setattr(server, name, value)


@pytest.fixture
def world(api, nova, conf):
    """A reserved_host segment whose host compute1 runs one server of
    each kind; compute2 and compute3 are spares, compute4 a spare on
    maintenance."""
    conf.set_override('priority_metadata_key', 'HA_Priority', 'host_failure')
    conf.set_override('excluded_name_patterns', ['amphora-*'],
                      'host_failure')
    conf.set_override('evacuate_all_instances', False, 'host_failure')
    segment = new_segment(api, name='db-tier',
                          recovery_method='reserved_host')
    host = new_host(api, segment, 'compute1')
    for name in ('compute2', 'compute3'):
        new_host(api, segment, name, reserved=True)
    new_host(api, segment, 'compute4', reserved=True, on_maintenance=True)
    ha = {'HA_Enabled': 'True'}
    state = nova.state
    servers = {
        'low': state.add_server('compute1', 'low', metadata=dict(
            ha, HA_Priority='low')),
        'plain': state.add_server('compute1', 'plain', metadata=ha),
        'high': state.add_server('compute1', 'high', metadata=dict(
            ha, HA_Priority='high')),
        'not_ha': state.add_server('compute1', 'not-ha'),
        'amphora': state.add_server('compute1', 'amphora-1', metadata=ha),
        'error': state.add_server('compute1', 'broken', metadata=ha,
                                  vm_state='error'),
        'paused': state.add_server('compute1', 'paused', metadata=ha),
    }
    _set_state(nova, servers['paused'], vm_state='paused')
    return {'segment': segment, 'host': host, 'servers': servers}


def _preview(api, world, version='1.4'):
    return api.get(PREVIEW % (world['segment']['uuid'],
                              world['host']['uuid']), version=version)


def test_not_a_route_below_1_4(api, world):
    for version in (None, '1.0', '1.3'):
        answer = _preview(api, world, version)
        assert answer.status_code == 404
        assert fixtures.VERSION_HEADER not in answer.headers
        unknown = api.get('/segments/x/hosts/y/no_such_thing',
                          version=version)
        assert (answer.status_code, answer.text) == (unknown.status_code,
                                                     unknown.text)
    # From 1.4 on it is a route: a method it lacks is 405, not 404.
    path = PREVIEW % (world['segment']['uuid'], world['host']['uuid'])
    assert api.put(path, {}, version='1.4').status_code == 405
    assert api.put(path, {}, version='1.3').status_code == 404


def test_unknown_host_or_segment_is_404(api, world):
    segment, host = world['segment']['uuid'], world['host']['uuid']
    for path in (PREVIEW % (segment, 'nope'),
                 PREVIEW % ('nope', host),
                 PREVIEW % (new_segment(api, name='other')['uuid'], host)):
        answer = api.get(path, version='1.4')
        assert answer.status_code == 404, answer.text
        assert 'itemNotFound' in answer.json()


def test_preview_content(api, nova, world, conf):
    conf.set_override('wait_for_higher_priority_segments', ['db-tier'],
                      'host_failure')
    servers = world['servers']
    answer = _preview(api, world)
    assert answer.status_code == 200, answer.text
    assert answer.headers[fixtures.VERSION_HEADER] == 'instance-ha 1.4'
    body = answer.json()['recovery_preview']

    assert body['host']['name'] == 'compute1'
    assert body['segment']['recovery_method'] == 'reserved_host'
    assert body['fencing'] == {'fenced_first': False, 'driver': None,
                               'kdump_wait_seconds': 0.0, 'error': None}
    # The engine's order: the default list order, newest first.
    assert body['targets'] == [{
        'method': 'reserved_host', 'reserved_hosts': ['compute3', 'compute2'],
        'message': 'All instances go to the first reserved host; the next '
                   'one is tried when an attempt fails'}]
    service = body['compute_service']
    assert (service['state'], service['forced_down'],
            service['evacuable_now'], service['engine_action']) == (
        'up', False, False, 'disable_and_wait')
    assert 'refuses to evacuate' in service['message']

    assert body['waits_for_higher_priority'] is True
    # One group per priority, highest first; within one, Nova's order.
    groups = [{item['id'] for item in group}
              for group in body['evacuation_groups']]
    assert groups == [{servers['high']}, {servers['low']},
                      {servers['plain'], servers['error'],
                       servers['paused']}]
    items = {item['id']: item for group in body['evacuation_groups']
             for item in group}
    assert items[servers['high']]['priority'] == 3
    assert items[servers['plain']]['priority'] == 0
    plans = {key: (items[servers[key]]['reset_to_error'],
                   items[servers[key]]['stop_after'],
                   items[servers[key]]['restore_error'])
             for key in ('plain', 'error', 'paused')}
    assert plans == {'plain': (False, False, False),
                     'error': (False, True, True),
                     'paused': (True, True, False)}
    assert items[servers['plain']]['notes'] == []
    assert items[servers['paused']]['notes'][0].startswith(
        'Nova does not evacuate a server in vm_state paused')

    skipped = {item['id']: item['reason'] for item in body['skipped']}
    assert skipped == {
        servers['not_ha']: 'it is not HA-enabled (metadata HA_Enabled) and '
                           '[host_failure] evacuate_all_instances is false',
        servers['amphora']: 'it is excluded from evacuation: its name '
                            'matches amphora-*'}
    assert body['warnings'] == []


def test_one_group_without_waiting_and_error_state_ignored(api, world,
                                                           conf):
    conf.set_override('ignore_instances_in_error_state', True,
                      'host_failure')
    servers = world['servers']
    body = _preview(api, world).json()['recovery_preview']
    assert body['waits_for_higher_priority'] is False
    (group,) = body['evacuation_groups']
    order = [item['id'] for item in group]
    assert order[:2] == [servers['high'], servers['low']]
    assert set(order[2:]) == {servers['plain'], servers['paused']}
    skipped = {item['id']: item['reason'] for item in body['skipped']}
    assert skipped[servers['error']] == (
        'it is in error state and [host_failure] '
        'ignore_instances_in_error_state is true')


def test_service_down_and_auto_priority(api, nova, world, conf):
    conf.set_override('force_down_failed_host', True, 'host_failure')
    segment = world['segment']
    api.put('/segments/%s' % segment['uuid'],
            {'segment': {'recovery_method': 'auto_priority'}})
    body = _preview(api, world).json()['recovery_preview']
    assert [t['method'] for t in body['targets']] == ['auto',
                                                      'reserved_host']
    assert body['targets'][0]['reserved_hosts'] == []
    assert body['compute_service']['engine_action'] == 'force_down'

    nova.state.fail_host('compute1')
    nova.state.set_forced_down('compute1')
    service = _preview(api, world).json()['recovery_preview'][
        'compute_service']
    assert (service['state'], service['forced_down'],
            service['evacuable_now'], service['engine_action']) == (
        'down', True, True, 'none')


def test_no_spare_is_a_warning(api, world):
    for name in ('compute2', 'compute3'):
        hosts = api.get('/segments/%s/hosts' % world['segment']['uuid'],
                        params={'name': name}).json()['hosts']
        api.put('/segments/%s/hosts/%s' % (world['segment']['uuid'],
                                           hosts[0]['uuid']),
                {'host': {'reserved': False}})
    body = _preview(api, world).json()['recovery_preview']
    assert body['targets'][0]['reserved_hosts'] == []
    assert body['warnings'] == ['No reserved host is available in the '
                                'segment: the recovery would fail']


def test_fenced_first_shows_no_credentials(api, world, conf, tmp_path):
    inventory = tmp_path / 'bmc.yaml'
    inventory.write_text(
        'hosts:\n  compute1:\n    driver: redfish\n'
        '    address: https://10.0.0.11\n    username: admin\n'
        '    password: s3cret-pw\n')
    conf.set_override('bmc_inventory_file', str(inventory), 'fencing')
    answer = _preview(api, world)
    body = answer.json()['recovery_preview']
    assert body['fencing'] == {'fenced_first': True, 'driver': 'redfish',
                               'kdump_wait_seconds': 0.0, 'error': None}
    assert body['compute_service']['engine_action'] == 'force_down'
    assert 's3cret-pw' not in answer.text
    assert 'admin' not in answer.text


@pytest.mark.parametrize('addresses,waits', [
    ('', 30.0),                                # the host name's addresses
    ('    kdump_addresses: [10.0.1.11]\n', 30.0),
    ('    kdump_addresses: []\n', 0.0),       # never waited for
])
def test_preview_shows_the_fence_kdump_wait(api, world, conf, tmp_path,
                                           addresses, waits):
    inventory = tmp_path / 'bmc.yaml'
    inventory.write_text(
        'hosts:\n  compute1:\n    driver: redfish\n'
        '    address: https://10.0.0.11\n    username: admin\n'
        '    password: s3cret-pw\n' + addresses)
    conf.set_override('bmc_inventory_file', str(inventory), 'fencing')
    conf.set_override('kdump_wait', 30.0, 'fencing')
    fencing = _preview(api, world).json()['recovery_preview']['fencing']
    assert fencing['kdump_wait_seconds'] == waits
    assert fencing['fenced_first'] is True


def test_preview_changes_nothing(api, nova, world):
    database = fixtures.dump_database()
    cloud = nova.state.dump()
    assert _preview(api, world).status_code == 200
    assert fixtures.dump_database() == database
    assert nova.state.dump() == cloud
    with nova.state.lock:
        for server_id in world['servers'].values():
            actions = [a.action for a in nova.state.servers[
                server_id].actions]
            assert actions == ['create']


def test_admin_only(keystone_api, nova):
    row = db_api.segment_create({'name': 's', 'recovery_method': 'auto',
                                 'service_type': 'COMPUTE'})
    host = db_api.host_create({'name': 'compute1', 'type': 'COMPUTE',
                               'control_attributes': 'ssh',
                               'failover_segment_id': row.uuid})
    path = PREVIEW % (row.uuid, host.uuid)
    for token, status in ((fixtures.MEMBER_TOKEN, 403),
                          (fixtures.READER_TOKEN, 403),
                          (fixtures.ADMIN_TOKEN, 200)):
        answer = keystone_api.get(path, version='1.4', token=token)
        assert answer.status_code == status, answer.text
    assert 'forbidden' in keystone_api.get(
        path, version='1.4', token=fixtures.MEMBER_TOKEN).json()
