"""Wire details: versions, microversions, error bodies, paging, faults."""

import time

import pytest
import requests
from keystoneauth1 import exceptions as ks_exc
from novaclient import exceptions as nova_exc

from masakari.tests.functional.simulator.base import fresh
from masakari.tests.functional.simulator.base import novaclient
from masakari.tests.functional.simulator.base import start_simulator


@pytest.fixture(scope='module')
def running():
    simulator = start_simulator(hosts=())
    yield simulator
    simulator.stop()


@pytest.fixture
def sim(running):
    return fresh(running)


def call(sim, method, path, version='2.53', **kwargs):
    headers = kwargs.pop('headers', {})
    if version:
        headers['OpenStack-API-Version'] = 'compute %s' % version
    return requests.request(method, sim.url + path, headers=headers,
                            timeout=5, **kwargs)


def test_root_versions_document(sim):
    body = requests.get(sim.base_url + '/', timeout=5).json()
    [version] = body['versions']
    assert (version['id'], version['status'], version['version'],
            version['min_version']) == ('v2.1', 'CURRENT', '2.96', '2.1')
    assert version['links'][0]['href'] == sim.url + '/'


def test_v21_document_and_microversion_headers(sim):
    resp = call(sim, 'GET', '', version=None)
    assert resp.status_code == 200
    assert resp.json()['version']['version'] == '2.96'
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.1'
    assert resp.headers['X-OpenStack-Nova-API-Version'] == '2.1'
    legacy = call(sim, 'GET', '/flavors', version=None,
                  headers={'X-OpenStack-Nova-API-Version': '2.60'})
    assert legacy.headers['OpenStack-API-Version'] == 'compute 2.60'
    assert 'description' in legacy.json()['flavors'][0]
    assert resp.headers['x-openstack-request-id'].startswith('req-')


def test_unsupported_and_invalid_microversion(sim):
    resp = call(sim, 'GET', '/servers', version='2.200')
    assert resp.status_code == 406
    assert resp.json() == {'computeFault': {
        'code': 406, 'message': 'Version 2.200 is not supported by the '
        'API. Minimum is 2.1 and maximum is 2.96.'}}
    assert call(sim, 'GET', '/servers', version='x').status_code == 400


def test_not_found_body(sim):
    resp = call(sim, 'GET', '/servers/abc')
    assert resp.status_code == 404
    assert resp.json() == {'itemNotFound': {
        'code': 404, 'message': 'Instance abc could not be found.'}}
    assert call(sim, 'GET', '/proj/nothing').status_code == 404


def test_project_prefix_and_links(sim):
    sid = sim.state.add_server('compute1')
    resp = call(sim, 'GET', '/myproject/servers/%s' % sid)
    links = resp.json()['server']['links']
    assert links[0]['href'] == '%s/myproject/servers/%s' % (sim.url, sid)
    assert links[1]['href'] == '%s/myproject/servers/%s' % (
        sim.base_url, sid)
    # without all_tenants the project in the URL scopes the list
    assert call(sim, 'GET', '/myproject/servers').json()['servers'] == []
    everyone = call(sim, 'GET', '/myproject/servers?all_tenants=1').json()
    assert [s['id'] for s in everyone['servers']] == [sid]


def test_bad_request_bodies(sim):
    sid = sim.state.add_server('compute1')
    resp = call(sim, 'POST', '/servers/%s/action' % sid,
                json={'os-resetState': {'state': 'paused'}})
    assert resp.status_code == 400
    message = resp.json()['badRequest']['message']
    assert message.startswith('Invalid input for field/attribute state. '
                              'Value: paused.')
    resp = call(sim, 'POST', '/servers/%s/action' % sid, data=b'{nope')
    assert resp.json() == {'badRequest': {
        'code': 400, 'message': 'Malformed request body'}}
    resp = call(sim, 'POST', '/servers/%s/action' % sid,
                json={'evacuate': {'force': True}}, version='2.68')
    assert "Additional properties are not allowed" in \
        resp.json()['badRequest']['message']


def test_evacuate_body_per_microversion(sim):
    sid, other = sim.state.add_servers('compute1', 2, vm_state='stopped')
    sim.state.fail_host('compute1')
    old = call(sim, 'POST', '/servers/%s/action' % sid, version='2.1',
               json={'evacuate': {'onSharedStorage': False}})
    assert old.status_code == 200 and 'adminPass' in old.json()
    new = call(sim, 'POST', '/servers/%s/action' % other, version='2.95',
               json={'evacuate': {}})
    assert new.status_code == 200 and new.content == b''
    assert sim.state.wait_for_idle(5)
    assert sim.state.server_info(sid)['vm_state'] == 'stopped'
    assert sim.state.server_info(other)['vm_state'] == 'stopped'


def test_services_shape_per_microversion(sim):
    old = call(sim, 'GET', '/os-services?binary=nova-compute',
               version='2.1').json()['services'][0]
    assert isinstance(old['id'], int) and 'forced_down' not in old
    new = call(sim, 'GET', '/os-services?host=compute2').json()['services']
    assert [s['binary'] for s in new] == ['nova-compute']
    assert set(new[0]) == {'id', 'binary', 'host', 'zone', 'status',
                           'state', 'updated_at', 'disabled_reason',
                           'forced_down'}
    resp = call(sim, 'PUT', '/os-services/%s' % new[0]['id'],
                json={'status': 'enabled', 'disabled_reason': 'x'})
    assert resp.status_code == 400
    resp = call(sim, 'PUT', '/os-services/disable', version='2.1',
                json={'host': 'compute2', 'binary': 'nova-compute'})
    assert resp.json() == {'service': {'host': 'compute2',
                                       'binary': 'nova-compute',
                                       'status': 'disabled'}}


def test_server_list_filters_and_paging(sim):
    ids = sim.state.add_servers('compute1', 5, flavor='m1.tiny')
    sim.state.add_server('compute2', vm_state='stopped', name='off')
    newest_first = list(reversed(ids))
    page = call(sim, 'GET', '/servers/detail?host=compute1&limit=2').json()
    assert [s['id'] for s in page['servers']] == newest_first[:2]
    next_href = page['servers_links'][0]['href']
    assert 'marker=%s' % newest_first[1] in next_href
    page = requests.get(next_href, timeout=5).json()
    assert [s['id'] for s in page['servers']] == newest_first[2:4]
    resp = call(sim, 'GET', '/servers?marker=nope')
    assert resp.status_code == 400
    off = call(sim, 'GET', '/servers/detail?status=SHUTOFF').json()
    assert [s['name'] for s in off['servers']] == ['off']
    named = call(sim, 'GET', '/servers?name=^of').json()['servers']
    assert [s['name'] for s in named] == ['off']


def test_hypervisor_routes_per_microversion(sim):
    sim.state.add_server('compute1')
    old = call(sim, 'GET', '/os-hypervisors/compute1/servers',
               version='2.1').json()['hypervisors'][0]
    assert isinstance(old['id'], int) and len(old['servers']) == 1
    assert call(sim, 'GET', '/os-hypervisors/compute1/search').status_code \
        == 404  # replaced by query parameters at 2.53
    resp = call(sim, 'GET', '/os-hypervisors/detail?'
                'hypervisor_hostname_pattern=compute&limit=1')
    assert resp.status_code == 400
    latest = call(sim, 'GET', '/os-hypervisors/detail', version='2.88')
    assert 'vcpus' not in latest.json()['hypervisors'][0]


def test_injected_500_and_503(sim):
    nova = novaclient(sim)
    sim.state.add_http_fault(r'/os-services', status=503, count=1)
    with pytest.raises(nova_exc.ClientException) as info:
        nova.services.list(host='compute1')
    assert info.value.code == 503
    assert nova.services.list(host='compute1')  # used up
    sim.state.add_http_fault(r'/servers/detail', status=500, count=2)
    resp = call(sim, 'GET', '/servers/detail')
    assert resp.status_code == 500
    assert resp.json()['computeFault']['message'].startswith(
        'Unexpected API Error.')
    with pytest.raises(nova_exc.ClientException):
        nova.servers.list()
    assert nova.servers.list() == []


def test_fault_after_the_change_was_stored(sim):
    nova = novaclient(sim)
    sid = sim.state.add_server('compute1')
    sim.state.add_http_fault(r'/action$', status=500, action='lock',
                             after=True)
    with pytest.raises(nova_exc.ClientException):
        nova.servers.lock(sid)
    assert sim.state.server_info(sid)['locked'] is True


def test_latency_beyond_the_client_timeout(sim):
    nova = novaclient(sim, timeout=0.2)
    latency = 10.0  # its handler thread sleeps on, a daemon, after the test
    sim.state.add_http_fault(r'/os-aggregates', latency=latency)
    started = time.monotonic()
    with pytest.raises(ks_exc.ConnectionError):
        nova.aggregates.list()
    # The client gave up before the simulated latency was over (by far: its
    # timeout is 0.2 s), not when an answer came.
    assert time.monotonic() - started < latency
    assert nova.aggregates.list() == []


def test_global_latency(sim):
    sim.state.configure(api_latency=0.1)
    started = time.monotonic()
    call(sim, 'GET', '/flavors')
    assert time.monotonic() - started >= 0.1


def test_disable_of_dead_compute_waits_for_rpc_timeout(sim):
    sim.state.configure(service_down_time=30, rpc_response_timeout=0.2)
    sim.state.fail_host('compute1')
    nova = novaclient(sim)
    [service] = nova.services.list(host='compute1', binary='nova-compute')
    assert service.state == 'up'
    started = time.monotonic()
    assert nova.services.disable_log_reason(service.id, 'x').status == \
        'disabled'
    assert time.monotonic() - started >= 0.2


def test_migrations_changes_since_from_2_59(sim):
    first, second = sim.state.add_servers('compute1', 2)
    sim.state.fail_host('compute1')
    nova = novaclient(sim)
    nova.servers.evacuate(first)
    assert sim.state.ticker.wait_idle()
    middle = nova.migrations.list(source_compute='compute1')[0].updated_at
    time.sleep(0.01)
    nova.servers.evacuate(second)
    assert sim.state.ticker.wait_idle()

    newer = novaclient(sim, '2.59').migrations.list(
        source_compute='compute1', migration_type='evacuation',
        changes_since=middle)
    # At or after the time: the first record (updated at ``middle``) too.
    assert sorted(m.instance_uuid for m in newer) == sorted([first, second])
    later = novaclient(sim, '2.59').migrations.list(
        source_compute='compute1',
        changes_since=newer[0].updated_at + 'Z')
    assert [m.instance_uuid for m in later] == [second]
    # Before 2.59 Nova ignores the filter.
    resp = call(sim, 'GET', '/os-migrations?source_compute=compute1&'
                'changes-since=%s' % later[0].updated_at)
    assert len(resp.json()['migrations']) == 2
    resp = call(sim, 'GET', '/os-migrations?changes-since=yesterday',
                version='2.59')
    assert resp.status_code == 400
