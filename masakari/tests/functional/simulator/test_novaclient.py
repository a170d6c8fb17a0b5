"""Every Nova call of the Instance-HA engine, through real novaclient."""

import pytest
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


@pytest.fixture
def nova(sim):
    return novaclient(sim)


def attr(server, name):
    return getattr(server, name)


def test_version_discovery(nova):
    version = nova.versions.get_current()
    assert (version.id, version.version, version.min_version) == (
        'v2.1', '2.96', '2.1')


def test_list_servers_by_host_all_tenants(sim, nova):
    ha = sim.state.add_servers('compute1', 2,
                               metadata={'HA_Enabled': 'True'})
    sim.state.add_servers('compute2', 1, tenant_id='other-project')
    found = nova.servers.list(search_opts={'host': 'compute1',
                                           'all_tenants': True})
    assert sorted(s.id for s in found) == sorted(ha)
    server = found[0]
    assert server.metadata == {'HA_Enabled': 'True'}
    assert server.locked is False
    assert attr(server, 'OS-EXT-SRV-ATTR:hypervisor_hostname') == 'compute1'
    assert attr(server, 'OS-EXT-SRV-ATTR:host') == 'compute1'
    assert attr(server, 'OS-EXT-STS:vm_state') == 'active'
    assert attr(server, 'OS-EXT-STS:task_state') is None
    assert attr(server, 'OS-EXT-STS:power_state') == 1
    assert attr(server, 'OS-EXT-SRV-ATTR:instance_name').startswith(
        'instance-')
    assert server.status == 'ACTIVE'
    assert server.flavor['original_name'] == 'm1.small'
    everyone = nova.servers.list(search_opts={'all_tenants': True})
    assert len(everyone) == 3


def test_get_server_and_not_found(sim, nova):
    sid = sim.state.add_server('compute1', name='db')
    assert nova.servers.get(sid).name == 'db'
    with pytest.raises(nova_exc.NotFound) as info:
        nova.servers.get('0bd0d5a5-4bbc-4a41-a2bc-7e0b6b0e9bbd')
    assert 'could not be found' in str(info.value)


def test_services_lookup_disable_enable_force_down(sim, nova):
    [service] = nova.services.list(host='compute1', binary='nova-compute')
    assert (service.host, service.status, service.state) == (
        'compute1', 'enabled', 'up')
    assert service.id == sim.state.hosts['compute1'].service_uuid
    assert service.forced_down is False
    assert nova.services.list(host='nope', binary='nova-compute') == []
    disabled = nova.services.disable_log_reason(service.id, 'host failure')
    assert (disabled.status, disabled.disabled_reason) == ('disabled',
                                                           'host failure')
    [again] = nova.services.list(host='compute1', binary='nova-compute')
    assert again.status == 'disabled'
    assert nova.services.enable(service.id).status == 'enabled'
    assert nova.services.disable(service.id).disabled_reason is None
    forced = nova.services.force_down(service.id, True)
    assert (forced.forced_down, forced.state) == (True, 'down')
    binaries = {s.binary for s in nova.services.list()}
    assert binaries == {'nova-compute', 'nova-scheduler', 'nova-conductor'}


def test_evacuate_refused_while_host_up_then_done(sim, nova):
    sid = sim.state.add_server('compute1', metadata={'HA_Enabled': 'True'})
    with pytest.raises(nova_exc.BadRequest) as info:
        nova.servers.evacuate(sid)
    assert 'Compute service of compute1 is still in use.' in str(info.value)
    sim.state.fail_host('compute1')
    nova.servers.evacuate(sid)
    rebuilding = nova.servers.get(sid)
    assert attr(rebuilding, 'OS-EXT-STS:task_state') in (
        'rebuilding', 'rebuild_spawning')
    assert sim.state.wait_for_idle(5)
    server = nova.servers.get(sid)
    assert attr(server, 'OS-EXT-SRV-ATTR:hypervisor_hostname') != 'compute1'
    assert (server.status, attr(server, 'OS-EXT-STS:vm_state')) == (
        'ACTIVE', 'active')
    assert sim.state.evacuation_count(sid) == 1
    actions = nova.instance_action.list(sid)
    assert [a.action for a in actions] == ['evacuate', 'create']


def test_evacuate_to_a_target_host(sim, nova):
    sid = sim.state.add_server('compute1')
    sim.state.fail_host('compute1')
    nova.servers.evacuate(sid, host='compute3')
    assert sim.state.wait_for_idle(5)
    assert attr(nova.servers.get(sid), 'OS-EXT-SRV-ATTR:host') == 'compute3'
    with pytest.raises(nova_exc.NotFound):
        nova.servers.evacuate(sid, host='compute9')


def test_evacuation_without_valid_host_errors_the_server(sim, nova):
    sid = sim.state.add_server('compute1')
    for name in ('compute1', 'compute2', 'compute3'):
        sim.state.fail_host(name)
    nova.servers.evacuate(sid)
    assert sim.state.wait_for_idle(5)
    server = nova.servers.get(sid)
    assert server.status == 'ERROR'
    assert server.fault['message'].startswith('No valid host was found.')


def test_reset_state_stop_start(sim, nova):
    sid = sim.state.add_server('compute1')
    nova.servers.reset_state(sid, 'error')
    assert attr(nova.servers.get(sid), 'OS-EXT-STS:vm_state') == 'error'
    nova.servers.reset_state(sid, 'active')
    nova.servers.stop(sid)
    assert sim.state.wait_for_idle(5)
    server = nova.servers.get(sid)
    assert (server.status, attr(server, 'OS-EXT-STS:power_state')) == (
        'SHUTOFF', 4)
    with pytest.raises(nova_exc.Conflict) as info:
        nova.servers.stop(sid)
    assert "while it is in vm_state stopped" in str(info.value)
    nova.servers.start(sid)
    assert sim.state.wait_for_idle(5)
    server = nova.servers.get(sid)
    assert (server.status, attr(server, 'OS-EXT-STS:power_state')) == (
        'ACTIVE', 1)


def test_lock_unlock(sim, nova):
    sid = sim.state.add_server('compute1')
    nova.servers.lock(sid)
    assert nova.servers.get(sid).locked is True
    nova.servers.unlock(sid)
    assert nova.servers.get(sid).locked is False


def test_aggregates(sim, nova):
    aggregate = nova.aggregates.create('segment-1', None)
    nova.aggregates.add_host(aggregate, 'compute1')
    [listed] = nova.aggregates.list()
    assert (listed.name, listed.hosts) == ('segment-1', ['compute1'])
    with pytest.raises(nova_exc.Conflict):
        nova.aggregates.add_host(aggregate, 'compute1')
    with pytest.raises(nova_exc.NotFound):
        nova.aggregates.add_host(aggregate, 'compute9')
    nova.aggregates.remove_host(aggregate, 'compute1')
    assert nova.aggregates.get(aggregate).hosts == []


def test_hypervisors(sim, nova):
    sid = sim.state.add_server('compute2')
    [hyp] = nova.hypervisors.search('compute2', servers=True)
    assert hyp.hypervisor_hostname == 'compute2'
    assert hyp.servers == [{'name': sim.state.servers[sid].instance_name,
                            'uuid': sid}]
    assert not hasattr(nova.hypervisors.search('compute1',
                                               servers=True)[0], 'servers')
    assert len(nova.hypervisors.list()) == 3
    detail = nova.hypervisors.get(hyp.id)
    assert (detail.vcpus, detail.vcpus_used, detail.state) == (8, 1, 'up')
    with pytest.raises(nova_exc.NotFound):
        nova.hypervisors.search('nomatch')


def test_create_server(sim, nova):
    flavor = nova.flavors.find(name='m1.tiny')
    created = nova.servers.create(
        'booted', '70a599e0-31e7-49b7-b260-868f441e862b', flavor,
        nics='none', meta={'HA_Enabled': 'True'})
    assert sim.state.wait_for_idle(5)
    server = nova.servers.get(created.id)
    assert server.status == 'ACTIVE'
    assert server.metadata == {'HA_Enabled': 'True'}
    assert attr(server, 'OS-EXT-SRV-ATTR:host').startswith('compute')
    nova.servers.delete(created.id)
    with pytest.raises(nova_exc.NotFound):
        nova.servers.get(created.id)


def test_create_server_with_unknown_flavor(nova):
    with pytest.raises(nova_exc.BadRequest):
        nova.servers.create('x', 'img', 'no-such-flavor', nics='none')
